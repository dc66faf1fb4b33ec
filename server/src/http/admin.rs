//! Administrators: news, city projects, comment moderation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Utc;
use qala_protocol::{
    AdminNews, Created, ErrorBody, HideCommentRequest, LocalizedText, NewsInput, Project, ProjectInput,
};
use uuid::Uuid;

use super::extract::{Admin, ApiJson, ApiPath};
use crate::app::AppState;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/news", get(news_list).post(news_create))
        .route("/admin/news/{id}", put(news_update).delete(news_delete))
        .route("/admin/projects", get(projects_list).post(project_create))
        .route("/admin/projects/{id}", put(project_update).delete(project_delete))
        .route("/admin/comments/{id}/hide", post(comment_hide))
}

pub fn localized(field: &str, t: &LocalizedText, max: usize) -> AppResult<()> {
    if t.is_blank() {
        return Err(AppError::validation(field, "give the text in at least one language"));
    }
    for (lang, text) in [("kk", &t.kk), ("ru", &t.ru), ("en", &t.en)] {
        qala_protocol::validate::text(text, &format!("{field}.{lang}"), max, false)?;
    }
    Ok(())
}

pub fn check_news(n: &NewsInput) -> AppResult<()> {
    localized("title", &n.title, 200)?;
    localized("body", &n.body, 20_000)
}

pub fn check_project(p: &ProjectInput) -> AppResult<()> {
    localized("title", &p.title, 200)?;
    localized("description", &p.description, 20_000)?;
    for (i, s) in p.stages.iter().enumerate() {
        localized(&format!("stages[{i}].title"), &s.title, 200)?;
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/admin/news", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<AdminNews>), (status = 403, body = ErrorBody)))]
pub async fn news_list(State(st): State<AppState>, _: Admin) -> AppResult<Json<Vec<AdminNews>>> {
    Ok(Json(st.store.news_all().await?))
}

#[utoipa::path(post, path = "/api/v1/admin/news", tag = "admin", security(("bearer" = [])), request_body = NewsInput,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn news_create(
    State(st): State<AppState>,
    _: Admin,
    ApiJson(n): ApiJson<NewsInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    check_news(&n)?;
    let id = Uuid::now_v7();
    st.store.put_news(id, &n, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(put, path = "/api/v1/admin/news/{id}", tag = "admin", security(("bearer" = [])), request_body = NewsInput,
    params(("id" = Uuid, Path, description = "news id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn news_update(
    State(st): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(n): ApiJson<NewsInput>,
) -> AppResult<StatusCode> {
    check_news(&n)?;
    if !st.store.news_all().await?.iter().any(|a| a.item.id == id) {
        return Err(AppError::NotFound("no such news".into()));
    }
    st.store.put_news(id, &n, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/admin/news/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "news id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn news_delete(State(st): State<AppState>, _: Admin, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    if st.store.delete_news(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("no such news".into()))
    }
}

#[utoipa::path(get, path = "/api/v1/admin/projects", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<Project>), (status = 403, body = ErrorBody)))]
pub async fn projects_list(State(st): State<AppState>, _: Admin) -> AppResult<Json<Vec<Project>>> {
    Ok(Json(st.store.projects_all().await?))
}

fn project_from(id: Uuid, input: ProjectInput, created_at: chrono::DateTime<Utc>) -> Project {
    Project {
        id,
        title: input.title,
        description: input.description,
        status: input.status,
        stages: input.stages,
        discussion_until: input.discussion_until,
        created_at,
    }
}

#[utoipa::path(post, path = "/api/v1/admin/projects", tag = "admin", security(("bearer" = [])), request_body = ProjectInput,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn project_create(
    State(st): State<AppState>,
    _: Admin,
    ApiJson(p): ApiJson<ProjectInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    check_project(&p)?;
    let id = Uuid::now_v7();
    st.store.put_project(&project_from(id, p, Utc::now())).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(put, path = "/api/v1/admin/projects/{id}", tag = "admin", security(("bearer" = [])), request_body = ProjectInput,
    params(("id" = Uuid, Path, description = "project id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn project_update(
    State(st): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(p): ApiJson<ProjectInput>,
) -> AppResult<StatusCode> {
    check_project(&p)?;
    let old = st.store.project(id).await?.ok_or_else(|| AppError::NotFound("no such project".into()))?;
    st.store.put_project(&project_from(id, p, old.created_at)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/admin/projects/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "project id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn project_delete(State(st): State<AppState>, _: Admin, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    if st.store.delete_project(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("no such project".into()))
    }
}

#[utoipa::path(post, path = "/api/v1/admin/comments/{id}/hide", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "comment id")), request_body = HideCommentRequest,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn comment_hide(
    State(st): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<HideCommentRequest>,
) -> AppResult<StatusCode> {
    qala_protocol::validate::text(&req.reason, "reason", 500, true)?;
    if st.store.hide_comment(id, req.reason.trim()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("no such comment".into()))
    }
}
