//! HTTP routes, one module per resource, each exposing `router()`.

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod extract;
pub mod health;
pub mod media;
pub mod open311;
pub mod openapi;
pub mod operator;
pub mod public;
pub mod stats;
pub mod sync;
pub mod uploads;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::AppState;
use crate::error::AppError;

/// Largest JSON body of ordinary requests. Push and uploads set their own limits.
pub const JSON_BODY_LIMIT: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    let admission = crate::edge::Admission::new(state.settings.timeouts);
    let api = Router::new()
        .merge(auth::router())
        .merge(sync::router())
        .merge(uploads::router())
        .merge(media::router())
        .merge(operator::router())
        .merge(public::router())
        .merge(admin::router())
        .merge(catalog::router())
        .merge(stats::api_router())
        .merge(openapi::router());
    Router::new()
        .nest(qala_protocol::API_PREFIX, api)
        .merge(health::router())
        .merge(stats::page_router())
        .merge(open311::router())
        .merge(crate::console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(admission, crate::edge::admit))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

async fn not_found(uri: Uri) -> AppError {
    AppError::NotFound(format!("no route for {}", uri.path()))
}

async fn method_not_allowed() -> (axum::http::StatusCode, axum::Json<qala_protocol::ErrorBody>) {
    (
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(qala_protocol::ErrorBody {
            error: "method_not_allowed".into(),
            message: "this route does not accept that method".into(),
            field: None,
        }),
    )
}
