//! The working calendar: public holidays and decree transfers, which deadlines count around.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::NaiveDate;
use qala_protocol::{ErrorBody, Holiday};

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::extract::{ApiJson, ApiPath};
use crate::service::access::Admin;
use crate::service::holidays;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/holidays", get(holidays_list).put(holiday_put))
        .route("/admin/holidays/{date}", delete(holiday_delete))
}

/// This year's days and later ones.
#[utoipa::path(get, path = "/api/v1/admin/holidays", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<Holiday>), (status = 403, body = ErrorBody)))]
pub async fn holidays_list(State(st): State<AppState>, admin: Admin) -> AppResult<Json<Vec<Holiday>>> {
    Ok(Json(holidays::upcoming(&st, &admin).await?))
}

/// Adds a day, or replaces the one on that date.
#[utoipa::path(put, path = "/api/v1/admin/holidays", tag = "admin", security(("bearer" = [])), request_body = Holiday,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn holiday_put(
    State(st): State<AppState>,
    admin: Admin,
    ApiJson(h): ApiJson<Holiday>,
) -> AppResult<StatusCode> {
    holidays::put(&st, &admin, h).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/admin/holidays/{date}", tag = "admin", security(("bearer" = [])),
    params(("date" = NaiveDate, Path, description = "the day, YYYY-MM-DD")),
    responses((status = 204, description = "the day is not in the calendar (any more)")))]
pub async fn holiday_delete(
    State(st): State<AppState>,
    admin: Admin,
    ApiPath(date): ApiPath<NaiveDate>,
) -> AppResult<StatusCode> {
    holidays::delete(&st, &admin, date).await?;
    Ok(StatusCode::NO_CONTENT)
}
