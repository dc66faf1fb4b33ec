//! Serving a stored media file to whoever may see it, for every front end (the API's
//! `/media/{id}`, the console's `/console/media/{id}`): streamed from storage piece by piece, with
//! one HTTP `Range` (a video player seeks with it).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::Principal;
use crate::error::{AppError, AppResult};
use crate::media::access::may_view;

/// The file, if `p` may see it (otherwise "not found", so ids reveal nothing).
pub async fn serve_media(st: &AppState, p: &Principal, id: Uuid, headers: &HeaderMap) -> AppResult<Response> {
    let not_found = || AppError::NotFound("no such media".into());
    let media = st.store.media(id).await?.ok_or_else(not_found)?;
    let links = st.store.media_links(id).await?;
    if !may_view(p, &media, &links) {
        return Err(not_found());
    }
    let size = media.size;
    let wanted = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).map(|r| byte_range(r, size));
    let (status, range) = match wanted {
        // A range we do not serve (several ranges, another unit): the whole file, as RFC 9110 allows.
        None | Some(Ranged::Ignore) => (StatusCode::OK, None),
        Some(Ranged::Range(r)) => (StatusCode::PARTIAL_CONTENT, Some(r)),
        Some(Ranged::Unsatisfiable) => {
            let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(resp);
        }
    };
    let stream = st.media.stream(id, range.clone()).await?;
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    if let Ok(ct) = HeaderValue::from_str(&media.content_type) {
        headers.insert(header::CONTENT_TYPE, ct);
    }
    let length = range.as_ref().map_or(size, |r| r.end - r.start);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(r) = &range
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{size}", r.start, r.end - 1))
    {
        headers.insert(header::CONTENT_RANGE, v);
    }
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", media.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    Ok(resp)
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Ranged {
    /// The bytes `start..end` (end exclusive, within the file).
    Range(std::ops::Range<u64>),
    /// Not a single byte range: serve the whole file.
    Ignore,
    /// A range that lies outside the file: 416.
    Unsatisfiable,
}

/// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` (RFC 9110 §14.1.2). Anything else, including a
/// list of ranges, is ignored rather than refused.
pub fn byte_range(header: &str, size: u64) -> Ranged {
    let Some(spec) = header.trim().strip_prefix("bytes=") else { return Ranged::Ignore };
    if spec.contains(',') {
        return Ranged::Ignore;
    }
    let Some((a, b)) = spec.trim().split_once('-') else { return Ranged::Ignore };
    let num = |s: &str| -> Option<Option<u64>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else if s.len() <= 20 && s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok().map(Some)
        } else {
            None
        }
    };
    let (Some(a), Some(b)) = (num(a), num(b)) else { return Ranged::Ignore };
    let range = match (a, b) {
        (Some(first), Some(last)) if first <= last => first..last.saturating_add(1).min(size),
        (Some(_), Some(_)) => return Ranged::Ignore,
        (Some(first), None) => first..size,
        (None, Some(suffix)) if suffix > 0 => size.saturating_sub(suffix)..size,
        (None, Some(_)) => return Ranged::Unsatisfiable,
        (None, None) => return Ranged::Ignore,
    };
    if range.start >= size { Ranged::Unsatisfiable } else { Ranged::Range(range) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(byte_range("bytes=0-99", 1000), Ranged::Range(0..100));
        assert_eq!(byte_range("bytes=900-", 1000), Ranged::Range(900..1000));
        assert_eq!(byte_range("bytes=-100", 1000), Ranged::Range(900..1000));
        assert_eq!(byte_range("bytes=-5000", 1000), Ranged::Range(0..1000));
        assert_eq!(byte_range("bytes=990-5000", 1000), Ranged::Range(990..1000));
        assert_eq!(byte_range("bytes=1000-", 1000), Ranged::Unsatisfiable);
        assert_eq!(byte_range("bytes=-0", 1000), Ranged::Unsatisfiable);
        assert_eq!(byte_range("bytes=0-1,5-6", 1000), Ranged::Ignore);
        assert_eq!(byte_range("items=0-1", 1000), Ranged::Ignore);
        assert_eq!(byte_range("bytes=5-1", 1000), Ranged::Ignore);
        assert_eq!(byte_range("bytes=99999999999999999999999-", 1000), Ranged::Ignore);
        assert_eq!(byte_range("bytes=0-18446744073709551615", 10), Ranged::Range(0..10));
    }
}
