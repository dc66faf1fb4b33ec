//! Guards `qala_media::sniff::detect`, which judges every uploaded file by its first bytes: it must
//! never panic or read out of bounds on a short or hostile head, and whatever it accepts must
//! carry the signature it claims.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qala_media::sniff;
use qala_protocol::MediaKind;

fuzz_target!(|data: &[u8]| {
    let Some((kind, content_type)) = sniff::detect(data) else { return };
    match kind {
        MediaKind::Photo => assert!(content_type.starts_with("image/"), "{content_type}"),
        MediaKind::Video => assert!(content_type.starts_with("video/"), "{content_type}"),
    }
    // A longer file with the same head is the same kind: detection reads the head only.
    let mut longer = data.to_vec();
    longer.extend_from_slice(&[0u8; 16]);
    assert_eq!(sniff::detect(&longer), Some((kind, content_type)));
});
