//! MP4/QuickTime: the duration from the container, and location and other user metadata removed
//! without re-encoding. The `udta` and `meta` boxes inside `moov`
//! (where `©xyz` and the QuickTime location keys live) are renamed to `free`: their bytes become
//! padding that every player skips, and no offset in the file moves.

use crate::Malformed;

/// One box: where its header starts, where its content starts and ends, its type.
struct Mp4Box {
    start: usize,
    body: usize,
    end: usize,
    kind: [u8; 4],
}

fn boxes(data: &[u8], from: usize, to: usize) -> Result<Vec<Mp4Box>, Malformed> {
    let bad = || Malformed::new("the video file is damaged");
    let mut out = Vec::new();
    let mut pos = from;
    while pos + 8 <= to {
        let size32 = u32::from_be_bytes(data[pos..pos + 4].try_into().map_err(|_| bad())?) as u64;
        let kind: [u8; 4] = data[pos + 4..pos + 8].try_into().map_err(|_| bad())?;
        let (size, header) = match size32 {
            0 => ((to - pos) as u64, 8),
            1 => {
                let b = data.get(pos + 8..pos + 16).ok_or_else(bad)?;
                (u64::from_be_bytes(b.try_into().map_err(|_| bad())?), 16)
            }
            n => (n, 8),
        };
        let end = pos.checked_add(usize::try_from(size).map_err(|_| bad())?).ok_or_else(bad)?;
        if size < header as u64 || end > to {
            return Err(bad());
        }
        out.push(Mp4Box { start: pos, body: pos + header, end, kind });
        pos = end;
    }
    Ok(out)
}

/// Duration in seconds from `moov/mvhd`.
pub fn duration_seconds(data: &[u8]) -> Result<f64, Malformed> {
    let missing = || Malformed::new("the video has no duration (not an MP4/QuickTime file?)");
    let moov = boxes(data, 0, data.len())?.into_iter().find(|b| &b.kind == b"moov").ok_or_else(missing)?;
    let mvhd = boxes(data, moov.body, moov.end)?.into_iter().find(|b| &b.kind == b"mvhd").ok_or_else(missing)?;
    let body = &data[mvhd.body..mvhd.end];
    let (timescale, duration) = match body.first() {
        Some(0) if body.len() >= 20 => (
            u32::from_be_bytes(body[12..16].try_into().map_err(|_| missing())?) as f64,
            u32::from_be_bytes(body[16..20].try_into().map_err(|_| missing())?) as f64,
        ),
        Some(1) if body.len() >= 32 => (
            u32::from_be_bytes(body[20..24].try_into().map_err(|_| missing())?) as f64,
            u64::from_be_bytes(body[24..32].try_into().map_err(|_| missing())?) as f64,
        ),
        _ => return Err(missing()),
    };
    if timescale == 0.0 {
        return Err(missing());
    }
    Ok(duration / timescale)
}

/// Renames every `udta`/`meta` box under `moov` (at any depth of moov/trak/mdia/minf) to `free`.
fn blank_metadata(data: &mut [u8], from: usize, to: usize) -> Result<usize, Malformed> {
    let mut blanked = 0;
    for b in boxes(data, from, to)? {
        match &b.kind {
            b"udta" | b"meta" => {
                data[b.start + 4..b.start + 8].copy_from_slice(b"free");
                blanked += 1;
            }
            b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"edts" => {
                blanked += blank_metadata(data, b.body, b.end)?;
            }
            _ => {}
        }
    }
    Ok(blanked)
}

/// Blanks every `udta`/`meta` box under `moov`; returns how many. The file keeps its length.
pub fn strip(data: &mut [u8]) -> Result<usize, Malformed> {
    let len = data.len();
    blank_metadata(data, 0, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    /// A minimal MP4: ftyp, moov(mvhd with `seconds`, udta(©xyz), trak(meta)), mdat.
    fn sample(seconds: u32) -> Vec<u8> {
        let mut mvhd = vec![0u8; 100];
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        mvhd[16..20].copy_from_slice(&(seconds * 1000).to_be_bytes());
        let xyz = mp4_box(b"\xA9xyz", b"+43.2389+076.8897/");
        let udta = mp4_box(b"udta", &xyz);
        let meta = mp4_box(b"meta", b"com.apple.quicktime.location.ISO6709");
        let trak = mp4_box(b"trak", &meta);
        let moov = mp4_box(b"moov", &[mp4_box(b"mvhd", &mvhd), udta, trak].concat());
        [mp4_box(b"ftyp", b"isom\0\0\0\0isom"), moov, mp4_box(b"mdat", &[7u8; 4000])].concat()
    }

    fn contains(h: &[u8], n: &[u8]) -> bool {
        h.windows(n.len()).any(|w| w == n)
    }

    #[test]
    fn duration_is_read_and_capped() {
        assert_eq!(duration_seconds(&sample(12)).unwrap(), 12.0);
        assert_eq!(duration_seconds(&sample(31)).unwrap(), 31.0);
    }

    #[test]
    fn location_boxes_become_free_space_and_nothing_moves() {
        let src = sample(10);
        let mut out = src.clone();
        assert_eq!(strip(&mut out).unwrap(), 2);
        assert_eq!(out.len(), src.len());
        assert!(!contains(&out, b"udta") && !contains(&out, b"meta"));
        assert!(contains(&out, b"mvhd"));
        // The media data is untouched, at the same offset.
        assert_eq!(&out[out.len() - 4000..], &src[src.len() - 4000..]);
        assert_eq!(duration_seconds(&out).unwrap(), 10.0);
    }

    #[test]
    fn damaged_files_are_refused() {
        let mut v = sample(5);
        v[3] = 0xFF; // ftyp claims more bytes than exist
        assert!(strip(&mut v).is_err());
        assert!(duration_seconds(b"not a video").is_err());
    }
}
