//! Staff accounts: the list, a new account, a new password, disabling. A generated password is
//! shown once, on the page that answers.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use maud::html;
use qala_protocol::{IssuedPassword, Role, StaffInput};
use serde::Deserialize;
use uuid::Uuid;

use super::{back, invalid};
use crate::app::AppState;
use crate::console::forms::{Nothing, Posted, opt};
use crate::console::layout::{Answer, ShowErr, csrf, frame};
use crate::console::session::AdminOp;
use crate::service::staff;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/staff", get(staff_page).post(staff_create))
        .route("/console/admin/staff/{id}/password", post(staff_password))
        .route("/console/admin/staff/{id}/disable", post(staff_disable))
}

async fn staff_page(State(st): State<AppState>, a: AdminOp) -> Answer {
    staff_view(&st, &a, None).await
}

async fn staff_view(st: &AppState, a: &AdminOp, created: Option<IssuedPassword>) -> Answer {
    let op = &a.op;
    let l = op.l;
    let staff = staff::list(st, &a.admin).await.shown(l)?;
    let catalog = st.catalog.get();
    let body = html! {
        @if let Some(IssuedPassword { login, password, .. }) = &created {
            div.notice #created { (l.t("console-staff-created")) " " strong { (login) } " · " code #password { (password) } }
        }
        div.scroll { table {
            thead { tr { th { (l.t("console-staff-login")) } th { (l.t("console-staff-name")) } th { (l.t("console-staff-role")) } th { (l.t("console-col-agency")) } th {} } }
            tbody { @for s in &staff {
                tr data-login=(s.login) { td { (s.login) } td { (s.display_name) }
                     td { (l.t(if s.role == Role::Admin { "console-role-admin" } else { "console-role-operator" })) }
                     td { (s.agency.as_deref().unwrap_or("—")) }
                     td.inline {
                        @if !s.active { span.muted { (l.t("console-staff-disabled")) } }
                        form method="post" action={"/console/admin/staff/" (s.user_id) "/password"} {
                            (csrf(op)) button type="submit" { (l.t("console-staff-new_password")) } }
                        @if s.active && s.user_id != op.p.user_id {
                            form method="post" action={"/console/admin/staff/" (s.user_id) "/disable"} {
                                (csrf(op)) button.danger type="submit" { (l.t("console-staff-disable")) } }
                        }
                     } }
            } }
        } }
        form.card #new-staff method="post" action="/console/admin/staff" {
            (csrf(op))
            h2 { (l.t("console-staff-create")) }
            label { (l.t("console-staff-login")) input name="login" required pattern="[A-Za-z0-9._-]{3,40}"; }
            label { (l.t("console-staff-name")) input name="display_name" required maxlength="100"; }
            label { (l.t("console-staff-role"))
                select name="role" { option value="operator" { (l.t("console-role-operator")) } option value="admin" { (l.t("console-role-admin")) } } }
            label { (l.t("console-col-agency"))
                select name="agency" {
                    option value="" { "—" }
                    @for a in &catalog.agencies { option value=(a.code) { (a.name.get(l.0)) } }
                } }
            p.muted { (l.t("console-staff-password_note")) }
            button.primary type="submit" { (l.t("console-staff-create")) }
        }
    };
    Ok(frame(op, l.t("console-nav-staff"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StaffForm {
    login: String,
    display_name: String,
    role: String,
    agency: String,
}

/// Creates an account with a generated password, shown once on the page that answers.
async fn staff_create(State(st): State<AppState>, Posted(a, f): Posted<StaffForm, AdminOp>) -> Answer {
    let role = match f.role.as_str() {
        "operator" => Role::Operator,
        "admin" => Role::Admin,
        _ => return Err(invalid(a.l, "role", "operator or admin")),
    };
    let input = StaffInput { login: f.login, display_name: f.display_name, role, agency: opt(&f.agency) };
    let issued = staff::create(&st, &a.admin, input).await.shown(a.l)?;
    staff_view(&st, &a, Some(issued)).await
}

/// A new password for a staff member who forgot theirs (or to re-enable an account), shown once;
/// every session of the account ends.
async fn staff_password(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, _): Posted<Nothing, AdminOp>,
) -> Answer {
    let issued = staff::reset_password(&st, &a.admin, id).await.shown(a.l)?;
    staff_view(&st, &a, Some(issued)).await
}

/// Disables an account (someone left): no password, no sessions.
async fn staff_disable(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, _): Posted<Nothing, AdminOp>,
) -> Answer {
    staff::disable(&st, &a.admin, id).await.shown(a.l)?;
    back("/console/admin/staff")
}
