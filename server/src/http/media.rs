//! Fetching a stored media file — only for those allowed to see it.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use qala_protocol::ErrorBody;
use uuid::Uuid;

use super::extract::{ApiPath, Auth};
use crate::app::AppState;
use crate::error::AppResult;
use crate::media::serve::serve_media;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{id}", get(fetch))
}

#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "media", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "media id"),
        ("Range" = Option<String>, Header, description = "one byte range, e.g. bytes=0-1023")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 206, description = "the range asked for", content_type = "application/octet-stream"),
        (status = 416, description = "the range lies outside the file"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn fetch(
    State(st): State<AppState>,
    Auth(p): Auth,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> AppResult<Response> {
    serve_media(&st, &p, id, &headers).await
}
