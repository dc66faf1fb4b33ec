//! Administrators' pages, one module per resource: the catalogue (agencies and categories), staff
//! accounts, news, city projects, comment moderation and the holiday calendar. Each page is a form
//! over a function of the service layer (`crate::service`), the same one the API calls; every
//! handler takes an [`AdminOp`](super::session::AdminOp), so none can skip the administrator check.

mod catalog;
mod comments;
mod holidays;
mod news;
mod projects;
mod staff;

use axum::Router;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use qala_protocol::LocalizedText;

use super::i18n::L;
use super::layout::{Answer, Shown};
use crate::app::AppState;
use crate::error::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(catalog::router())
        .merge(staff::router())
        .merge(news::router())
        .merge(projects::router())
        .merge(comments::router())
        .merge(holidays::router())
}

fn invalid(l: L, field: &str, message: &str) -> Shown {
    Shown(l, AppError::validation(field, message))
}

/// One field per language (`prefix_kk`, `prefix_ru`, `prefix_en`) under `labels` (in that
/// order), filled with `value` when editing; a text area for long texts.
fn text_inputs(prefix: &str, labels: [String; 3], area: bool, value: Option<&LocalizedText>) -> Markup {
    html! {
        @for (lang, label) in ["kk", "ru", "en"].into_iter().zip(labels) {
            @let v = value.map(|t| match lang { "kk" => t.kk.as_str(), "ru" => t.ru.as_str(), _ => t.en.as_str() });
            label { (label)
                @if area { textarea name={(prefix) "_" (lang)} { (v.unwrap_or("")) } }
                @else { input name={(prefix) "_" (lang)} maxlength="200" value=[v]; }
            }
        }
    }
}

/// The labels `<text of key> (kk)`, `… (ru)`, `… (en)`.
fn per_language(l: L, key: &str) -> [String; 3] {
    ["kk", "ru", "en"].map(|lang| format!("{} ({lang})", l.t(key)))
}

fn back(to: &str) -> Answer {
    Ok(Redirect::to(to).into_response())
}
