//! MP4/QuickTime: the duration from the container, and location and other user metadata removed
//! without re-encoding. The `udta` and `meta` boxes inside `moov`
//! (where `©xyz` and the QuickTime location keys live) are renamed to `free`: their bytes become
//! padding that every player skips, and no offset in the file moves.
//!
//! The bytes come from outside, so the walk over nested boxes is iterative with an explicit stack
//! whose depth is capped: a file of boxes nested thousands deep (each of size 0, "to the end") is
//! refused instead of overflowing the thread's stack. Every box is visited at most once, so the
//! work is linear in the file's length.

use crate::Malformed;

/// How deep container boxes may nest. Real files go moov/trak/mdia/minf/stbl (five levels); the
/// cap leaves room for unusual but legitimate layouts.
pub const MAX_DEPTH: usize = 16;

/// One box: where its header starts, where its content starts and ends, its type.
#[derive(Clone, Copy)]
struct Mp4Box {
    start: usize,
    body: usize,
    end: usize,
    kind: [u8; 4],
}

fn damaged() -> Malformed {
    Malformed::new("the video file is damaged")
}

/// The box whose header starts at `pos`, inside a parent that ends at `to`; `None` when fewer than
/// 8 bytes are left (trailing padding).
fn box_at(data: &[u8], pos: usize, to: usize) -> Result<Option<Mp4Box>, Malformed> {
    let Some(head) = data.get(pos..pos.checked_add(8).ok_or_else(damaged)?).filter(|_| pos + 8 <= to) else {
        return Ok(None);
    };
    let size32 = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
    let kind = [head[4], head[5], head[6], head[7]];
    let (size, header) = match size32 {
        0 => ((to - pos) as u64, 8),
        1 => {
            let b = data.get(pos + 8..pos + 16).filter(|_| pos + 16 <= to).ok_or_else(damaged)?;
            (u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]), 16)
        }
        n => (n, 8),
    };
    let end = usize::try_from(size).ok().and_then(|s| pos.checked_add(s)).ok_or_else(damaged)?;
    if size < header as u64 || end > to {
        return Err(damaged());
    }
    Ok(Some(Mp4Box { start: pos, body: pos + header, end, kind }))
}

/// The direct children of `from..to`, in order.
fn children(data: &[u8], from: usize, to: usize) -> impl Iterator<Item = Result<Mp4Box, Malformed>> + '_ {
    let mut pos = Some(from);
    std::iter::from_fn(move || {
        let at = pos?;
        match box_at(data, at, to) {
            Ok(Some(b)) => {
                pos = Some(b.end);
                Some(Ok(b))
            }
            Ok(None) => {
                pos = None;
                None
            }
            Err(e) => {
                pos = None;
                Some(Err(e))
            }
        }
    })
}

fn find_child(data: &[u8], from: usize, to: usize, kind: &[u8; 4]) -> Result<Option<Mp4Box>, Malformed> {
    for b in children(data, from, to) {
        let b = b?;
        if &b.kind == kind {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// Duration in seconds from `moov/mvhd`.
pub fn duration_seconds(data: &[u8]) -> Result<f64, Malformed> {
    let missing = || Malformed::new("the video has no duration (not an MP4/QuickTime file?)");
    let moov = find_child(data, 0, data.len(), b"moov")?.ok_or_else(missing)?;
    let mvhd = find_child(data, moov.body, moov.end, b"mvhd")?.ok_or_else(missing)?;
    let body = &data[mvhd.body..mvhd.end];
    let be32 = |o: usize| body.get(o..o + 4).map(|b| f64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])));
    let (timescale, duration) = match body.first() {
        Some(0) => (be32(12), be32(16)),
        Some(1) => (
            be32(20),
            body.get(24..32).map(|b| u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f64),
        ),
        _ => (None, None),
    };
    match (timescale, duration) {
        (Some(t), Some(d)) if t > 0.0 => Ok(d / t),
        _ => Err(missing()),
    }
}

/// Containers whose children may hold `udta`/`meta`.
fn is_container(kind: &[u8; 4]) -> bool {
    matches!(kind, b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"edts")
}

/// Blanks every `udta`/`meta` box under `moov` (at any depth of moov/trak/mdia/minf) to `free`;
/// returns how many. The file keeps its length.
pub fn strip(data: &mut [u8]) -> Result<usize, Malformed> {
    // First find every box to blank (reading only), then rename them: the walk never reads a box
    // it has already changed.
    let mut to_blank = Vec::new();
    // Each entry: the next position to read in a container, and where that container ends.
    let mut stack: Vec<(usize, usize)> = vec![(0, data.len())];
    while let Some(&(pos, to)) = stack.last() {
        let Some(b) = box_at(data, pos, to)? else {
            stack.pop();
            continue;
        };
        if let Some(top) = stack.last_mut() {
            top.0 = b.end;
        }
        match &b.kind {
            b"udta" | b"meta" => to_blank.push(b.start),
            k if is_container(k) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Malformed::new("the video file nests its boxes too deeply"));
                }
                stack.push((b.body, b.end));
            }
            _ => {}
        }
    }
    for start in &to_blank {
        data[start + 4..start + 8].copy_from_slice(b"free");
    }
    Ok(to_blank.len())
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

    /// A "video" of `n` nested `moov` headers of size 0 ("to the end"): 8 bytes per level.
    pub(crate) fn nested_moov(n: usize) -> Vec<u8> {
        let mut v = mp4_box(b"ftyp", b"isom\0\0\0\0isom");
        for _ in 0..n {
            v.extend_from_slice(b"\0\0\0\0moov");
        }
        v
    }

    #[test]
    fn deeply_nested_boxes_are_refused_not_a_stack_overflow() {
        // Run on a small stack, as a worker thread has: the old recursive walk overflowed it.
        let handle = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let mut v = nested_moov(200_000);
                let err = strip(&mut v).unwrap_err();
                assert!(err.0.contains("too deeply"), "{err}");
                assert!(duration_seconds(&v).is_err());
                // Nesting within the cap is fine.
                let mut ok = nested_moov(MAX_DEPTH - 1);
                assert_eq!(strip(&mut ok).unwrap(), 0);
            })
            .unwrap();
        handle.join().expect("no stack overflow");
    }

    #[test]
    fn a_64_bit_size_beyond_the_file_is_damage() {
        let mut v = mp4_box(b"ftyp", b"isom\0\0\0\0isom");
        v.extend_from_slice(b"\0\0\0\x01moov\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xF0");
        assert!(strip(&mut v).is_err());
        let mut v = mp4_box(b"ftyp", b"isom\0\0\0\0isom");
        v.extend_from_slice(b"\0\0\0\x01moov\0\0"); // truncated 64-bit size
        assert!(strip(&mut v).is_err());
    }
}
