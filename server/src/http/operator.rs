//! The agency side: an operator sees and works the reports routed to the agency; an administrator
//! sees all agencies.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use qala_protocol::{
    AnswerRequest, AssignRequest, ErrorBody, NoteRequest, RedactRequest, RejectRequest, Report, ReportList,
    ReportQuery, RouteRequest,
};
use uuid::Uuid;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::app::AppState;
use crate::error::AppResult;
use crate::service::access::Staff;
use crate::service::reports;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/operator/reports", get(list))
        .route("/operator/reports/{id}", get(one))
        .route("/operator/reports/{id}/assign", post(assign))
        .route("/operator/reports/{id}/route", post(route))
        .route("/operator/reports/{id}/start", post(start))
        .route("/operator/reports/{id}/answer", post(answer))
        .route("/operator/reports/{id}/reject", post(reject))
        .route("/operator/reports/{id}/redact", post(redact))
}

#[utoipa::path(get, path = "/api/v1/operator/reports", tag = "operator", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, body = ReportList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> AppResult<Json<ReportList>> {
    let (items, total) = reports::list(&st, &staff, &q).await?;
    Ok(Json(ReportList { items, total }))
}

#[utoipa::path(get, path = "/api/v1/operator/reports/{id}", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = Report), (status = 404, body = ErrorBody)))]
pub async fn one(State(st): State<AppState>, staff: Staff, ApiPath(id): ApiPath<Uuid>) -> AppResult<Json<Report>> {
    Ok(Json(reports::get(&st, &staff, id).await?))
}

#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/assign", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = AssignRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn assign(
    State(st): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> AppResult<Json<Report>> {
    Ok(Json(reports::assign(&st, &staff, id, req).await?))
}

/// Hands the report to another agency (it came to the wrong one); the deadline stays.
#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/route", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = RouteRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn route(
    State(st): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RouteRequest>,
) -> AppResult<Json<Report>> {
    Ok(Json(reports::route(&st, &staff, id, req).await?))
}

#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/start", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = NoteRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn start(
    State(st): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NoteRequest>,
) -> AppResult<Json<Report>> {
    Ok(Json(reports::start(&st, &staff, id, req).await?))
}

/// Answers with text and a photo report. The media may be uploaded before or after; they fill in
/// as they arrive.
#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/answer", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = AnswerRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(st): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> AppResult<Json<Report>> {
    Ok(Json(reports::answer(&st, &staff, id, req).await?))
}

#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/reject", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = RejectRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(st): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> AppResult<Json<Report>> {
    Ok(Json(reports::reject(&st, &staff, id, req).await?))
}

/// Sets what the public sees of the report's description; the author and the agency keep the
/// original.
#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/redact", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = RedactRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn redact(
    State(st): State<AppState>,
    staff: Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RedactRequest>,
) -> AppResult<Json<Report>> {
    Ok(Json(reports::redact(&st, &staff, id, req).await?))
}
