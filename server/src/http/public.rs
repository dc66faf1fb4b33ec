//! Public reports read online by residents' phones (see `service::public`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use qala_protocol::{ErrorBody, PublicReport};
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{ApiPath, ApiQuery, Auth};
use crate::app::AppState;
use crate::error::AppResult;
use crate::service::public;

pub fn router() -> Router<AppState> {
    Router::new().route("/reports", get(feed)).route("/reports/{id}", get(report))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// A registration number: the answer is that report alone (or nothing), whole.
    pub number: Option<String>,
    /// Registered before this time (the last report of the previous page)…
    pub before: Option<DateTime<Utc>>,
    /// …or at that time with a smaller id (the last report's id).
    pub before_id: Option<Uuid>,
    /// Comma-separated district codes, `*` for the whole city; absent or empty: none.
    pub districts: Option<String>,
    /// Page size, 1–100 (default 50).
    pub limit: Option<u32>,
}

/// The city's reports, newest first, as the public sees them — the pages older than what a phone
/// holds, or one report found by its registration number.
#[utoipa::path(get, path = "/api/v1/reports", params(FeedParams), tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = Vec<PublicReport>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn feed(
    State(st): State<AppState>,
    Auth(_): Auth,
    ApiQuery(q): ApiQuery<FeedParams>,
) -> AppResult<Json<Vec<PublicReport>>> {
    if let Some(number) = q.number {
        return Ok(Json(public::by_number(&st, &number).await?.into_iter().collect()));
    }
    let districts = qala_protocol::scope::parse_districts(q.districts.as_deref())
        .map_err(|e| crate::error::AppError::validation("districts", e.to_string()))?;
    let before = q.before.map(|at| (at, q.before_id.unwrap_or(Uuid::max())));
    Ok(Json(public::feed(&st, before, &districts, q.limit.unwrap_or(50)).await?))
}

/// One report as the public sees it, with the whole description (a phone opens a report outside
/// its scope, or reads on past the pulled summary).
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 200, body = PublicReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn report(
    State(st): State<AppState>,
    Auth(_): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<PublicReport>> {
    Ok(Json(public::report(&st, id).await?))
}
