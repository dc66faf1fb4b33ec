//! Comment moderation: hidden and flagged comments first, each with hide and restore (or keep).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::back;
use crate::app::AppState;
use crate::console::forms::{Nothing, Posted};
use crate::console::layout::{Answer, ShowErr, csrf, frame, when};
use crate::console::session::AdminOp;
use crate::service::comments;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/admin/comments", get(comments_page))
        .route("/console/admin/comments/{id}/hide", post(comment_hide))
        .route("/console/admin/comments/{id}/restore", post(comment_restore))
}

async fn comments_page(State(st): State<AppState>, a: AdminOp) -> Answer {
    let op = &a.op;
    let l = op.l;
    let items = comments::for_review(&st, &a.admin).await.shown(l)?;
    let body = html! {
        @if items.is_empty() { p.card { (l.t("console-comments-none")) } }
        div.scroll { table #comments {
            thead { tr { th { (l.t("console-comments-author")) } th { (l.t("console-comments-text")) } th { (l.t("console-comments-flags")) } th { (l.t("console-col-status")) } th {} } }
            tbody { @for m in &items {
                tr data-id=(m.comment.id) class=[(m.hidden && !m.reviewed).then_some("overdue")] {
                    td { (m.comment.author) br; span.muted { (when(m.comment.created_at)) } }
                    td { (m.comment.body) }
                    td { (m.flags) }
                    td {
                        @if m.hidden { (l.t("console-comments-hidden")) @if let Some(r) = &m.hidden_reason { ": " (r) } }
                        @else { (l.t("console-comments-visible")) }
                        @if !m.reviewed && (m.hidden || m.flags > 0) { br; strong { (l.t("console-comments-pending")) } }
                    }
                    td {
                        form.inline method="post" action={"/console/admin/comments/" (m.comment.id) "/hide"} {
                            (csrf(op))
                            input name="reason" required maxlength="500" placeholder=(l.t("console-comments-reason"));
                            button.danger type="submit" { (l.t("console-comments-hide")) }
                        }
                        @if m.hidden || !m.reviewed {
                            form method="post" action={"/console/admin/comments/" (m.comment.id) "/restore"} {
                                (csrf(op)) button type="submit" { (l.t(if m.hidden { "console-comments-restore" } else { "console-comments-keep" })) }
                            }
                        }
                    }
                }
            } }
        } }
    };
    Ok(frame(op, l.t("console-nav-comments"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HideForm {
    reason: String,
}

async fn comment_hide(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, f): Posted<HideForm, AdminOp>,
) -> Answer {
    comments::hide(&st, &a.admin, id, &f.reason).await.shown(a.l)?;
    back("/console/admin/comments")
}

async fn comment_restore(
    State(st): State<AppState>,
    Path(id): Path<Uuid>,
    Posted(a, _): Posted<Nothing, AdminOp>,
) -> Answer {
    comments::restore(&st, &a.admin, id).await.shown(a.l)?;
    back("/console/admin/comments")
}
