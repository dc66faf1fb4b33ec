//! Removes metadata from photos: EXIF (with its GPS position and camera serials), XMP, IPTC,
//! comments and text chunks. The phone strips too; the server does it again because not every
//! client can be trusted to. Pixel data is copied byte for byte — nothing is re-encoded here.
//!
//! A JPEG's orientation lives in EXIF, and dropping it would turn portrait photos on their side, so
//! when the orientation is not "normal" a minimal EXIF block holding only that tag is written back.

use crate::Malformed;

/// Strips metadata from a photo of MIME type `content_type`.
pub fn strip(content_type: &str, data: &[u8]) -> Result<Vec<u8>, Malformed> {
    match content_type {
        "image/jpeg" => strip_jpeg(data),
        "image/png" => strip_png(data),
        "image/webp" => strip_webp(data),
        _ => Ok(data.to_vec()),
    }
}

fn be16(b: &[u8]) -> usize {
    u16::from_be_bytes([b[0], b[1]]) as usize
}

/// The EXIF orientation (1–8) inside an APP1 payload, if any.
fn exif_orientation(app1: &[u8]) -> Option<u16> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    if tiff.len() < 8 {
        return None;
    }
    let le = match &tiff[0..2] {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |o: usize| -> Option<u16> {
        let b = tiff.get(o..o + 2)?;
        Some(if le { u16::from_le_bytes([b[0], b[1]]) } else { u16::from_be_bytes([b[0], b[1]]) })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b = tiff.get(o..o + 4)?;
        let a = [b[0], b[1], b[2], b[3]];
        Some(if le { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    (0..count).find_map(|i| {
        let e = ifd + 2 + i * 12;
        (u16_at(e)? == 0x0112).then(|| u16_at(e + 8)).flatten()
    })
}

/// A complete APP1 segment whose EXIF holds one tag: Orientation.
fn orientation_segment(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian TIFF header, IFD0 at offset 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count 1
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // value padding
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let payload_len = 6 + tiff.len();
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((payload_len + 2) as u16).to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    seg
}

fn strip_jpeg(data: &[u8]) -> Result<Vec<u8>, Malformed> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return Err(Malformed::new("not a JPEG"));
    }
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut pos = 2;
    let mut orientation = None;
    let mut wrote_orientation = false;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        while data.get(pos) == Some(&0xFF) && data.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (data.get(pos), data.get(pos + 1)) else {
            return Err(Malformed::new("JPEG segment structure is broken"));
        };
        if marker == 0xD9 {
            return Err(Malformed::new("JPEG has no image data"));
        }
        let len_bytes = data.get(pos + 2..pos + 4).ok_or(Malformed::new("JPEG is truncated"))?;
        let len = be16(len_bytes);
        if len < 2 {
            return Err(Malformed::new("JPEG segment length is invalid"));
        }
        let end = pos + 2 + len;
        let segment = data.get(pos..end).ok_or(Malformed::new("JPEG is truncated"))?;
        let payload = &segment[4..];
        let keep = match marker {
            0xE1 => {
                if orientation.is_none() {
                    orientation = exif_orientation(payload);
                }
                false
            }
            0xE2 => payload.starts_with(b"ICC_PROFILE\0"), // colour profile: keep
            0xE0 | 0xEE => true,                           // JFIF / Adobe colour transform: keep
            0xE3..=0xED | 0xEF | 0xFE => false,            // other APPn (IPTC, maker data) and comments
            _ => true,
        };
        let is_app_or_comment = (0xE0..=0xEF).contains(&marker) || marker == 0xFE;
        if !is_app_or_comment && !wrote_orientation {
            // Just before the first non-APP segment, put back the orientation alone.
            if let Some(o) = orientation.filter(|o| (2..=8).contains(o)) {
                out.extend_from_slice(&orientation_segment(o));
            }
            wrote_orientation = true;
        }
        if keep {
            out.extend_from_slice(segment);
        }
        pos = end;
        if marker == 0xDA {
            // The scans run to the end-of-image marker; entropy-coded data never contains FF D9
            // (a data FF is always followed by 00 or a restart marker). Whatever follows EOI —
            // a motion-photo video with its location, a maker trailer — is not part of the image.
            let rest = &data[pos..];
            let eoi = rest.windows(2).position(|w| w == [0xFF, 0xD9]).ok_or(Malformed::new("JPEG has no end"))?;
            out.extend_from_slice(&rest[..eoi + 2]);
            return Ok(out);
        }
    }
}

