//! Resumable media upload: tus 1.0 with the creation, checksum (sha256) and expiration extensions.
//!
//! Each chunk is staged as its own object (see `media::storage`) and then confirmed in the database
//! by moving the offset from where it was (compare-and-set): two instances, or two racing copies of
//! one request, cannot both confirm the same bytes, so no process needs a lock. A chunk that
//! breaks off mid-way keeps what arrived (unless it carried a checksum, which cannot be verified on
//! part of a chunk), so a phone on a bad network loses at most the unconfirmed tail. When the last
//! byte arrives the file is checked — real magic bytes, the kind declared, the whole-file sha256 if
//! declared — stripped of metadata (EXIF from photos, location boxes from videos), stored, and
//! filled into every report that declared it.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use qala_protocol::{ErrorBody, MediaKind, Role, VIDEO_MAX_BYTES, tus};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::extract::{ApiPath, Auth};
use crate::app::AppState;
use crate::domain::Principal;
use crate::domain::quota::{Charge, QuotaKind};
use crate::error::{AppError, AppResult};
use crate::media::ingest::{self, Declared};
use crate::media::storage::StagedPiece;
use crate::store::UploadRow;

pub const TUS_VERSION: &str = "1.0.0";
const TUS_EXTENSIONS: &str = "creation,checksum,expiration";
/// Unfinished uploads one account may have at once (a report has at most six files).
const MAX_OPEN_UPLOADS: u32 = 24;
/// The least a chunk other than the last may carry. A chunk costs an object and a database write
/// however small it is; without a floor, a 50 MB upload could be sent as 50 million of them.
pub const MIN_CHUNK: u64 = 64 * 1024;
/// The most of one PATCH held in memory: longer bodies are staged piece by piece as they arrive.
const PIECE: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/uploads", post(create).options(options))
        .route("/uploads/{id}", patch(append).head(offset).options(options).layer(DefaultBodyLimit::disable()))
}

