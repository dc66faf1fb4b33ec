//! The catalogue: agencies and categories. The public `GET /catalog` reads it; administrators
//! create and change entries here (an entry is never deleted: old reports name it).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::put;
use qala_protocol::{Agency, Category, ErrorBody};

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::extract::ApiJson;
use crate::service::access::Admin;
use crate::service::catalog;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/agencies", put(agency_put)).route("/admin/categories", put(category_put))
}

/// Creates the agency with this code, or renames it.
#[utoipa::path(put, path = "/api/v1/admin/agencies", tag = "admin", security(("bearer" = [])), request_body = Agency,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn agency_put(
    State(st): State<AppState>,
    admin: Admin,
    ApiJson(a): ApiJson<Agency>,
) -> AppResult<StatusCode> {
    catalog::save_agency(&st, &admin, a).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates the category with this code, or changes it (its agency must exist). An inactive
/// category is kept for old reports but not offered for new ones.
#[utoipa::path(put, path = "/api/v1/admin/categories", tag = "admin", security(("bearer" = [])), request_body = Category,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn category_put(
    State(st): State<AppState>,
    admin: Admin,
    ApiJson(c): ApiJson<Category>,
) -> AppResult<StatusCode> {
    catalog::save_category(&st, &admin, c).await?;
    Ok(StatusCode::NO_CONTENT)
}
