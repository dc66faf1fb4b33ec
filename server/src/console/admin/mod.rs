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

/// The three languages' fields of a form, as one text.
fn names(kk: &str, ru: &str, en: &str) -> LocalizedText {
    LocalizedText::new(kk, ru, en)
}

/// One field per language (`prefix_kk`, `prefix_ru`, `prefix_en`), filled with `value` when
/// editing; a text area for long texts.
fn text_inputs(l: L, prefix: &str, label_key: &str, area: bool, value: Option<&LocalizedText>) -> Markup {
    html! {
        @for lang in ["kk", "ru", "en"] {
            @let v = value.map(|t| match lang { "kk" => t.kk.as_str(), "ru" => t.ru.as_str(), _ => t.en.as_str() });
            label { (l.t(label_key)) " (" (lang) ")"
                @if area { textarea name={(prefix) "_" (lang)} { (v.unwrap_or("")) } }
                @else { input name={(prefix) "_" (lang)} maxlength="200" value=[v]; }
            }
        }
    }
}

fn back(to: &str) -> Answer {
    Ok(Redirect::to(to).into_response())
}
