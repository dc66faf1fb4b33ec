//! Administrators' pages: the catalogue (agencies and categories), staff accounts, news, city
//! projects, comment moderation and the holiday calendar.
//!
//! Catalogue and calendar edits reload this instance's copy at once (other instances follow within
//! [`crate::app::CATALOG_RELOAD`]); deadlines already set are not recomputed.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use chrono::{NaiveDate, Utc};
use maud::{Markup, html};
use qala_protocol::{
    AdminNews, Agency, Category, LocalizedText, NewsInput, Project, ProjectInput, ProjectStage, ProjectStatus, Role,
};
use serde::Deserialize;
use uuid::Uuid;

use super::forms::{Nothing, Posted, opt, text_ok, ticked};
use super::i18n::L;
use super::layout::{Answer, ShowErr, Shown, csrf, day, frame, when};
use super::session::Operator;
use crate::app::AppState;
use crate::auth::{generate_password, hash_password};
use crate::domain::calendar::Holiday;
use crate::error::AppError;
use crate::http::admin::{check_news, check_project, localized};
use crate::store::NewStaff;

fn invalid(l: L, field: &str, message: &str) -> Shown {
    Shown(l, AppError::validation(field, message))
}

/// Codes of agencies and categories: short, lower-case, stable (phones and Open311 use them).
fn check_code(l: L, code: &str) -> Result<String, Shown> {
    let code = code.trim();
    let ok = (2..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok { Ok(code.to_string()) } else { Err(invalid(l, "code", "2–40 characters: a–z, 0–9, _")) }
}

fn names(kk: &str, ru: &str, en: &str) -> LocalizedText {
    LocalizedText::new(kk.trim(), ru.trim(), en.trim())
}

fn name_inputs(l: L, prefix: &str, t: Option<&LocalizedText>) -> Markup {
    html! {
        @for (lang, key) in [("kk", "field.name_kk"), ("ru", "field.name_ru"), ("en", "field.name_en")] {
            @let value = t.map(|t| match lang { "kk" => t.kk.as_str(), "ru" => t.ru.as_str(), _ => t.en.as_str() });
            label { (l.t(key)) input name={(prefix) "_" (lang)} value=[value] maxlength="200"; }
        }
    }
}

fn back(to: &str) -> Answer {
    Ok(Redirect::to(to).into_response())
}

// ---------------------------------------------------------------- catalogue

pub async fn catalog_page(State(st): State<AppState>, op: Operator) -> Answer {
    op.admin()?;
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
        p.muted { (l.t("catalog.note")) }
        h2 { (l.t("catalog.agencies")) }
        div.grid {
            @for a in &catalog.agencies {
                form.card method="post" action="/console/admin/agencies" {
                    (csrf(&op))
                    input type="hidden" name="code" value=(a.code);
                    p { strong { (a.code) } }
                    (name_inputs(l, "name", Some(&a.name)))
                    button type="submit" { (l.t("common.save")) }
                }
            }
            form.card #new-agency method="post" action="/console/admin/agencies" {
                (csrf(&op))
                h3 { (l.t("catalog.new_agency")) }
                label { (l.t("field.code")) input name="code" required pattern="[a-z0-9_]{2,40}"; }
                (name_inputs(l, "name", None))
                button.primary type="submit" { (l.t("common.add")) }
            }
        }
        h2 { (l.t("catalog.categories")) }
        div.grid {
            @for c in &categories {
                form.card method="post" action="/console/admin/categories" data-code=(c.code) {
                    (csrf(&op))
                    input type="hidden" name="code" value=(c.code);
                    p { strong { (c.code) } @if !c.active { " · " span.muted { (l.t("catalog.inactive")) } } }
                    (name_inputs(l, "name", Some(&c.name)))
                    label { (l.t("col.agency")) (agency_select(&c.agency)) }
                    label { (l.t("catalog.days")) input type="number" name="deadline_days" min="1" max="60" value=(c.deadline_days) required; }
                    label { (l.t("catalog.icon")) input name="icon" value=(c.icon) maxlength="40"; }
                    label.inline { input type="checkbox" name="active" value="1" checked[c.active]; (l.t("catalog.active")) }
                    button type="submit" { (l.t("common.save")) }
                }
            }
            form.card #new-category method="post" action="/console/admin/categories" {
                (csrf(&op))
                h3 { (l.t("catalog.new_category")) }
                label { (l.t("field.code")) input name="code" required pattern="[a-z0-9_]{2,40}"; }
                (name_inputs(l, "name", None))
                label { (l.t("col.agency")) (agency_select("")) }
                label { (l.t("catalog.days")) input type="number" name="deadline_days" min="1" max="60" value="10" required; }
                label { (l.t("catalog.icon")) input name="icon" value="other" maxlength="40"; }
                input type="hidden" name="active" value="1";
                button.primary type="submit" { (l.t("common.add")) }
            }
        }
    };
    Ok(frame(&op, l.t("nav.catalog"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AgencyForm {
    code: String,
    name_kk: String,
    name_ru: String,
    name_en: String,
}

pub async fn agency_save(State(st): State<AppState>, Posted(op, f): Posted<AgencyForm>) -> Answer {
    op.admin()?;
    let l = op.l;
    let agency = Agency { code: check_code(l, &f.code)?, name: names(&f.name_kk, &f.name_ru, &f.name_en) };
    localized("name", &agency.name, 200).shown(l)?;
    st.store.put_agency(&agency).await.shown(l)?;
    st.catalog.reload(st.store.as_ref()).await.shown(l)?;
    back("/console/admin/catalog")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CategoryForm {
    code: String,
    name_kk: String,
    name_ru: String,
    name_en: String,
    agency: String,
    deadline_days: String,
    icon: String,
    active: Option<String>,
}

pub async fn category_save(State(st): State<AppState>, Posted(op, f): Posted<CategoryForm>) -> Answer {
    op.admin()?;
    let l = op.l;
    let days: u16 = f
        .deadline_days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=60).contains(d))
        .ok_or_else(|| invalid(l, "deadline_days", "1 to 60 working days"))?;
    let category = Category {
        code: check_code(l, &f.code)?,
        name: names(&f.name_kk, &f.name_ru, &f.name_en),
        agency: f.agency.trim().to_string(),
        deadline_days: days,
        icon: opt(&f.icon).unwrap_or_else(|| "other".into()),
        active: ticked(&f.active),
    };
    localized("name", &category.name, 200).shown(l)?;
    st.store.put_category(&category).await.shown(l)?;
    st.catalog.reload(st.store.as_ref()).await.shown(l)?;
    back("/console/admin/catalog")
}

// ---------------------------------------------------------------- staff

pub async fn staff_page(State(st): State<AppState>, op: Operator) -> Answer {
    op.admin()?;
    staff_view(&st, &op, None).await
}

async fn staff_view(st: &AppState, op: &Operator, created: Option<(String, String)>) -> Answer {
    let l = op.l;
    let staff = st.store.staff_all().await.shown(l)?;
    let catalog = st.catalog.get();
    let body = html! {
        @if let Some((login, password)) = &created {
            div.notice #created { (l.t("staff.created")) " " strong { (login) } " · " code #password { (password) } }
        }
        div.scroll { table {
            thead { tr { th { (l.t("staff.login")) } th { (l.t("staff.name")) } th { (l.t("staff.role")) } th { (l.t("col.agency")) } th {} } }
            tbody { @for s in &staff {
                tr data-login=(s.login) { td { (s.login) } td { (s.display_name) }
                     td { (l.t(if s.role == Role::Admin { "role.admin" } else { "role.operator" })) }
                     td { (s.agency.as_deref().unwrap_or("—")) }
                     td.inline {
                        @if !s.active { span.muted { (l.t("staff.disabled")) } }
                        form method="post" action={"/console/admin/staff/" (s.user_id) "/password"} {
                            (csrf(op)) button type="submit" { (l.t("staff.new_password")) } }
                        @if s.active && s.user_id != op.p.user_id {
                            form method="post" action={"/console/admin/staff/" (s.user_id) "/disable"} {
                                (csrf(op)) button.danger type="submit" { (l.t("staff.disable")) } }
                        }
                     } }
            } }
        } }
        form.card #new-staff method="post" action="/console/admin/staff" {
            (csrf(op))
            h2 { (l.t("staff.create")) }
            label { (l.t("staff.login")) input name="login" required pattern="[A-Za-z0-9._-]{3,40}"; }
            label { (l.t("staff.name")) input name="display_name" required maxlength="100"; }
            label { (l.t("staff.role"))
                select name="role" { option value="operator" { (l.t("role.operator")) } option value="admin" { (l.t("role.admin")) } } }
            label { (l.t("col.agency"))
                select name="agency" {
                    option value="" { "—" }
                    @for a in &catalog.agencies { option value=(a.code) { (a.name.get(l.0)) } }
                } }
            p.muted { (l.t("staff.password_note")) }
            button.primary type="submit" { (l.t("staff.create")) }
        }
    };
    Ok(frame(op, l.t("nav.staff"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StaffForm {
    login: String,
    display_name: String,
    role: String,
    agency: String,
}

/// Creates an account with a generated password, shown once on the page that answers.
pub async fn staff_create(State(st): State<AppState>, Posted(op, f): Posted<StaffForm>) -> Answer {
    op.admin()?;
    let l = op.l;
    let login = f.login.trim().to_lowercase();
    if !(3..=40).contains(&login.len())
        || !login.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(invalid(l, "login", "3–40 characters: letters, digits, '.', '_', '-'"));
    }
    text_ok(l, &f.display_name, "display_name", 100, true)?;
    let role = match f.role.as_str() {
        "operator" => Role::Operator,
        "admin" => Role::Admin,
        _ => return Err(invalid(l, "role", "operator or admin")),
    };
    let agency = opt(&f.agency);
    if (role == Role::Operator) != agency.is_some() {
        return Err(invalid(l, "agency", "an operator needs an agency; an administrator has none"));
    }
    let (password, hash) = new_password(l).await?;
    let staff = NewStaff {
        login: login.clone(),
        password_hash: hash,
        role,
        agency,
        display_name: f.display_name.trim().into(),
    };
    st.store.create_staff(&staff, Utc::now()).await.shown(l)?;
    tracing::info!(%login, by = %op.p.user_id, "staff account created in the console");
    staff_view(&st, &op, Some((login, password))).await
}

/// A generated password and its argon2 hash (hashed off the async threads).
async fn new_password(l: L) -> Result<(String, String), Shown> {
    let password = generate_password();
    let p = password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&p))
        .await
        .map_err(|e| Shown(l, AppError::Internal(e.to_string())))?
        .shown(l)?;
    Ok((password, hash))
}

async fn staff_login(st: &AppState, l: L, id: Uuid) -> Result<String, Shown> {
    let all = st.store.staff_all().await.shown(l)?;
    let s = all.into_iter().find(|s| s.user_id == id);
    s.map(|s| s.login).ok_or_else(|| Shown(l, AppError::NotFound("no such staff account".into())))
}

/// A new password for a staff member who forgot theirs (or to re-enable an account), shown once;
/// every session of the account ends.
pub async fn staff_password(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(op, _): Posted<Nothing>,
) -> Answer {
    op.admin()?;
    let l = op.l;
    let login = staff_login(&st, l, id).await?;
    let (password, hash) = new_password(l).await?;
    st.store.set_staff_password(id, Some(&hash)).await.shown(l)?;
    tracing::info!(%login, by = %op.p.user_id, "staff password reset in the console");
    staff_view(&st, &op, Some((login, password))).await
}

/// Disables an account (someone left): no password, no sessions. An administrator cannot lock
/// themselves out.
pub async fn staff_disable(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, _): Posted<Nothing>) -> Answer {
    op.admin()?;
    let l = op.l;
    if id == op.p.user_id {
        return Err(invalid(l, "user", "you cannot disable your own account"));
    }
    let login = staff_login(&st, l, id).await?;
    st.store.set_staff_password(id, None).await.shown(l)?;
    tracing::info!(%login, by = %op.p.user_id, "staff account disabled in the console");
    back("/console/admin/staff")
}

// ---------------------------------------------------------------- news

/// One field per language, filled with `value` when editing.
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

/// The form that creates a news item, or edits `existing`.
fn news_form(op: &Operator, existing: Option<&AdminNews>) -> Markup {
    let l = op.l;
    let action =
        existing.map_or_else(|| "/console/admin/news".to_string(), |n| format!("/console/admin/news/{}", n.item.id));
    html! {
        form.card #news-form method="post" action=(action) {
            (csrf(op))
            h2 { (l.t(if existing.is_some() { "news.edit" } else { "news.create" })) }
            (text_inputs(l, "title", "news.headline", false, existing.map(|n| &n.item.title)))
            (text_inputs(l, "body", "news.body", true, existing.map(|n| &n.item.body)))
            label.inline { input type="checkbox" name="published" value="1" checked[existing.is_none_or(|n| n.published)]; (l.t("news.publish_now")) }
            button.primary type="submit" { (l.t(if existing.is_some() { "common.save" } else { "common.add" })) }
        }
    }
}

