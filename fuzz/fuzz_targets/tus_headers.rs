//! Guards the parsing of the tus headers every upload sends (server/src/http/uploads.rs):
//! `Upload-Metadata` (comma-separated `key base64(value)` pairs), `Upload-Checksum`
//! (`sha256 <base64>`) and the integer headers `Upload-Length` / `Upload-Offset`. None may panic;
//! what they accept must have the shape the handlers rely on.
//!
//! Input: header lines `Name: value`, one per line; a line of another name (or without a colon)
//! goes to every parser. The parsers live in `qala_protocol::tus`, which the server uses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qala_protocol::tus as parse;

fn check_metadata(raw: &str) {
    if let Ok(pairs) = parse::metadata(raw) {
        assert!(pairs.len() <= raw.split(',').count());
        for (key, _) in &pairs {
            assert!(!key.is_empty() && !key.contains(',') && !key.contains(' '), "key {key:?} from {raw:?}");
        }
    }
}

fn check_checksum(raw: &str) {
    if let Ok(digest) = parse::checksum(raw) {
        // base64 only ever shrinks what it encodes.
        assert!(digest.len() <= raw.len(), "{} digest bytes from {raw:?}", digest.len());
    }
}

fn check_integer(raw: &str) {
    if let Some(n) = parse::integer(raw) {
        assert_eq!(parse::integer(&n.to_string()), Some(n));
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for line in text.lines() {
        let (name, value) = line.split_once(':').unwrap_or(("", line));
        match name.trim().to_ascii_lowercase().as_str() {
            "upload-metadata" => check_metadata(value),
            "upload-checksum" => check_checksum(value),
            "upload-length" | "upload-offset" => check_integer(value),
            _ => {
                check_metadata(value);
                check_checksum(value);
                check_integer(value);
            }
        }
    }
});
