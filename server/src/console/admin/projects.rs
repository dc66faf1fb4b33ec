//! City projects: the list, each with its status and stages to move on, and the form for a new one.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use maud::{Markup, html};
use qala_protocol::{LocalizedText, ProjectInput, ProjectStage, ProjectStatus};
use serde::Deserialize;
use uuid::Uuid;

use super::{back, invalid, per_language, text_inputs};
use crate::app::AppState;
use crate::console::forms::{Nothing, Posted};
use crate::console::i18n::L;
use crate::console::layout::{Answer, ShowErr, Shown, csrf, frame};
use crate::console::session::AdminOp;
use crate::service::projects;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/projects", get(projects_page).post(project_create))
        .route("/console/admin/projects/{id}", post(project_update))
        .route("/console/admin/projects/{id}/delete", post(project_delete))
}

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
            ProjectStage { title: LocalizedText::new(kk, ru, en), done }
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
                option value=(project_status_code(s)) selected[s == current] { (l.t(&format!("project-{}", project_status_code(s)))) }
            }
        }
    }
}

async fn projects_page(State(st): State<AppState>, a: AdminOp) -> Answer {
    let op = &a.op;
    let l = op.l;
    let all = projects::list(&st, &a.admin).await.shown(l)?;
    let body = html! {
        @for p in &all {
            form.card method="post" action={"/console/admin/projects/" (p.id)} {
                (csrf(op))
                h2 { (p.title.get(l.0)) }
                p.muted { (p.description.get(l.0)) }
                label { (l.t("console-col-status")) (status_select(l, p.status)) }
                label { (l.t("console-projects-stages")) textarea name="stages" rows="4" { (stages_text(&p.stages)) } }
                button type="submit" { (l.t("console-common-save")) }
            }
            form.inline method="post" action={"/console/admin/projects/" (p.id) "/delete"} {
                (csrf(op)) button.danger type="submit" { (l.t("console-common-delete")) }
            }
        }
        form.card #new-project method="post" action="/console/admin/projects" {
            (csrf(op))
            h2 { (l.t("console-projects-create")) }
            (text_inputs("title", per_language(l, "console-news-headline"), false, None))
            (text_inputs("description", per_language(l, "console-projects-description"), true, None))
            label { (l.t("console-col-status")) (status_select(l, ProjectStatus::Discussion)) }
            label { (l.t("console-projects-discussion_until")) input type="date" name="discussion_until"; }
            label { (l.t("console-projects-stages")) textarea name="stages" rows="4" {} }
            button.primary type="submit" { (l.t("console-common-add")) }
        }
        p.muted { (l.t("console-projects-stages_help")) }
    };
    Ok(frame(op, l.t("console-nav-projects"), body))
}

fn parse_status(l: L, s: &str) -> Result<ProjectStatus, Shown> {
    PROJECT_STATUSES
        .into_iter()
        .find(|p| project_status_code(*p) == s)
        .ok_or_else(|| invalid(l, "status", "unknown status"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProjectForm {
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

async fn project_create(State(st): State<AppState>, Posted(a, f): Posted<ProjectForm, AdminOp>) -> Answer {
    // The discussion runs to the end of that local day.
    let until = NaiveDate::parse_from_str(f.discussion_until.trim(), "%Y-%m-%d").ok().and_then(|d| {
        use chrono::TimeZone;
        crate::domain::calendar::local_offset()
            .from_local_datetime(&d.and_hms_opt(23, 59, 59)?)
            .single()
            .map(|t| t.with_timezone(&Utc))
    });
    let input = ProjectInput {
        title: LocalizedText::new(f.title_kk, f.title_ru, f.title_en),
        description: LocalizedText::new(f.description_kk, f.description_ru, f.description_en),
        status: parse_status(a.l, &f.status)?,
        stages: parse_stages(&f.stages),
        discussion_until: until,
    };
    projects::create(&st, &a.admin, input).await.shown(a.l)?;
    back("/console/admin/projects")
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProjectUpdateForm {
    status: String,
    stages: String,
}

async fn project_update(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, f): Posted<ProjectUpdateForm, AdminOp>,
) -> Answer {
    let status = parse_status(a.l, &f.status)?;
    projects::set_progress(&st, &a.admin, id, status, parse_stages(&f.stages)).await.shown(a.l)?;
    back("/console/admin/projects")
}

/// Takes a project down with its comments; phones pull a tombstone.
async fn project_delete(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, _): Posted<Nothing, AdminOp>,
) -> Answer {
    projects::delete(&st, &a.admin, id).await.shown(a.l)?;
    back("/console/admin/projects")
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
}