pub async fn news_page(State(st): State<AppState>, op: Operator) -> Answer {
    op.admin()?;
    let l = op.l;
    let all = st.store.news_all().await.shown(l)?;
    let body = html! {
        div.scroll { table #news {
            thead { tr { th { (l.t("news.headline")) } th { (l.t("news.date")) } th { (l.t("col.status")) } th {} } }
            tbody { @for n in &all {
                tr {
                    td { a href={"/console/admin/news/" (n.item.id)} { (n.item.title.get(l.0)) } }
                    td { (day(n.item.published_at)) }
                    td { (l.t(if n.published { "news.published" } else { "news.draft" })) }
                    td.inline {
                        form method="post" action={"/console/admin/news/" (n.item.id) "/publish"} {
                            (csrf(&op))
                            input type="hidden" name="published" value=(if n.published { "" } else { "1" });
                            button type="submit" { (l.t(if n.published { "news.unpublish" } else { "news.publish" })) }
                        }
                        form method="post" action={"/console/admin/news/" (n.item.id) "/delete"} {
                            (csrf(&op)) button.danger type="submit" { (l.t("common.delete")) }
                        }
                    }
                }
            } }
        } }
        (news_form(&op, None))
    };
    Ok(frame(&op, l.t("nav.news"), body))
}

