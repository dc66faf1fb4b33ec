//! The operator console: server-rendered pages at `/console` for agency staff on a laptop or a
//! tablet. Plain HTML forms and no script, so it works in any browser an agency has.
//!
//! Every action goes through the same domain rules and store calls as the operator API, so each one
//! becomes a change row that the resident's app pulls.

mod admin;
mod forms;
pub mod i18n;
mod layout;
mod queue;
mod report;
mod session;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

/// Largest answer form: the photo report's files plus the text.
const ANSWER_BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(queue::page))
        .route("/console/escalation", get(queue::escalation))
        .route("/console/login", get(session::login_page).post(session::login))
        .route("/console/logout", post(session::logout))
        .route("/console/lang/{code}", get(session::set_lang))
        .route("/console/style.css", get(layout::stylesheet))
        .route("/console/reports/{id}", get(report::page))
        .route("/console/reports/{id}/assign", post(report::assign))
        .route("/console/reports/{id}/start", post(report::start))
        .route("/console/reports/{id}/route", post(report::route))
        .route("/console/reports/{id}/reject", post(report::reject))
        .route("/console/reports/{id}/redact", post(report::redact))
        .route("/console/reports/{id}/answer", post(report::answer).layer(DefaultBodyLimit::max(ANSWER_BODY_LIMIT)))
        .route("/console/media/{id}", get(report::media))
        .merge(admin::router())
}
