//! The request headers of tus 1.0 (resumable upload), parsed in one place: the server reads them
//! from every upload, and the fuzzers in `fuzz/` throw arbitrary text at the same functions.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::FieldError;

/// Most `key value` pairs an `Upload-Metadata` header may carry (Qala's clients send four).
pub const MAX_METADATA_PAIRS: usize = 16;

/// `Upload-Metadata`: comma-separated `key base64(value)` pairs; a key alone has an empty value.
pub fn metadata(raw: &str) -> Result<Vec<(String, String)>, FieldError> {
    let bad = |m: String| FieldError::new("Upload-Metadata", m);
    let mut out = Vec::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if out.len() == MAX_METADATA_PAIRS {
            return Err(bad(format!("at most {MAX_METADATA_PAIRS} pairs")));
        }
        let (key, value) = match pair.split_once(' ') {
            Some((k, b64)) => {
                let bytes = STANDARD.decode(b64.trim()).map_err(|_| bad(format!("{k} is not base64")))?;
                (k, String::from_utf8(bytes).map_err(|_| bad(format!("{k} is not UTF-8")))?)
            }
            None => (pair, String::new()),
        };
        out.push((key.to_string(), value));
    }
    Ok(out)
}

/// `Upload-Checksum`: `sha256 <base64 digest>`; the digest's bytes.
pub fn checksum(raw: &str) -> Result<Vec<u8>, FieldError> {
    let bad = |m: &str| FieldError::new("Upload-Checksum", m);
    let (algo, digest) = raw.trim().split_once(' ').ok_or_else(|| bad("<algorithm> <base64>"))?;
    if !algo.eq_ignore_ascii_case("sha256") {
        return Err(bad("the only algorithm supported is sha256"));
    }
    let digest = STANDARD.decode(digest.trim()).map_err(|_| bad("the digest is not base64"))?;
    if digest.len() != 32 {
        return Err(bad("a sha256 digest has 32 bytes"));
    }
    Ok(digest)
}

/// `Upload-Length`, `Upload-Offset`: a non-negative integer.
pub fn integer(raw: &str) -> Option<u64> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let m = metadata("id MTIz, kind cGhvdG8=,empty").unwrap();
        assert_eq!(
            m,
            vec![("id".into(), "123".into()), ("kind".into(), "photo".into()), ("empty".into(), String::new())]
        );
        assert!(metadata("id !!!").is_err());
        assert!(metadata(&vec!["k"; MAX_METADATA_PAIRS + 1].join(",")).is_err());
        assert_eq!(checksum(&format!("sha256 {}", STANDARD.encode([7u8; 32]))).unwrap(), vec![7u8; 32]);
        assert!(checksum("md5 AAAA").is_err());
        assert!(checksum("sha256 AAAA").is_err(), "too short for sha256");
        assert_eq!(integer(" 42 "), Some(42));
        assert_eq!(integer("+1"), None);
        assert_eq!(integer("99999999999999999999999"), None);
    }
}
