//! What a file is, judged by its first bytes and never by its name or declared type.

use qala_protocol::MediaKind;

/// The kind and MIME type of `head` (the first bytes of a file), or `None` if it is not a photo or
/// video format Qala accepts.
pub fn detect(head: &[u8]) -> Option<(MediaKind, &'static str)> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some((MediaKind::Photo, "image/jpeg"));
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((MediaKind::Photo, "image/png"));
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some((MediaKind::Photo, "image/webp"));
    }
    // ISO base media (MP4) and QuickTime start with a box whose type is at bytes 4..8.
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        let ct = if brand == b"qt  " { "video/quicktime" } else { "video/mp4" };
        // HEIC/AVIF photos are ftyp files too; they are not videos.
        if [b"heic", b"heix", b"mif1", b"msf1", b"avif", b"hevc"].iter().any(|b| brand == *b) {
            return None;
        }
        return Some((MediaKind::Video, ct));
    }
    if head.len() >= 8 && [b"moov", b"mdat", b"wide", b"free"].iter().any(|t| &head[4..8] == *t) {
        return Some((MediaKind::Video, "video/quicktime"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_real_signatures_only() {
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some((MediaKind::Photo, "image/jpeg")));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some((MediaKind::Photo, "image/png")));
        assert_eq!(detect(b"RIFF\x10\0\0\0WEBPVP8 "), Some((MediaKind::Photo, "image/webp")));
        assert_eq!(detect(b"\0\0\0\x18ftypisom\0\0\0\0"), Some((MediaKind::Video, "video/mp4")));
        assert_eq!(detect(b"\0\0\0\x14ftypqt  \0\0\0\0"), Some((MediaKind::Video, "video/quicktime")));
        assert_eq!(detect(b"\0\0\0\x18ftypheic\0\0\0\0"), None);
        assert_eq!(detect(b"just some text pretending to be a jpeg"), None);
        assert_eq!(detect(b""), None);
    }
}
