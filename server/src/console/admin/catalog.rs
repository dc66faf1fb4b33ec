//! The catalogue page: agencies and categories, each a small form.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use maud::{Markup, html};
use qala_protocol::{Agency, Category, LocalizedText};
use serde::Deserialize;

use super::{back, invalid, text_inputs};
use crate::app::AppState;
use crate::console::forms::{Posted, opt, ticked};
use crate::console::i18n::L;
use crate::console::layout::{Answer, ShowErr, csrf, frame};
use crate::console::session::AdminOp;
use crate::service::catalog::{self, DEADLINE_DAYS};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/catalog", get(catalog_page))
        .route("/console/admin/agencies", post(agency_save))
        .route("/console/admin/categories", post(category_save))
}

/// The name fields of an agency or a category.
fn name_inputs(l: L, t: Option<&LocalizedText>) -> Markup {
    text_inputs(
        "name",
        ["console-field-name_kk", "console-field-name_ru", "console-field-name_en"].map(|k| l.t(k).to_string()),
        false,
        t,
    )
}

async fn catalog_page(State(st): State<AppState>, a: AdminOp) -> Answer {
    let op = &a.op;
    let l = op.l;
    let catalog = st.catalog.get();
    let mut categories: Vec<&Category> = catalog.categories.values().collect();
    categories.sort_by(|a, b| (&a.agency, &a.code).cmp(&(&b.agency, &b.code)));
    let agency_select = |selected: &str| {
        html! {
            select name="agency" required {
                @for a in &catalog.agencies { option value=(a.code) selected[a.code == selected] { (a.name.get(l.0)) } }
            }
        }
    };
    let body = html! {
        p.muted { (l.t("console-catalog-note")) }
        h2 { (l.t("console-catalog-agencies")) }
        div.grid {
            @for a in &catalog.agencies {
                form.card method="post" action="/console/admin/agencies" {
                    (csrf(op))
                    input type="hidden" name="code" value=(a.code);
                    p { strong { (a.code) } }
                    (name_inputs(l, Some(&a.name)))
                    button type="submit" { (l.t("console-common-save")) }
                }
            }
            form.card #new-agency method="post" action="/console/admin/agencies" {
                (csrf(op))
                h3 { (l.t("console-catalog-new_agency")) }
                label { (l.t("console-field-code")) input name="code" required pattern="[a-z0-9_]{2,40}"; }
                (name_inputs(l, None))
                button.primary type="submit" { (l.t("console-common-add")) }
            }
        }
        h2 { (l.t("console-catalog-categories")) }
        div.grid {
            @for c in &categories {
                form.card method="post" action="/console/admin/categories" data-code=(c.code) {
                    (csrf(op))
                    input type="hidden" name="code" value=(c.code);
                    p { strong { (c.code) } @if !c.active { " · " span.muted { (l.t("console-catalog-inactive")) } } }
                    (name_inputs(l, Some(&c.name)))
                    label { (l.t("console-col-agency")) (agency_select(&c.agency)) }
                    label { (l.t("console-catalog-days")) input type="number" name="deadline_days" min="1" max="60" value=(c.deadline_days) required; }
                    label { (l.t("console-catalog-icon")) input name="icon" value=(c.icon) maxlength="40"; }
                    label.inline { input type="checkbox" name="active" value="1" checked[c.active]; (l.t("console-catalog-active")) }
                    button type="submit" { (l.t("console-common-save")) }
                }
            }
            form.card #new-category method="post" action="/console/admin/categories" {
                (csrf(op))
                h3 { (l.t("console-catalog-new_category")) }
                label { (l.t("console-field-code")) input name="code" required pattern="[a-z0-9_]{2,40}"; }
                (name_inputs(l, None))
                label { (l.t("console-col-agency")) (agency_select("")) }
                label { (l.t("console-catalog-days")) input type="number" name="deadline_days" min="1" max="60" value="10" required; }
                label { (l.t("console-catalog-icon")) input name="icon" value="other" maxlength="40"; }
                input type="hidden" name="active" value="1";
                button.primary type="submit" { (l.t("console-common-add")) }
            }
        }
    };
    Ok(frame(op, l.t("console-nav-catalog"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AgencyForm {
    code: String,
    name_kk: String,
    name_ru: String,
    name_en: String,
}

async fn agency_save(State(st): State<AppState>, Posted(a, f): Posted<AgencyForm, AdminOp>) -> Answer {
    let agency = Agency { code: f.code, name: LocalizedText::new(f.name_kk, f.name_ru, f.name_en) };
    catalog::save_agency(&st, &a.admin, agency).await.shown(a.l)?;
    back("/console/admin/catalog")
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CategoryForm {
    code: String,
    name_kk: String,
    name_ru: String,
    name_en: String,
    agency: String,
    deadline_days: String,
    icon: String,
    active: Option<String>,
}

async fn category_save(State(st): State<AppState>, Posted(a, f): Posted<CategoryForm, AdminOp>) -> Answer {
    let days: u16 = f
        .deadline_days
        .trim()
        .parse()
        .ok()
        .filter(|d| DEADLINE_DAYS.contains(d))
        .ok_or_else(|| invalid(a.l, "deadline_days", "1 to 60 working days"))?;
    let category = Category {
        code: f.code,
        name: LocalizedText::new(f.name_kk, f.name_ru, f.name_en),
        agency: f.agency,
        deadline_days: days,
        icon: opt(&f.icon).unwrap_or_else(|| "other".into()),
        active: ticked(&f.active),
    };
    catalog::save_category(&st, &a.admin, category).await.shown(a.l)?;
    back("/console/admin/catalog")
}