async fn news_item(st: &AppState, l: L, id: Uuid) -> Result<AdminNews, Shown> {
    let all = st.store.news_all().await.shown(l)?;
    all.into_iter().find(|n| n.item.id == id).ok_or_else(|| Shown(l, AppError::NotFound("no such news".into())))
}

pub async fn news_edit_page(State(st): State<AppState>, op: Operator, Path(id): Path<Uuid>) -> Answer {
    op.admin()?;
    let n = news_item(&st, op.l, id).await?;
    Ok(frame(&op, op.l.t("news.edit"), news_form(&op, Some(&n))))
}

/// Saves an edited news item; phones pull the new text (or a tombstone when unpublished).
pub async fn news_update(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, f): Posted<NewsForm>) -> Answer {
    op.admin()?;
    let l = op.l;
    news_item(&st, l, id).await?;
    let input = f.input();
    check_news(&input).shown(l)?;
    st.store.put_news(id, &input, Utc::now()).await.shown(l)?;
    back("/console/admin/news")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewsForm {
    title_kk: String,
    title_ru: String,
    title_en: String,
    body_kk: String,
    body_ru: String,
    body_en: String,
    published: Option<String>,
}

impl NewsForm {
    fn input(&self) -> NewsInput {
        NewsInput {
            title: names(&self.title_kk, &self.title_ru, &self.title_en),
            body: names(&self.body_kk, &self.body_ru, &self.body_en),
            published: ticked(&self.published),
        }
    }
}

pub async fn news_create(State(st): State<AppState>, Posted(op, f): Posted<NewsForm>) -> Answer {
    op.admin()?;
    let l = op.l;
    let input = f.input();
    check_news(&input).shown(l)?;
    st.store.put_news(Uuid::now_v7(), &input, Utc::now()).await.shown(l)?;
    back("/console/admin/news")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    published: Option<String>,
}

pub async fn news_publish(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(op, f): Posted<PublishForm>,
) -> Answer {
    op.admin()?;
    let l = op.l;
    let n = news_item(&st, l, id).await?;
    let input = NewsInput { title: n.item.title, body: n.item.body, published: ticked(&f.published) };
    st.store.put_news(id, &input, Utc::now()).await.shown(l)?;
    back("/console/admin/news")
}

pub async fn news_delete(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, _): Posted<Nothing>) -> Answer {
    op.admin()?;
    st.store.delete_news(id).await.shown(op.l)?;
    back("/console/admin/news")
}

