//! The administrators' API, one module per resource. Every capability of the console's
//! administrator pages is here too, through the same service functions (`crate::service`).

pub mod catalog;
pub mod comments;
pub mod holidays;
pub mod news;
pub mod projects;
pub mod staff;

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(catalog::router())
        .merge(staff::router())
        .merge(news::router())
        .merge(projects::router())
        .merge(comments::router())
        .merge(holidays::router())
}
