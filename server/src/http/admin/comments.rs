//! Moderation of residents' comments on projects.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use qala_protocol::{ErrorBody, HideCommentRequest, ModerationItem};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::extract::{ApiJson, ApiPath};
use crate::service::access::Admin;
use crate::service::comments;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/comments", get(comments_for_review))
        .route("/admin/comments/{id}/hide", post(comment_hide))
        .route("/admin/comments/{id}/restore", post(comment_restore))
}

/// Comments hidden or flagged, waiting for a moderator's decision first.
#[utoipa::path(get, path = "/api/v1/admin/comments", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<ModerationItem>), (status = 403, body = ErrorBody)))]
pub async fn comments_for_review(State(st): State<AppState>, admin: Admin) -> AppResult<Json<Vec<ModerationItem>>> {
    Ok(Json(comments::for_review(&st, &admin).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/comments/{id}/hide", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "comment id")), request_body = HideCommentRequest,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn comment_hide(
    State(st): State<AppState>,
    admin: Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<HideCommentRequest>,
) -> AppResult<StatusCode> {
    comments::hide(&st, &admin, id, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shows a hidden comment again, or keeps a flagged one.
#[utoipa::path(post, path = "/api/v1/admin/comments/{id}/restore", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "comment id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn comment_restore(
    State(st): State<AppState>,
    admin: Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    comments::restore(&st, &admin, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
