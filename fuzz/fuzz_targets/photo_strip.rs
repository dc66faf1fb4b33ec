//! Guards `qala_media::photo::strip`, which the server runs on every uploaded photo (JPEG, PNG,
//! WebP): hostile segment and chunk lengths must give an error, never a panic, an overflow or a
//! runaway allocation; a cleaned photo may grow by at most the small orientation block written
//! back, and is still recognised as the type it was stripped as.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qala_media::{photo, sniff};

fuzz_target!(|data: &[u8]| {
    for ct in ["image/jpeg", "image/png", "image/webp"] {
        if let Ok(out) = photo::strip(ct, data) {
            assert!(out.len() <= data.len() + 64, "{ct}: {} bytes in, {} out", data.len(), out.len());
            assert_eq!(sniff::detect(&out).map(|(_, t)| t), Some(ct), "{ct}: output no longer sniffs as {ct}");
        }
    }
});
