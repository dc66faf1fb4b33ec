//! Guards the Open311 intake (`qala_protocol::open311`, used by server/src/http/open311.rs), open to
//! other channels with an API key:
//! a form body turned into a `NewReport`, the w3c date and comma-list query parameters, and the
//! XML escaping of the texts that come back out. None may panic; a report built from a form is
//! valid by the protocol's rules; escaped text is well-formed XML 1.0 character data.
//!
//! Input: an `application/x-www-form-urlencoded` body, parsed as axum's `Form` does
//! (serde_urlencoded into a map).
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use qala_protocol::LocationSource;
use qala_protocol::open311::{self as intake, xml_escape};

/// A character XML 1.0 allows in a document (production `Char`).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn check_escaped(raw: &str) {
    let out = xml_escape(raw);
    assert!(out.chars().all(xml_char), "not XML 1.0 characters: {out:?}");
    assert!(!out.contains(['<', '>', '"', '\'']), "{out:?}");
    for (i, _) in out.match_indices('&') {
        let rest = &out[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| rest.starts_with(e)),
            "bare & in {out:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(form) = serde_urlencoded::from_bytes::<HashMap<String, String>>(data) else { return };

    if let Ok(report) = intake::new_report(&form, uuid::Uuid::nil(), chrono::Utc::now()) {
        assert_eq!(report.validate(), Ok(()));
        // The service code, without the spaces around it, is the category.
        assert_eq!(Some(report.category.as_str()), form.get("service_code").map(|c| c.trim()));
        assert!(report.media.is_empty());
        assert_eq!(report.location.source, LocationSource::Address);
        assert!(report.address.as_deref().is_none_or(|a| !a.trim().is_empty()));
    }

    for key in ["start_date", "end_date"] {
        let date = intake::date(&form, key);
        if !form.contains_key(key) {
            assert!(matches!(date, Ok(None)), "{key} absent but parsed");
        }
    }
    for key in ["service_request_id", "service_code", "status"] {
        if let Ok(Some(items)) = intake::list(&form, key) {
            assert!(items.len() <= 100, "{key}: {} items", items.len());
            for item in items {
                assert!(!item.is_empty() && item.trim() == item, "{key} item {item:?}");
            }
        }
    }
    for (k, v) in &form {
        check_escaped(k);
        check_escaped(v);
    }
});
