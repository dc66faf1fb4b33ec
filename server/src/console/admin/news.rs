//! News: the list with publish and delete buttons, and the form that writes or edits an item.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use maud::{Markup, html};
use qala_protocol::{AdminNews, LocalizedText, NewsInput};
use serde::Deserialize;
use uuid::Uuid;

use super::{back, per_language, text_inputs};
use crate::app::AppState;
use crate::console::forms::{Nothing, Posted, ticked};
use crate::console::layout::{Answer, ShowErr, csrf, day, frame};
use crate::console::session::{AdminOp, Operator};
use crate::service::news;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/news", get(news_page).post(news_create))
        .route("/console/admin/news/{id}", get(news_edit_page).post(news_update))
        .route("/console/admin/news/{id}/publish", post(news_publish))
        .route("/console/admin/news/{id}/delete", post(news_delete))
}

/// The form that creates a news item, or edits `existing`.
fn news_form(op: &Operator, existing: Option<&AdminNews>) -> Markup {
    let l = op.l;
    let action =
        existing.map_or_else(|| "/console/admin/news".to_string(), |n| format!("/console/admin/news/{}", n.item.id));
    html! {
        form.card #news-form method="post" action=(action) {
            (csrf(op))
            h2 { (l.t(if existing.is_some() { "console-news-edit" } else { "console-news-create" })) }
            (text_inputs("title", per_language(l, "console-news-headline"), false, existing.map(|n| &n.item.title)))
            (text_inputs("body", per_language(l, "console-news-body"), true, existing.map(|n| &n.item.body)))
            label.inline { input type="checkbox" name="published" value="1" checked[existing.is_none_or(|n| n.published)]; (l.t("console-news-publish_now")) }
            button.primary type="submit" { (l.t(if existing.is_some() { "console-common-save" } else { "console-common-add" })) }
        }
    }
}

async fn news_page(State(st): State<AppState>, a: AdminOp) -> Answer {
    let op = &a.op;
    let l = op.l;
    let all = news::list(&st, &a.admin).await.shown(l)?;
    let body = html! {
        div.scroll { table #news {
            thead { tr { th { (l.t("console-news-headline")) } th { (l.t("console-news-date")) } th { (l.t("console-col-status")) } th {} } }
            tbody { @for n in &all {
                tr {
                    td { a href={"/console/admin/news/" (n.item.id)} { (n.item.title.get(l.0)) } }
                    td { (day(n.item.published_at)) }
                    td { (l.t(if n.published { "console-news-published" } else { "console-news-draft" })) }
                    td.inline {
                        form method="post" action={"/console/admin/news/" (n.item.id) "/publish"} {
                            (csrf(op))
                            input type="hidden" name="published" value=(if n.published { "" } else { "1" });
                            button type="submit" { (l.t(if n.published { "console-news-unpublish" } else { "console-news-publish" })) }
                        }
                        form method="post" action={"/console/admin/news/" (n.item.id) "/delete"} {
                            (csrf(op)) button.danger type="submit" { (l.t("console-common-delete")) }
                        }
                    }
                }
            } }
        } }
        (news_form(op, None))
    };
    Ok(frame(op, l.t("console-nav-news"), body))
}

async fn news_edit_page(State(st): State<AppState>, a: AdminOp, Path(id): Path<Uuid>) -> Answer {
    let n = news::get(&st, &a.admin, id).await.shown(a.l)?;
    Ok(frame(&a, a.l.t("console-news-edit"), news_form(&a, Some(&n))))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewsForm {
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
            title: LocalizedText::new(&self.title_kk, &self.title_ru, &self.title_en),
            body: LocalizedText::new(&self.body_kk, &self.body_ru, &self.body_en),
            published: ticked(&self.published),
        }
    }
}

async fn news_create(State(st): State<AppState>, Posted(a, f): Posted<NewsForm, AdminOp>) -> Answer {
    news::create(&st, &a.admin, f.input()).await.shown(a.l)?;
    back("/console/admin/news")
}

/// Saves an edited news item; phones pull the new text (or a tombstone when unpublished).
async fn news_update(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, f): Posted<NewsForm, AdminOp>,
) -> Answer {
    news::update(&st, &a.admin, id, f.input()).await.shown(a.l)?;
    back("/console/admin/news")
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PublishForm {
    published: Option<String>,
}

async fn news_publish(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, f): Posted<PublishForm, AdminOp>,
) -> Answer {
    news::set_published(&st, &a.admin, id, ticked(&f.published)).await.shown(a.l)?;
    back("/console/admin/news")
}

async fn news_delete(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, _): Posted<Nothing, AdminOp>,
) -> Answer {
    news::delete(&st, &a.admin, id).await.shown(a.l)?;
    back("/console/admin/news")
}
