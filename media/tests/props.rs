//! Property tests of every parser that takes outside bytes: whatever the bytes, each answers
//! (a value or `Malformed`) without panicking, and what it returns keeps its promises. The same
//! functions are fuzzed by the targets in `fuzz/`; these run on the stable toolchain with the
//! ordinary tests.

use proptest::prelude::*;
use qala_media::{mp4, photo, sniff};

/// A box: 4-byte size, 4-byte type, body.
fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(body);
    b
}

/// A tree of well-formed boxes, some of them containers, some of them metadata.
fn box_tree() -> impl Strategy<Value = Vec<u8>> {
    let kinds = prop::sample::select(vec![*b"free", *b"mdat", *b"udta", *b"meta", *b"mvhd", *b"\xA9xyz"]);
    let leaf = (kinds, prop::collection::vec(any::<u8>(), 0..24)).prop_map(|(k, body)| mp4_box(&k, &body));
    leaf.prop_recursive(6, 64, 4, |inner| {
        let containers = prop::sample::select(vec![*b"moov", *b"trak", *b"mdia", *b"minf", *b"stbl", *b"udta"]);
        (containers, prop::collection::vec(inner, 0..4)).prop_map(|(k, kids)| mp4_box(&k, &kids.concat()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn sniffing_never_panics(data in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = sniff::detect(&data);
    }

    #[test]
    fn photo_stripping_never_panics_and_never_grows_much(
        ct in prop::sample::select(vec!["image/jpeg", "image/png", "image/webp"]),
        prefix in prop::sample::select(vec![&b"\xFF\xD8"[..], b"\x89PNG\r\n\x1a\n", b"RIFF\0\0\0\0WEBP", b""]),
        data in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let input = [prefix, &data[..]].concat();
        if let Ok(out) = photo::strip(ct, &input) {
            // At most the orientation block (and a RIFF header) is added.
            prop_assert!(out.len() <= input.len() + 64);
        }
    }

    #[test]
    fn video_stripping_never_panics_and_keeps_the_length(data in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut v = data.clone();
        if mp4::strip(&mut v).is_ok() {
            prop_assert_eq!(v.len(), data.len());
        }
        let _ = mp4::duration_seconds(&data);
    }

    #[test]
    fn well_formed_videos_lose_every_metadata_box(boxes in prop::collection::vec(box_tree(), 1..4)) {
        let src = [mp4_box(b"ftyp", b"isom\0\0\0\0isom"), mp4_box(b"moov", &boxes.concat())].concat();
        let mut out = src.clone();
        let blanked = mp4::strip(&mut out).expect("a well-formed file");
        prop_assert_eq!(out.len(), src.len());
        // Only box types changed, four bytes each, to `free`.
        let changed = src.iter().zip(&out).filter(|(a, b)| a != b).count();
        prop_assert!(changed <= blanked * 4);
        // Stripping twice changes nothing more.
        let mut again = out.clone();
        prop_assert_eq!(mp4::strip(&mut again).unwrap(), 0);
        prop_assert_eq!(&again, &out);
    }
}
