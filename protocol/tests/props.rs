//! Property tests of the protocol's parsers of outside input — tus headers, the Open311 form and
//! parameters, XML text, the push body — on the stable toolchain with the ordinary tests (the
//! fuzzers in `fuzz/` run the same functions with coverage guidance).

use std::collections::HashMap;

use proptest::prelude::*;
use qala_protocol::{PushRequest, open311, tus};

/// A character XML 1.0 allows in a document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn tus_headers_never_panic_and_keep_their_shape(raw in "\\PC{0,200}") {
        if let Ok(pairs) = tus::metadata(&raw) {
            prop_assert!(pairs.len() <= tus::MAX_METADATA_PAIRS);
            prop_assert!(pairs.iter().all(|(k, _)| !k.contains(',') && !k.contains(' ')));
        }
        if let Ok(digest) = tus::checksum(&raw) {
            prop_assert_eq!(digest.len(), 32);
        }
        if let Some(n) = tus::integer(&raw) {
            prop_assert_eq!(tus::integer(&n.to_string()), Some(n));
        }
    }

    #[test]
    fn xml_text_is_always_well_formed(raw in any::<String>()) {
        let out = open311::xml_escape(&raw);
        prop_assert!(out.chars().all(xml_char));
        prop_assert!(!out.contains(['<', '>', '"', '\'']));
    }

    #[test]
    fn intake_forms_give_valid_reports_or_a_clear_error(
        code in "\\PC{0,20}", lat in "\\PC{0,12}", lon in "\\PC{0,12}", description in "\\PC{0,50}",
    ) {
        let form: HashMap<String, String> = [("service_code", code), ("lat", lat), ("long", lon), ("description", description)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        match open311::new_report(&form, uuid::Uuid::nil(), chrono::Utc::now()) {
            Ok(r) => prop_assert_eq!(r.validate(), Ok(())),
            Err(e) => prop_assert!(!e.field.is_empty()),
        }
        if let Ok(Some(list)) = open311::list(&form, "service_code") {
            prop_assert!(list.len() <= open311::MAX_LIST);
        }
    }

    #[test]
    fn push_bodies_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<PushRequest>(&body);
    }
}