fn strip_png(data: &[u8]) -> Result<Vec<u8>, Malformed> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !data.starts_with(SIG) {
        return Err(Malformed::new("not a PNG"));
    }
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(SIG);
    let mut pos = SIG.len();
    loop {
        let head = data.get(pos..pos + 8).ok_or(Malformed::new("PNG is truncated"))?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let ty = &head[4..8];
        // Checked: on a 32-bit phone a length near 4 GiB would wrap around.
        let end = len
            .checked_add(12)
            .and_then(|n| pos.checked_add(n))
            .ok_or(Malformed::new("PNG chunk length is invalid"))?;
        let chunk = data.get(pos..end).ok_or(Malformed::new("PNG is truncated"))?;
        if !matches!(ty, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            out.extend_from_slice(chunk);
        }
        pos = end;
        if ty == b"IEND" {
            return Ok(out);
        }
    }
}

fn strip_webp(data: &[u8]) -> Result<Vec<u8>, Malformed> {
    if data.len() < 12 || &data[0..4] != b"RIFF" || &data[8..12] != b"WEBP" {
        return Err(Malformed::new("not a WebP"));
    }
    let mut body = Vec::with_capacity(data.len());
    body.extend_from_slice(b"WEBP");
    let mut pos = 12;
    while pos < data.len() {
        let head = data.get(pos..pos + 8).ok_or(Malformed::new("WebP is truncated"))?;
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let end = len
            .checked_add(8 + (len & 1))
            .and_then(|n| pos.checked_add(n))
            .ok_or(Malformed::new("WebP chunk length is invalid"))?;
        let chunk = data.get(pos..end.min(data.len())).ok_or(Malformed::new("WebP is truncated"))?;
        match &head[0..4] {
            b"EXIF" | b"XMP " => {}
            b"VP8X" if chunk.len() >= 9 => {
                let mut c = chunk.to_vec();
                c[8] &= !(0x08 | 0x04); // clear the EXIF and XMP flags
                body.extend_from_slice(&c);
            }
            _ => body.extend_from_slice(chunk),
        }
        pos = end;
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG-shaped byte string: SOI, APP0, APP1 EXIF with orientation 6 and a fake GPS string,
    /// a comment, DQT, SOS with scan data, EOI.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut exif = b"Exif\0\0II\x2A\0\x08\0\0\0".to_vec();
        exif.extend_from_slice(&1u16.to_le_bytes());
        exif.extend_from_slice(&0x0112u16.to_le_bytes());
        exif.extend_from_slice(&3u16.to_le_bytes());
        exif.extend_from_slice(&1u32.to_le_bytes());
        exif.extend_from_slice(&6u16.to_le_bytes());
        exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        exif.extend_from_slice(b"GPS 43.2389N 76.8897E");
        let seg = |m: u8, p: &[u8]| {
            let mut s = vec![0xFF, m];
            s.extend_from_slice(&((p.len() + 2) as u16).to_be_bytes());
            s.extend_from_slice(p);
            s
        };
        let mut j = vec![0xFF, 0xD8];
        j.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        j.extend(seg(0xE1, &exif));
        j.extend(seg(0xFE, b"shot on a secret phone"));
        j.extend(seg(0xDB, &[0; 65]));
        j.extend(seg(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
        j.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]);
        j
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn jpeg_loses_exif_and_comment_but_keeps_orientation_and_pixels() {
        let src = jpeg_with_exif();
        let out = strip("image/jpeg", &src).unwrap();
        assert!(!contains(&out, b"GPS 43.2389N"));
        assert!(!contains(&out, b"secret phone"));
        assert!(contains(&out, b"JFIF"));
        assert!(out.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
        // Orientation survives alone.
        let app1 = out.windows(6).position(|w| w == b"Exif\0\0").expect("orientation block");
        assert_eq!(exif_orientation(&out[app1..]), Some(6));
        // Stripping is idempotent.
        assert_eq!(strip("image/jpeg", &out).unwrap(), out);
        // A trailer after the end of the image (a motion-photo video, say) goes too.
        let with_trailer = [src.as_slice(), b"ftypmp42 moov udta \xA9xyz +43.2389+076.8897/"].concat();
        assert_eq!(strip("image/jpeg", &with_trailer).unwrap(), out);
    }

    #[test]
    fn broken_jpegs_are_refused() {
        let src = jpeg_with_exif();
        assert!(strip("image/jpeg", &src[..20]).is_err());
        assert!(strip("image/jpeg", b"\xFF\xD8hello").is_err());
    }

    #[test]
    fn png_text_chunks_go() {
        let chunk = |ty: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(ty);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend(chunk(b"IHDR", &[0; 13]));
        p.extend(chunk(b"tEXt", b"Location\0Almaty"));
        p.extend(chunk(b"eXIf", b"MM\0*"));
        p.extend(chunk(b"IDAT", &[1, 2, 3]));
        p.extend(chunk(b"IEND", &[]));
        let out = strip("image/png", &p).unwrap();
        assert!(!contains(&out, b"Almaty"));
        assert!(!contains(&out, b"eXIf"));
        assert!(contains(&out, b"IDAT"));
        assert!(strip("image/png", &p[..30]).is_err());
    }
}
