//! Fetching a stored media file — only for those allowed to see it.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use qala_protocol::ErrorBody;
use uuid::Uuid;

use super::extract::Auth;
use crate::app::AppState;
use crate::domain::Principal;
use crate::error::{AppError, AppResult};
use crate::media::access::may_view;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{id}", get(fetch))
}

#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "media", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "media id")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn fetch(State(st): State<AppState>, Auth(p): Auth, Path(id): Path<Uuid>) -> AppResult<Response> {
    serve_media(&st, &p, id).await
}

/// The file, if `p` may see it (otherwise "not found", so ids reveal nothing); the console
/// serves media through here too.
pub async fn serve_media(st: &AppState, p: &Principal, id: Uuid) -> AppResult<Response> {
    let not_found = || AppError::NotFound("no such media".into());
    let media = st.store.media(id).await?.ok_or_else(not_found)?;
    let links = st.store.media_links(id).await?;
    if !may_view(p, &media, &links) {
        return Err(not_found());
    }
    let bytes = st.media.get(id).await?;
    let mut resp = bytes.into_response();
    let headers = resp.headers_mut();
    if let Ok(ct) = HeaderValue::from_str(&media.content_type) {
        headers.insert(header::CONTENT_TYPE, ct);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", media.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    Ok(resp)
}