fn h(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

fn v(value: impl ToString) -> HeaderValue {
    HeaderValue::from_str(&value.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// RFC 9110 date, as tus's Upload-Expires wants.
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Every tus response carries the protocol version; errors keep our JSON body.
fn tus(status: StatusCode, extra: Vec<(HeaderName, HeaderValue)>) -> Response {
    let mut resp = status.into_response();
    resp.headers_mut().insert(h("tus-resumable"), HeaderValue::from_static(TUS_VERSION));
    for (k, val) in extra {
        resp.headers_mut().insert(k, val);
    }
    resp
}

fn tus_error(e: AppError) -> Response {
    let mut resp = e.into_response();
    resp.headers_mut().insert(h("tus-resumable"), HeaderValue::from_static(TUS_VERSION));
    resp
}

fn require_tus(headers: &HeaderMap) -> AppResult<()> {
    match headers.get("tus-resumable").and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(AppError::PreconditionFailed(format!("send Tus-Resumable: {TUS_VERSION}"))),
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> AppResult<u64> {
    let raw = headers.get(name).ok_or_else(|| AppError::BadRequest(format!("missing {name} header")))?;
    raw.to_str()
        .ok()
        .and_then(tus::integer)
        .ok_or_else(|| AppError::BadRequest(format!("{name} must be a non-negative integer")))
}

/// tus Upload-Metadata (parsed by the protocol's one parser).
fn metadata(headers: &HeaderMap) -> AppResult<Vec<(String, String)>> {
    let Some(raw) = headers.get("upload-metadata") else { return Ok(vec![]) };
    let raw = raw.to_str().map_err(|_| AppError::BadRequest("Upload-Metadata is not ASCII".into()))?;
    tus::metadata(raw).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// `OPTIONS`: what this server speaks.
#[utoipa::path(options, path = "/api/v1/uploads", tag = "uploads", responses((status = 204, description = "tus capabilities")))]
pub async fn options() -> Response {
    tus(
        StatusCode::NO_CONTENT,
        vec![
            (h("tus-version"), HeaderValue::from_static(TUS_VERSION)),
            (h("tus-extension"), HeaderValue::from_static(TUS_EXTENSIONS)),
            (h("tus-max-size"), v(VIDEO_MAX_BYTES)),
            (h("tus-checksum-algorithm"), HeaderValue::from_static("sha256")),
        ],
    )
}

/// `POST`: creates an upload. Metadata: `id` (the media id the report declares, UUID), `kind`
/// (`photo`|`video`, or inferred from `filetype`), optional `sha256` (hex) of the whole file.
/// Creating the same id again returns the same upload, so a lost response costs nothing.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "uploads", security(("bearer" = [])),
    params(
        ("Tus-Resumable" = String, Header, description = "1.0.0"),
        ("Upload-Length" = u64, Header, description = "size of the whole file in bytes"),
        ("Upload-Metadata" = String, Header, description = "id, kind, sha256, filetype (base64 values)")),
    responses((status = 201, description = "created; see Location"), (status = 409, body = ErrorBody),
        (status = 412, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody,
            description = "too many open uploads, or the daily media quota is used up (see Retry-After)")))]
pub async fn create(State(st): State<AppState>, auth: Result<Auth, AppError>, headers: HeaderMap) -> Response {
    match create_inner(&st, auth, &headers).await {
        Ok(r) => r,
        Err(e) => tus_error(e),
    }
}

async fn create_inner(st: &AppState, auth: Result<Auth, AppError>, headers: &HeaderMap) -> AppResult<Response> {
    let Auth(p) = auth?;
    require_tus(headers)?;
    if headers.contains_key("upload-defer-length") {
        return Err(AppError::BadRequest("Upload-Defer-Length is not supported; send Upload-Length".into()));
    }
    let length = header_u64(headers, "upload-length")?;
    let meta = metadata(headers)?;
    let get = |k: &str| meta.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let id = match get("id") {
        Some(s) => Uuid::parse_str(s).map_err(|_| AppError::validation("metadata.id", "must be a UUID"))?,
        None => return Err(AppError::validation("metadata.id", "declare the media id the report refers to")),
    };
    let kind = match (get("kind"), get("filetype")) {
        (Some(k), _) => MediaKind::parse(k).ok_or_else(|| AppError::validation("metadata.kind", "photo or video"))?,
        (None, Some(t)) if t.starts_with("image/") => MediaKind::Photo,
        (None, Some(t)) if t.starts_with("video/") => MediaKind::Video,
        _ => return Err(AppError::validation("metadata.kind", "declare kind (photo or video)")),
    };
    let sha256 = get("sha256").map(str::to_ascii_lowercase);
    if let Some(s) = &sha256
        && (s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(AppError::validation("metadata.sha256", "64 hex digits"));
    }
    if length == 0 {
        return Err(AppError::validation("Upload-Length", "an empty file is not a photo or video"));
    }
    if length > kind.max_bytes() {
        return Err(AppError::PayloadTooLarge(format!(
            "a {} may be at most {} MB",
            kind.as_str(),
            kind.max_bytes() / (1024 * 1024)
        )));
    }
    let location = format!("{}/uploads/{id}", qala_protocol::API_PREFIX);
    let now = Utc::now();
    // Already finished (the response to the last chunk was lost): same upload, complete.
    if let Some(m) = st.store.media(id).await? {
        if m.owner != p.user_id {
            return Err(AppError::Conflict("this media id is taken".into()));
        }
        return Ok(tus(StatusCode::CREATED, vec![(header::LOCATION, v(&location))]));
    }
    // An id a report already declares may only be uploaded by whoever can fill it: the report's
    // author for its photos, staff for an answer's photo report. Nobody can squat another's id.
    for link in st.store.media_links(id).await? {
        let allowed = if link.in_answer { p.acts_for(&link.agency) } else { link.report_owner == p.user_id };
        if !allowed {
            return Err(AppError::Conflict("this media id belongs to someone else's report".into()));
        }
    }
    // A few unfinished uploads per account at a time: parked half-uploads cost disk and, when
    // finished together, memory.
    if st.store.upload(id).await?.is_none() && st.store.open_uploads(p.user_id).await? >= MAX_OPEN_UPLOADS {
        return Err(AppError::RateLimited { retry_after_s: 60 });
    }
    // An upload of mine that expired (say, a phone offline for days) starts over under the same id.
    if let Some(old) = st.store.upload(id).await?
        && old.owner == p.user_id
        && old.expires_at < now
        && st.store.upload_delete_expired(id, now).await?
    {
        st.media.discard_staging_before(id, Some(now)).await?;
    }
    let row =
        UploadRow { id, owner: p.user_id, kind, length, offset: 0, sha256, expires_at: now + st.settings.upload_ttl };
    // A resident's new upload counts against the daily media quota with every byte it declares,
    // before any byte is accepted (over it: 429 with Retry-After). Staff are exempt.
    let quota = (p.role == Role::Resident)
        .then(|| Charge::new(p.user_id, QuotaKind::MediaBytes, length, st.settings.quotas.media_bytes_per_day, now));
    let row = st.store.upload_create(&row, now, quota.as_ref()).await?;
    Ok(tus(
        StatusCode::CREATED,
        vec![(header::LOCATION, v(&location)), (h("upload-expires"), v(http_date(row.expires_at)))],
    ))
}

/// An upload of this principal, or 404 (someone else's uploads do not exist for you).
async fn own_upload(st: &AppState, p: &Principal, id: Uuid) -> AppResult<Option<UploadRow>> {
    match st.store.upload(id).await? {
        Some(u) if u.owner == p.user_id => {
            if u.expires_at < Utc::now() {
                Err(AppError::Gone("this upload expired; start a new one".into()))
            } else {
                Ok(Some(u))
            }
        }
        Some(_) => Err(AppError::NotFound("no such upload".into())),
        None => Ok(None),
    }
}

/// `HEAD`: how many bytes the server has. Resume from there.
#[utoipa::path(head, path = "/api/v1/uploads/{id}", tag = "uploads", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "media id")),
    responses((status = 200, description = "Upload-Offset and Upload-Length headers"), (status = 404), (status = 410),
        (status = 412, description = "no Tus-Resumable: 1.0.0")))]
pub async fn offset(State(st): State<AppState>, auth: Result<Auth, AppError>, ApiPath(id): ApiPath<Uuid>) -> Response {
    let result = async {
        let Auth(p) = auth?;
        if let Some(u) = own_upload(&st, &p, id).await? {
            // Resuming: the staged chunks must hold every confirmed byte. If some were lost (a
            // store wiped, a crash between staging and cleanup), never let the gap be filled with
            // other bytes: the upload starts over. Checked here, once per resume, and not on
            // every PATCH, so that a chunk's cost does not grow with the chunks before it.
            if !st.media.staged_up_to(id, u.offset).await? {
                st.store.upload_delete(id).await?;
                st.media.discard_staging(id).await?;
                return Err(AppError::Gone("the upload's data was lost; start it again".into()));
            }
            if u.offset == u.length {
                // Every byte was confirmed but finishing broke off (a crash, a lost instance):
                // finish now, so "all bytes are here" never means "nothing was stored".
                finish(&st, &p, &u).await?;
            }
            return Ok(tus(
                StatusCode::OK,
                vec![
                    (h("upload-offset"), v(u.offset)),
                    (h("upload-length"), v(u.length)),
                    (h("upload-expires"), v(http_date(u.expires_at))),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            ));
        }
        match st.store.media(id).await? {
            Some(m) if m.owner == p.user_id => Ok(tus(
                StatusCode::OK,
                vec![
                    (h("upload-offset"), v(m.upload_length)),
                    (h("upload-length"), v(m.upload_length)),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            )),
            _ => Err(AppError::NotFound("no such upload".into())),
        }
    }
    .await;
    // HEAD responses carry no body; the status and headers say it all.
    result.unwrap_or_else(|e: AppError| {
        tus(e.status(), vec![(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))])
    })
}

/// The checksum a PATCH declares: tus sends `sha256 <base64 digest>`.
fn declared_checksum(headers: &HeaderMap) -> AppResult<Option<Vec<u8>>> {
    let Some(raw) = headers.get("upload-checksum") else { return Ok(None) };
    let raw = raw.to_str().map_err(|_| AppError::BadRequest("Upload-Checksum is not ASCII".into()))?;
    tus::checksum(raw).map(Some).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// `PATCH`: appends bytes at `Upload-Offset`.
#[utoipa::path(patch, path = "/api/v1/uploads/{id}", tag = "uploads", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "media id"),
        ("Upload-Offset" = u64, Header, description = "must equal the server's offset"),
        ("Upload-Checksum" = Option<String>, Header, description = "sha256 <base64> of this chunk")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = 204, description = "new Upload-Offset"), (status = 409, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 412, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 460, body = ErrorBody, description = "checksum mismatch: the chunk was discarded")))]
