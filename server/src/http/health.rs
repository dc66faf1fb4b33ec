//! Liveness: answers when the server can reach its database.

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::app::AppState;
use crate::error::AppResult;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "ok")), tag = "health")]
pub async fn healthz(State(st): State<AppState>) -> AppResult<&'static str> {
    st.store.retention_floor().await?;
    Ok("ok")
}