// ---------------------------------------------------------------- projects

const PROJECT_STATUSES: [ProjectStatus; 5] = [
    ProjectStatus::Discussion,
    ProjectStatus::Approved,
    ProjectStatus::InProgress,
    ProjectStatus::Done,
    ProjectStatus::Cancelled,
];

fn project_status_code(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Discussion => "discussion",
        ProjectStatus::Approved => "approved",
        ProjectStatus::InProgress => "in_progress",
        ProjectStatus::Done => "done",
        ProjectStatus::Cancelled => "cancelled",
    }
}

/// Stages as the administrator types them: one per line, `kk | ru | en`, with a leading `+` for a
/// stage that is done.
fn parse_stages(text: &str) -> Vec<ProjectStage> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (done, rest) = match line.strip_prefix('+') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let mut parts = rest.split('|').map(str::trim);
            let kk = parts.next().unwrap_or("");
            let ru = parts.next().unwrap_or("");
            let en = parts.next().unwrap_or("");
            ProjectStage { title: names(kk, ru, en), done }
        })
        .collect()
}

fn stages_text(stages: &[ProjectStage]) -> String {
    stages
        .iter()
        .map(|s| format!("{}{} | {} | {}", if s.done { "+" } else { "" }, s.title.kk, s.title.ru, s.title.en))
        .collect::<Vec<_>>()
        .join("\n")
}