pub async fn append(
    State(st): State<AppState>,
    auth: Result<Auth, AppError>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match append_inner(&st, auth, id, &headers, body).await {
        Ok(r) => r,
        Err(e) => tus_error(e),
    }
}

async fn append_inner(
    st: &AppState,
    auth: Result<Auth, AppError>,
    id: Uuid,
    headers: &HeaderMap,
    body: Body,
) -> AppResult<Response> {
    let Auth(p) = auth?;
    require_tus(headers)?;
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if ct != "application/offset+octet-stream" {
        return Err(AppError::UnsupportedMedia("PATCH needs Content-Type: application/offset+octet-stream".into()));
    }
    let client_offset = header_u64(headers, "upload-offset")?;
    let checksum = declared_checksum(headers)?;
    let Some(upload) = own_upload(st, &p, id).await? else {
        return match st.store.media(id).await? {
            Some(m) if m.owner == p.user_id => Err(AppError::Conflict("this upload is already complete".into())),
            _ => Err(AppError::NotFound("no such upload".into())),
        };
    };
    if client_offset != upload.offset {
        return Err(AppError::Conflict(format!("Upload-Offset is {}, not {client_offset}", upload.offset)));
    }
    let start = upload.offset;
    if start == upload.length {
        // All bytes were confirmed before, but finishing broke off: finish now.
        finish(st, &p, &upload).await?;
        return Ok(tus(StatusCode::NO_CONTENT, vec![(h("upload-offset"), v(start))]));
    }
    // A chunk must be worth its cost: every chunk is an object to stage and a database write, so
    // all but the last must carry at least MIN_CHUNK bytes (tus clients send far more).
    let room = upload.length - start;
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|s| s.parse::<u64>().ok());
    if let Some(n) = declared {
        if n > room {
            return Err(AppError::PayloadTooLarge(format!("more bytes than Upload-Length ({})", upload.length)));
        }
        if n > 0 && n < MIN_CHUNK && n < room {
            return Err(small_chunk());
        }
    }
    let expires = Utc::now() + st.settings.upload_ttl;
    let mut pieces = Pieces { st, id, end: start, staged: Vec::new(), confirm_each: checksum.is_none(), expires };
    let mut buf = bytes::BytesMut::new();
    let mut hasher = Sha256::new();
    let mut stream = body.into_data_stream();
    let mut broken = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => {
                if pieces.end - start + (buf.len() + bytes.len()) as u64 > room {
                    pieces.abandon().await?;
                    return Err(AppError::PayloadTooLarge(format!(
                        "more bytes than Upload-Length ({})",
                        upload.length
                    )));
                }
                if checksum.is_some() {
                    hasher.update(&bytes);
                }
                buf.extend_from_slice(&bytes);
                // Memory per request stays at one piece: full pieces go to staging at once.
                while buf.len() >= PIECE {
                    pieces.stage(buf.split_to(PIECE).freeze()).await?;
                }
            }
            Err(e) => {
                broken = Some(e);
                break;
            }
        }
    }
    let received = pieces.end - start + buf.len() as u64;
    let reaches_end = start + received == upload.length;
    if let Some(expected) = &checksum {
        // A checksummed chunk is all or nothing: a partial one cannot be verified.
        if broken.is_some() || hasher.finalize().as_slice() != expected.as_slice() {
            pieces.abandon().await?;
            if let Some(e) = broken {
                return Err(AppError::BadRequest(format!("the chunk broke off: {e}")));
            }
            return Err(AppError::ChecksumMismatch("the chunk was discarded; send it again".into()));
        }
        if received > 0 && received < MIN_CHUNK && !reaches_end {
            pieces.abandon().await?;
            return Err(small_chunk());
        }
        if !buf.is_empty() {
            pieces.stage(buf.freeze()).await?;
        }
        pieces.confirm(start).await?;
    } else if !buf.is_empty() {
        // The tail is kept if it ends the file or the chunk as a whole was big enough. A
        // connection that broke off keeps what arrived, less a small tail to send again.
        if reaches_end || received >= MIN_CHUNK {
            pieces.stage(buf.freeze()).await?;
        } else if broken.is_none() {
            return Err(small_chunk());
        }
    }
    let end = pieces.end;
    if end == upload.length {
        finish(st, &p, &upload).await?;
    }
    if let Some(e) = broken {
        tracing::info!(%id, kept = end, error = %e, "upload chunk broke off; kept what arrived");
        return Err(AppError::BadRequest(format!(
            "the chunk broke off after {} bytes; resume from {end}",
            end - start
        )));
    }
    Ok(tus(StatusCode::NO_CONTENT, vec![(h("upload-offset"), v(end)), (h("upload-expires"), v(http_date(expires)))]))
}

