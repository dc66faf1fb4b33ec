//! City projects: administrators open them for discussion and report their progress.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use qala_protocol::{Created, ErrorBody, Project, ProjectInput};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::extract::{ApiJson, ApiPath};
use crate::service::access::Admin;
use crate::service::projects;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/projects", get(projects_list).post(project_create))
        .route("/admin/projects/{id}", put(project_update).delete(project_delete))
}

#[utoipa::path(get, path = "/api/v1/admin/projects", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<Project>), (status = 403, body = ErrorBody)))]
pub async fn projects_list(State(st): State<AppState>, admin: Admin) -> AppResult<Json<Vec<Project>>> {
    Ok(Json(projects::list(&st, &admin).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/projects", tag = "admin", security(("bearer" = [])), request_body = ProjectInput,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn project_create(
    State(st): State<AppState>,
    admin: Admin,
    ApiJson(p): ApiJson<ProjectInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = projects::create(&st, &admin, p).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(put, path = "/api/v1/admin/projects/{id}", tag = "admin", security(("bearer" = [])), request_body = ProjectInput,
    params(("id" = Uuid, Path, description = "project id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn project_update(
    State(st): State<AppState>,
    admin: Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(p): ApiJson<ProjectInput>,
) -> AppResult<StatusCode> {
    projects::update(&st, &admin, id, p).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/admin/projects/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "project id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn project_delete(
    State(st): State<AppState>,
    admin: Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    projects::delete(&st, &admin, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