fn status_select(l: L, current: ProjectStatus) -> Markup {
    html! {
        select name="status" {
            @for s in PROJECT_STATUSES {
                option value=(project_status_code(s)) selected[s == current] { (l.t(&format!("pstatus.{}", project_status_code(s)))) }
            }
        }
    }
}

pub async fn projects_page(State(st): State<AppState>, op: Operator) -> Answer {
    op.admin()?;
    let l = op.l;
    let all = st.store.projects_all().await.shown(l)?;
    let body = html! {
        @for p in &all {
            form.card method="post" action={"/console/admin/projects/" (p.id)} {
                (csrf(&op))
                h2 { (p.title.get(l.0)) }
                p.muted { (p.description.get(l.0)) }
                label { (l.t("col.status")) (status_select(l, p.status)) }
                label { (l.t("projects.stages")) textarea name="stages" rows="4" { (stages_text(&p.stages)) } }
                button type="submit" { (l.t("common.save")) }
            }
        }
        form.card #new-project method="post" action="/console/admin/projects" {
            (csrf(&op))
            h2 { (l.t("projects.create")) }
            (text_inputs(l, "title", "news.headline", false, None))
            (text_inputs(l, "description", "projects.description", true, None))
            label { (l.t("col.status")) (status_select(l, ProjectStatus::Discussion)) }
            label { (l.t("projects.discussion_until")) input type="date" name="discussion_until"; }
            label { (l.t("projects.stages")) textarea name="stages" rows="4" {} }
            button.primary type="submit" { (l.t("common.add")) }
        }
        p.muted { (l.t("projects.stages_help")) }
    };
    Ok(frame(&op, l.t("nav.projects"), body))
}

