//! Guards the reading of a pull's scope and cursor (`qala_protocol::scope`): the `districts` and
//! `cursor` query parameters every pull sends. Neither may panic; a cursor that is accepted must
//! come back the same after being written out again (the server writes what it read, advanced).
//!
//! Input: the first line is the `districts` parameter (comma-separated), the rest the cursor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qala_protocol::scope;
use uuid::Uuid;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (districts, cursor) = text.split_once('\n').unwrap_or((text, ""));
    let districts: Vec<String> = districts.split(',').filter(|d| !d.is_empty()).map(String::from).collect();
    let user = Uuid::from_u128(42);
    let Ok(buckets) = scope::buckets(user, &districts) else { return };
    assert!(buckets.len() <= 2 + qala_protocol::districts::AREAS.len() + 1);
    let Ok(positions) = scope::positions(Some(cursor), buckets.clone()) else { return };
    assert_eq!(positions.len(), buckets.len(), "one position per bucket of the scope");
    let written = scope::cursor(&positions);
    assert!(written.len() <= scope::MAX_CURSOR_LEN, "{written}");
    let again = scope::positions(Some(&written), buckets).expect("a written cursor reads back");
    for (a, b) in positions.iter().zip(&again) {
        assert!(b.after >= 0 && b.after == a.after, "{cursor:?} → {written:?}");
        if !a.new {
            assert_eq!(a.snapshot, b.snapshot, "{cursor:?} → {written:?}");
        }
    }
});
