//! The catalogue, open to everyone: a phone can capture a report before it signs in.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use qala_protocol::CatalogResponse;

use crate::app::AppState;
use crate::error::AppResult;

pub fn router() -> Router<AppState> {
    Router::new().route("/catalog", get(catalog))
}

#[utoipa::path(get, path = "/api/v1/catalog", responses((status = 200, body = CatalogResponse)), tag = "catalog")]
pub async fn catalog(State(st): State<AppState>) -> AppResult<Json<CatalogResponse>> {
    Ok(Json(CatalogResponse { agencies: st.store.agencies().await?, categories: st.store.categories().await? }))
}
