//! One module per screen.

pub mod city;
pub mod home;
pub mod new_report;
pub mod news;
pub mod projects;
pub mod report;
pub mod settings;
pub mod sign_in;

use qala_protocol::Category;
use yew::prelude::*;

use crate::app::Ctx;
use crate::hooks::Loaded;

/// A load's failure or wait, in the screen's language; `None` when the data is there.
pub fn pending<T>(ctx: &Ctx, l: &Loaded<T>) -> Option<Html> {
    match l {
        None => Some(html! { <p class="muted" aria-busy="true">{ctx.i.t("loading")}</p> }),
        Some(Err(e)) => Some(html! { <p class="error" role="alert">{e.clone()}</p> }),
        Some(Ok(_)) => None,
    }
}

/// A category's name in the resident's language, or its code before the catalogue arrived.
pub fn category_name(cats: &[Category], code: &str, ctx: &Ctx) -> String {
    cats.iter().find(|c| c.code == code).map(|c| c.name.get(ctx.i.lang).to_string()).unwrap_or_else(|| code.to_string())
}

/// Reads an input or textarea's value from its event.
pub fn value_of(e: &Event) -> String {
    use wasm_bindgen::JsCast;
    let t = e.target();
    if let Some(i) = t.clone().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        return i.value();
    }
    if let Some(a) = t.clone().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
        return a.value();
    }
    t.and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value()).unwrap_or_default()
}

pub fn input_value(e: &InputEvent) -> String {
    value_of(e)
}
