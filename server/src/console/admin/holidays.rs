//! The holiday calendar: this year's days and later ones, and a form to add one.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;

use super::{back, invalid};
use crate::app::AppState;
use crate::console::forms::{Nothing, Posted, ticked};
use crate::console::layout::{Answer, ShowErr, csrf, frame};
use crate::console::session::AdminOp;
use crate::domain::calendar::Holiday;
use crate::service::holidays;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/holidays", get(holidays_page).post(holiday_add))
        .route("/console/admin/holidays/{day}/delete", post(holiday_delete))
}

async fn holidays_page(State(st): State<AppState>, a: AdminOp) -> Answer {
    let op = &a.op;
    let l = op.l;
    let days = holidays::upcoming(&st, &a.admin).await.shown(l)?;
    let body = html! {
        p.muted { (l.t("console-holidays-note")) }
        div.scroll { table #holidays {
            thead { tr { th { (l.t("console-holidays-date")) } th { (l.t("console-holidays-name")) } th { (l.t("console-holidays-kind")) } th {} } }
            tbody { @for h in &days {
                tr {
                    td { (h.date.format("%d.%m.%Y")) } td { (h.name) }
                    td { (l.t(if h.working { "console-holidays-working" } else { "console-holidays-off" })) }
                    td { form method="post" action={"/console/admin/holidays/" (h.date) "/delete"} {
                        (csrf(op)) button.danger type="submit" { (l.t("console-common-delete")) } } }
                }
            } }
        } }
        form.card #new-holiday method="post" action="/console/admin/holidays" {
            (csrf(op))
            h2 { (l.t("console-holidays-add")) }
            label { (l.t("console-holidays-date")) input type="date" name="date" required; }
            label { (l.t("console-holidays-name")) input name="name" required maxlength="200"; }
            label.inline { input type="checkbox" name="working" value="1"; (l.t("console-holidays-working_hint")) }
            button.primary type="submit" { (l.t("console-common-add")) }
        }
    };
    Ok(frame(op, l.t("console-nav-holidays"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HolidayForm {
    date: String,
    name: String,
    working: Option<String>,
}

async fn holiday_add(State(st): State<AppState>, Posted(a, f): Posted<HolidayForm, AdminOp>) -> Answer {
    let date = NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d").map_err(|_| invalid(a.l, "date", "a date"))?;
    let holiday = Holiday { date, name: f.name, working: ticked(&f.working) };
    holidays::put(&st, &a.admin, holiday).await.shown(a.l)?;
    back("/console/admin/holidays")
}

async fn holiday_delete(
    State(st): State<AppState>,
    Path(day): Path<String>,
    Posted(a, _): Posted<Nothing, AdminOp>,
) -> Answer {
    let date = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| invalid(a.l, "date", "a date"))?;
    holidays::delete(&st, &a.admin, date).await.shown(a.l)?;
    back("/console/admin/holidays")
}
