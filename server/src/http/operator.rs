//! The agency side: an operator sees and works the reports routed to the agency; an administrator
//! sees all agencies.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use qala_protocol::{
    AnswerRequest, AssignRequest, ErrorBody, MediaKind, MediaRef, MediaState, NOTE_MAX_CHARS, NoteRequest,
    RejectRequest, Report, ReportList, ReportQuery, Role, RouteRequest,
};
use uuid::Uuid;

use super::extract::{ApiJson, ApiPath, ApiQuery, Staff};
use crate::app::AppState;
use crate::domain::Principal;
use crate::domain::reports::{Action, RefusalKind, apply};
use crate::error::{AppError, AppResult};
use crate::store::MutateOutcome;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/operator/reports", get(list))
        .route("/operator/reports/{id}", get(one))
        .route("/operator/reports/{id}/assign", post(assign))
        .route("/operator/reports/{id}/route", post(route))
        .route("/operator/reports/{id}/start", post(start))
        .route("/operator/reports/{id}/answer", post(answer))
        .route("/operator/reports/{id}/reject", post(reject))
}

/// The agency whose reports this principal sees; `None` = all (administrators).
fn scope(p: &Principal) -> AppResult<Option<&str>> {
    match p.role {
        Role::Admin => Ok(None),
        Role::Operator => {
            p.agency.as_deref().map(Some).ok_or_else(|| AppError::Forbidden("operator without an agency".into()))
        }
        Role::Resident => Err(AppError::Forbidden("for agency staff only".into())),
    }
}

#[utoipa::path(get, path = "/api/v1/operator/reports", tag = "operator", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, body = ReportList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    Staff(p): Staff,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> AppResult<Json<ReportList>> {
    if q.limit.is_some_and(|l| l == 0 || l > 500) {
        return Err(AppError::validation("limit", "must be 1 to 500"));
    }
    let (items, total) = st.store.list_reports(scope(&p)?, &q, Utc::now()).await?;
    Ok(Json(ReportList { items, total }))
}

#[utoipa::path(get, path = "/api/v1/operator/reports/{id}", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = Report), (status = 404, body = ErrorBody)))]
pub async fn one(State(st): State<AppState>, Staff(p): Staff, ApiPath(id): ApiPath<Uuid>) -> AppResult<Json<Report>> {
    match st.store.report(id).await? {
        Some((r, _)) if p.acts_for(&r.agency) => Ok(Json(r)),
        _ => Err(AppError::NotFound("no such report".into())),
    }
}

fn note_ok(field: &str, text: &Option<String>) -> AppResult<()> {
    if let Some(t) = text {
        qala_protocol::validate::text(t, field, NOTE_MAX_CHARS, false)?;
    }
    Ok(())
}

/// Runs an action through the domain rules inside the store's transaction.
async fn act(st: &AppState, p: &Principal, id: Uuid, action: Action) -> AppResult<Json<Report>> {
    perform(st, p, id, action).await.map(Json)
}

/// Checks a routing request: a known agency, and a note within bounds.
pub fn route_action(st: &AppState, req: RouteRequest) -> AppResult<Action> {
    if st.catalog.get().agency(req.agency.trim()).is_none() {
        return Err(AppError::validation("agency", format!("no agency {:?}", req.agency)));
    }
    note_ok("note", &req.note)?;
    Ok(Action::Route { agency: req.agency.trim().to_string(), note: req.note })
}

/// Runs an action through the domain rules inside the store's transaction; the console uses it too.
pub async fn perform(st: &AppState, p: &Principal, id: Uuid, action: Action) -> AppResult<Report> {
    let now = Utc::now();
    let catalog = st.catalog.get();
    let rule = move |report: &mut Report, owner| {
        apply(report, owner, p, &action, now, &catalog.calendar, &|c| catalog.deadline_days(c))
    };
    match st.store.mutate_report(None, id, &rule).await? {
        MutateOutcome::Applied(r) => Ok(*r),
        MutateOutcome::NotFound | MutateOutcome::Duplicate => Err(AppError::NotFound("no such report".into())),
        MutateOutcome::Refused(r) => Err(match r.kind {
            RefusalKind::NotFound => AppError::NotFound(r.message),
            RefusalKind::Conflict => AppError::Conflict(r.message),
            RefusalKind::Invalid => AppError::Validation { field: None, message: r.message },
        }),
    }
}

#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/assign", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = AssignRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn assign(
    State(st): State<AppState>,
    Staff(p): Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> AppResult<Json<Report>> {
    qala_protocol::validate::text(&req.executor, "executor", 200, true)?;
    note_ok("note", &req.note)?;
    act(&st, &p, id, Action::Assign { executor: req.executor, note: req.note }).await
}

/// Hands the report to another agency (it came to the wrong one); the deadline stays.
#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/route", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = RouteRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn route(
    State(st): State<AppState>,
    Staff(p): Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RouteRequest>,
) -> AppResult<Json<Report>> {
    let action = route_action(&st, req)?;
    act(&st, &p, id, action).await
}

#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/start", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = NoteRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn start(
    State(st): State<AppState>,
    Staff(p): Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NoteRequest>,
) -> AppResult<Json<Report>> {
    note_ok("note", &req.note)?;
    act(&st, &p, id, Action::Start { note: req.note }).await
}

/// Answers with text and a photo report. The media may be uploaded before or after; they fill in
/// as they arrive.
#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/answer", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = AnswerRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(st): State<AppState>,
    Staff(p): Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> AppResult<Json<Report>> {
    qala_protocol::validate::text(&req.text, "text", NOTE_MAX_CHARS, true)?;
    if req.media.len() > qala_protocol::MAX_PHOTOS_PER_REPORT {
        return Err(AppError::validation("media", format!("at most {} files", qala_protocol::MAX_PHOTOS_PER_REPORT)));
    }
    let mut media = Vec::with_capacity(req.media.len());
    for mid in &req.media {
        let kind = match st.store.media(*mid).await? {
            Some(m) if m.owner_role != Role::Resident => m.kind,
            Some(_) => return Err(AppError::validation("media", "a photo report must be uploaded by staff")),
            None => MediaKind::Photo,
        };
        media.push(MediaRef {
            id: *mid,
            kind,
            state: MediaState::Pending,
            sha256: None,
            size: None,
            content_type: None,
        });
    }
    act(&st, &p, id, Action::Answer { text: req.text, media }).await
}

#[utoipa::path(post, path = "/api/v1/operator/reports/{id}/reject", tag = "operator", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")), request_body = RejectRequest,
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(st): State<AppState>,
    Staff(p): Staff,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> AppResult<Json<Report>> {
    qala_protocol::validate::text(&req.text, "text", NOTE_MAX_CHARS, true)?;
    act(&st, &p, id, Action::Reject { reason: req.reason, text: req.text }).await
}