fn small_chunk() -> AppError {
    AppError::BadRequest(format!("each chunk but the last must carry at least {MIN_CHUNK} bytes"))
}

/// The pieces of one PATCH as they are staged: each piece is confirmed at once (a chunk without a
/// checksum keeps whatever arrived), or all together at the end (a checksummed chunk is all or
/// nothing). Confirming moves the offset by compare-and-set, as described at the top.
struct Pieces<'a> {
    st: &'a AppState,
    id: Uuid,
    /// How far the chunk is staged.
    end: u64,
    /// Staged but not yet confirmed: where each begins, and the piece.
    staged: Vec<(u64, StagedPiece)>,
    confirm_each: bool,
    expires: DateTime<Utc>,
}

impl Pieces<'_> {
    async fn stage(&mut self, piece: Bytes) -> AppResult<()> {
        let (from, to) = (self.end, self.end + piece.len() as u64);
        let staged = self.st.media.stage(self.id, from, piece).await?;
        self.staged.push((from, staged));
        self.end = to;
        if self.confirm_each {
            self.confirm(from).await?;
        }
        Ok(())
    }

    /// Moves the confirmed offset from `from` to the staged end.
    async fn confirm(&mut self, from: u64) -> AppResult<()> {
        if self.end == from {
            return Ok(());
        }
        if !self.st.store.upload_advance(self.id, from, self.end, self.expires).await? {
            // Someone else confirmed these bytes first (their chunks stay), or the upload was
            // swept meanwhile (then nobody needs these).
            let swept = self.st.store.upload(self.id).await?.is_none();
            let mine = std::mem::take(&mut self.staged);
            if swept {
                for (_, piece) in mine {
                    self.st.media.unstage(&piece).await?;
                }
            }
            return Err(AppError::Conflict("the upload moved on concurrently".into()));
        }
        self.staged.clear();
        Ok(())
    }

    /// Removes what was staged and not confirmed; the offset stays where it was.
    async fn abandon(&mut self) -> AppResult<()> {
        let unconfirmed = std::mem::take(&mut self.staged);
        if let Some((first, _)) = unconfirmed.first() {
            self.end = *first;
        }
        for (_, piece) in unconfirmed {
            self.st.media.unstage(&piece).await?;
        }
        Ok(())
    }
}

/// The last byte arrived: the file goes through the ingest pipeline (`media::ingest`) and is
/// filled into reports. A file that fails a check is dropped entirely — nothing of it is kept.
async fn finish(st: &AppState, p: &Principal, upload: &UploadRow) -> AppResult<()> {
    let permit = st.finishing.reserve(Some(upload.kind), upload.length).await?;
    let declared = Declared { kind: upload.kind, length: upload.length, sha256: upload.sha256.clone() };
    let prepared = match st.media.assemble(upload.id, upload.length).await {
        Ok(data) => ingest::prepare(permit, Some(declared), data).await,
        Err(e) => Err(e),
    };
    let file = match prepared {
        Ok(file) => file,
        Err(e) => {
            st.store.upload_delete(upload.id).await?;
            st.media.discard_staging(upload.id).await?;
            return Err(e);
        }
    };
    // A failure to keep it is the server's: the upload stays, to be finished again.
    ingest::keep(st, p, upload.id, file).await?;
    st.media.discard_staging(upload.id).await?;
    Ok(())
}