fn parse_status(l: L, s: &str) -> Result<ProjectStatus, Shown> {
    PROJECT_STATUSES
        .into_iter()
        .find(|p| project_status_code(*p) == s)
        .ok_or_else(|| invalid(l, "status", "unknown status"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProjectForm {
    title_kk: String,
    title_ru: String,
    title_en: String,
    description_kk: String,
    description_ru: String,
    description_en: String,
    status: String,
    stages: String,
    discussion_until: String,
}

pub async fn project_create(State(st): State<AppState>, Posted(op, f): Posted<ProjectForm>) -> Answer {
    op.admin()?;
    let l = op.l;
    // The discussion runs to the end of that local day.
    let until = NaiveDate::parse_from_str(f.discussion_until.trim(), "%Y-%m-%d").ok().and_then(|d| {
        use chrono::TimeZone;
        crate::domain::calendar::local_offset()
            .from_local_datetime(&d.and_hms_opt(23, 59, 59)?)
            .single()
            .map(|t| t.with_timezone(&Utc))
    });
    let input = ProjectInput {
        title: names(&f.title_kk, &f.title_ru, &f.title_en),
        description: names(&f.description_kk, &f.description_ru, &f.description_en),
        status: parse_status(l, &f.status)?,
        stages: parse_stages(&f.stages),
        discussion_until: until,
    };
    check_project(&input).shown(l)?;
    let project = Project {
        id: Uuid::now_v7(),
        title: input.title,
        description: input.description,
        status: input.status,
        stages: input.stages,
        discussion_until: input.discussion_until,
        created_at: Utc::now(),
    };
    st.store.put_project(&project).await.shown(l)?;
    back("/console/admin/projects")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProjectUpdateForm {
    status: String,
    stages: String,
}

pub async fn project_update(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(op, f): Posted<ProjectUpdateForm>,
) -> Answer {
    op.admin()?;
    let l = op.l;
    let mut p =
        st.store.project(id).await.shown(l)?.ok_or_else(|| Shown(l, AppError::NotFound("no such project".into())))?;
    p.status = parse_status(l, &f.status)?;
    p.stages = parse_stages(&f.stages);
    let check = ProjectInput {
        title: p.title.clone(),
        description: p.description.clone(),
        status: p.status,
        stages: p.stages.clone(),
        discussion_until: p.discussion_until,
    };
    check_project(&check).shown(l)?;
    st.store.put_project(&p).await.shown(l)?;
    back("/console/admin/projects")
}

// ---------------------------------------------------------------- comments

pub async fn comments_page(State(st): State<AppState>, op: Operator) -> Answer {
    op.admin()?;
    let l = op.l;
    let items = st.store.comments_for_review(200).await.shown(l)?;
    let body = html! {
        @if items.is_empty() { p.card { (l.t("comments.none")) } }
        div.scroll { table #comments {
            thead { tr { th { (l.t("comments.author")) } th { (l.t("comments.text")) } th { (l.t("comments.flags")) } th { (l.t("col.status")) } th {} } }
            tbody { @for m in &items {
                tr data-id=(m.comment.id) class=[(m.hidden && !m.reviewed).then_some("overdue")] {
                    td { (m.comment.author) br; span.muted { (when(m.comment.created_at)) } }
                    td { (m.comment.body) }
                    td { (m.flags) }
                    td {
                        @if m.hidden { (l.t("comments.hidden")) @if let Some(r) = &m.hidden_reason { ": " (r) } }
                        @else { (l.t("comments.visible")) }
                        @if !m.reviewed && (m.hidden || m.flags > 0) { br; strong { (l.t("comments.pending")) } }
                    }
                    td {
                        form.inline method="post" action={"/console/admin/comments/" (m.comment.id) "/hide"} {
                            (csrf(&op))
                            input name="reason" required maxlength="500" placeholder=(l.t("comments.reason"));
                            button.danger type="submit" { (l.t("comments.hide")) }
                        }
                        @if m.hidden || !m.reviewed {
                            form method="post" action={"/console/admin/comments/" (m.comment.id) "/restore"} {
                                (csrf(&op)) button type="submit" { (l.t(if m.hidden { "comments.restore" } else { "comments.keep" })) }
                            }
                        }
                    }
                }
            } }
        } }
    };
    Ok(frame(&op, l.t("nav.comments"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HideForm {
    reason: String,
}

pub async fn comment_hide(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, f): Posted<HideForm>) -> Answer {
    op.admin()?;
    let l = op.l;
    text_ok(l, &f.reason, "reason", 500, true)?;
    if !st.store.hide_comment(id, f.reason.trim()).await.shown(l)? {
        return Err(Shown(l, AppError::NotFound("no such comment".into())));
    }
    back("/console/admin/comments")
}

pub async fn comment_restore(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(op, _): Posted<Nothing>,
) -> Answer {
    op.admin()?;
    let l = op.l;
    if !st.store.restore_comment(id).await.shown(l)? {
        return Err(Shown(l, AppError::NotFound("no such comment".into())));
    }
    back("/console/admin/comments")
}

// ---------------------------------------------------------------- holidays

pub async fn holidays_page(State(st): State<AppState>, op: Operator) -> Answer {
    op.admin()?;
    let l = op.l;
    let this_year = chrono::Datelike::year(&Utc::now());
    let days: Vec<Holiday> = st
        .store
        .holidays()
        .await
        .shown(l)?
        .into_iter()
        .filter(|h| chrono::Datelike::year(&h.date) >= this_year)
        .collect();
    let body = html! {
        p.muted { (l.t("holidays.note")) }
        div.scroll { table #holidays {
            thead { tr { th { (l.t("holidays.date")) } th { (l.t("holidays.name")) } th { (l.t("holidays.kind")) } th {} } }
            tbody { @for h in &days {
                tr {
                    td { (h.date.format("%d.%m.%Y")) } td { (h.name) }
                    td { (l.t(if h.working { "holidays.working" } else { "holidays.off" })) }
                    td { form method="post" action={"/console/admin/holidays/" (h.date) "/delete"} {
                        (csrf(&op)) button.danger type="submit" { (l.t("common.delete")) } } }
                }
            } }
        } }
        form.card #new-holiday method="post" action="/console/admin/holidays" {
            (csrf(&op))
            h2 { (l.t("holidays.add")) }
            label { (l.t("holidays.date")) input type="date" name="date" required; }
            label { (l.t("holidays.name")) input name="name" required maxlength="200"; }
            label.inline { input type="checkbox" name="working" value="1"; (l.t("holidays.working_hint")) }
            button.primary type="submit" { (l.t("common.add")) }
        }
    };
    Ok(frame(&op, l.t("nav.holidays"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HolidayForm {
    date: String,
    name: String,
    working: Option<String>,
}

pub async fn holiday_add(State(st): State<AppState>, Posted(op, f): Posted<HolidayForm>) -> Answer {
    op.admin()?;
    let l = op.l;
    let date = NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d").map_err(|_| invalid(l, "date", "a date"))?;
    text_ok(l, &f.name, "name", 200, true)?;
    st.store.put_holiday(&Holiday { date, name: f.name.trim().into(), working: ticked(&f.working) }).await.shown(l)?;
    st.catalog.reload(st.store.as_ref()).await.shown(l)?;
    back("/console/admin/holidays")
}

pub async fn holiday_delete(
    State(st): State<AppState>,
    Path(day): Path<String>,
    Posted(op, _): Posted<Nothing>,
) -> Answer {
    op.admin()?;
    let l = op.l;
    let date = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| invalid(l, "date", "a date"))?;
    st.store.delete_holiday(date).await.shown(l)?;
    st.catalog.reload(st.store.as_ref()).await.shown(l)?;
    back("/console/admin/holidays")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_round_trip_through_the_textarea() {
        let stages = parse_stages("+Жоба | Проект | Design\n\n Құрылыс | Стройка | Building ");
        assert_eq!(stages.len(), 2);
        assert!(stages[0].done && !stages[1].done);
        assert_eq!(stages[1].title.en, "Building");
        assert_eq!(parse_stages(&stages_text(&stages)), stages);
    }

    #[test]
    fn codes_are_plain() {
        let l = L(qala_protocol::Lang::En);
        assert!(check_code(l, "road_repair").is_ok());
        assert!(check_code(l, "Road Repair").is_err());
        assert!(check_code(l, "x").is_err());
    }
}
