//! Guards `qala_media::mp4::{strip, duration_seconds}`, run on every uploaded video: box sizes
//! (32- and 64-bit, 0 for "to the end") and deep nesting must give an error, never a panic, an
//! overflow or a stack overflow. Stripping only renames boxes in place: the file keeps its
//! length, its duration, and a second pass finds nothing left to strip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qala_media::mp4;

fuzz_target!(|data: &[u8]| {
    let duration = mp4::duration_seconds(data);
    if let Ok(d) = duration {
        assert!(d.is_finite() && d >= 0.0, "duration {d}");
    }
    let mut copy = data.to_vec();
    if let Ok(n) = mp4::strip(&mut copy) {
        assert_eq!(copy.len(), data.len());
        // Each blanked box changes only its four type bytes.
        let changed = copy.iter().zip(data).filter(|(a, b)| a != b).count();
        assert!(changed <= 4 * n, "{changed} bytes changed for {n} boxes");
        assert_eq!(mp4::duration_seconds(&copy), duration, "stripping changed the duration");
        assert_eq!(mp4::strip(&mut copy.clone()), Ok(0), "stripping is not idempotent");
    }
});
