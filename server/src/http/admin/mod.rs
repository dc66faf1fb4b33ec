//! The administrators' API, one module per resource. Every capability of the console's
//! administrator pages is here too, through the same service functions (`crate::service`).

mod catalog;
mod comments;
mod holidays;
mod news;
mod projects;
mod staff;

pub use catalog::*;
pub use comments::*;
pub use holidays::*;
pub use news::*;
pub use projects::*;
pub use staff::*;

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
