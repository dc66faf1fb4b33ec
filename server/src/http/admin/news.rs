//! City news: administrators write, publish and withdraw items.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use qala_protocol::{AdminNews, Created, ErrorBody, NewsInput};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::extract::{ApiJson, ApiPath};
use crate::service::access::Admin;
use crate::service::news;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/news", get(news_list).post(news_create))
        .route("/admin/news/{id}", put(news_update).delete(news_delete))
}

#[utoipa::path(get, path = "/api/v1/admin/news", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<AdminNews>), (status = 403, body = ErrorBody)))]
pub async fn news_list(State(st): State<AppState>, admin: Admin) -> AppResult<Json<Vec<AdminNews>>> {
    Ok(Json(news::list(&st, &admin).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/news", tag = "admin", security(("bearer" = [])), request_body = NewsInput,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn news_create(
    State(st): State<AppState>,
    admin: Admin,
    ApiJson(n): ApiJson<NewsInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = news::create(&st, &admin, n).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(put, path = "/api/v1/admin/news/{id}", tag = "admin", security(("bearer" = [])), request_body = NewsInput,
    params(("id" = Uuid, Path, description = "news id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn news_update(
    State(st): State<AppState>,
    admin: Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(n): ApiJson<NewsInput>,
) -> AppResult<StatusCode> {
    news::update(&st, &admin, id, n).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/admin/news/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "news id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn news_delete(
    State(st): State<AppState>,
    admin: Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    news::delete(&st, &admin, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
