//! City projects: the list, a project with its stages, and its discussion — threaded comments with
//! a position (for / against / neutral), written offline and queued like reports.

use qala_protocol::commands::{self as cmd, CommentArgs, FlagCommentArgs, NoArgs, ProjectArgs};
use qala_protocol::{Position, ProjectStatus, SyncState};
use uuid::Uuid;
use yew::prelude::*;

use super::{pending, value_of};
use crate::app::{Ctx, Route};
use crate::format;
use crate::hooks::{run, use_call};

fn status_key(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Discussion => "project-discussion",
        ProjectStatus::Approved => "project-approved",
        ProjectStatus::InProgress => "project-in_progress",
        ProjectStatus::Done => "project-done",
        ProjectStatus::Cancelled => "project-cancelled",
    }
}

fn position_key(p: Position) -> &'static str {
    match p {
        Position::For => "position-for",
        Position::Against => "position-against",
        Position::Neutral => "position-neutral",
    }
}

#[function_component]
pub fn ProjectList() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let projects = use_call::<cmd::Projects>(NoArgs {}, ctx.tick);
    if let Some(p) = pending(&ctx, &projects) {
        return p;
    }
    let items = projects.as_ref().and_then(|n| n.as_ref().ok()).cloned().unwrap_or_default();
    html! {
        <section class="projects">
            <h1>{ctx.i.t("tab-projects")}</h1>
            if items.is_empty() { <p class="muted empty">{ctx.i.t("no-projects")}</p> }
            <ul class="list" id="project-list">
            { for items.into_iter().map(|p| {
                let (go, id) = (ctx.go.clone(), p.id);
                html! {
                    <li class="card project-row" onclick={Callback::from(move |_| go.emit(Route::Project(id)))}>
                        <strong>{format::text(&p.title, &ctx.i)}</strong>
                        <span class="chip work">{ctx.i.t(status_key(p.status))}</span>
                    </li>
                }
            }) }
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ProjectProps {
    pub id: Uuid,
}

#[function_component]
pub fn ProjectPage(p: &ProjectProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let i = ctx.i.clone();
    let projects = use_call::<cmd::Projects>(NoArgs {}, ctx.tick);
    let comments = use_call::<cmd::Comments>(ProjectArgs { project: p.id }, ctx.tick);
    let body = use_state(String::new);
    let position = use_state(|| Position::Neutral);
    let reply_to = use_state(|| None::<Uuid>);
    let error = use_state(|| None::<String>);
    if let Some(x) = pending(&ctx, &projects) {
        return x;
    }
    let Some(project) =
        projects.as_ref().and_then(|n| n.as_ref().ok()).and_then(|n| n.iter().find(|x| x.id == p.id).cloned())
    else {
        return html! { <p class="error">{i.t("not-found")}</p> };
    };
    let comments = comments.as_ref().and_then(|c| c.as_ref().ok()).cloned().unwrap_or_default();
    let open =
        project.status == ProjectStatus::Discussion && project.discussion_until.is_none_or(|u| u > format::now());
    let send = {
        let (body, position, reply_to, error, refresh, project) =
            (body.clone(), position.clone(), reply_to.clone(), error.clone(), ctx.refresh.clone(), p.id);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (body, reply_to, error, refresh) = (body.clone(), reply_to.clone(), error.clone(), refresh.clone());
            let args = CommentArgs { project, parent: *reply_to, body: (*body).clone(), position: *position };
            run::<cmd::CommentOn>(args, move |r| match r {
                Ok(_) => {
                    body.set(String::new());
                    reply_to.set(None);
                    error.set(None);
                    refresh.emit(())
                }
                Err(e) => error.set(Some(e)),
            });
        })
    };
    let back = {
        let back = ctx.back.clone();
        Callback::from(move |_| back.emit(()))
    };
    // Flagging asks nothing more: one tap, queued offline like a comment.
    let flag = {
        let (error, refresh) = (error.clone(), ctx.refresh.clone());
        Callback::from(move |comment: Uuid| {
            let (error, refresh) = (error.clone(), refresh.clone());
            run::<cmd::FlagComment>(FlagCommentArgs { comment, reason: None }, move |r| match r {
                Ok(()) => refresh.emit(()),
                Err(e) => error.set(Some(e)),
            });
        })
    };
    html! {
        <section class="project">
            <button class="link back" onclick={back}>{"← "}{i.t("back")}</button>
            <h1 id="project-title">{format::text(&project.title, &i)}</h1>
            <span class="chip work">{i.t(status_key(project.status))}</span>
            { for format::text(&project.description, &i).split("\n\n").map(|para| html! { <p>{para.to_string()}</p> }) }
            if !project.stages.is_empty() {
                <h3>{i.t("stages")}</h3>
                <ol class="stages">{ for project.stages.iter().map(|s| html! {
                    <li class={classes!(s.done.then_some("done"))}>{if s.done { "✓ " } else { "○ " }}{format::text(&s.title, &i)}</li>
                }) }</ol>
            }
            <h3>{i.t("discussion")}</h3>
            <ul class="comments" id="comments">
            { for comments.iter().map(|c| {
                let (reply_to, id) = (reply_to.clone(), c.comment.id);
                let mine = c.mine || c.comment.author == "me";
                html! {
                    <li class="comment" style={format!("margin-left: {}em", c.depth.min(4))} data-id={id.to_string()}>
                        <div class="row small">
                            <strong>{if mine { i.t("me") } else { c.comment.author.clone() }}</strong>
                            <span class={classes!("pos", format!("pos-{}", position_key(c.comment.position)))}>{i.t(position_key(c.comment.position))}</span>
                            <span class="muted">{format::datetime(c.comment.created_at)}</span>
                        </div>
                        <p class="comment-body">{c.comment.body.clone()}</p>
                        { match &c.sync {
                            SyncState::Queued => html! { <span class="small muted queued">{i.t("comment-queued")}</span> },
                            SyncState::Rejected { reason, .. } => html! { <span class="small error">{reason.clone()}</span> },
                            SyncState::Sent => html! {},
                        } }
                        if open { <button class="link small" onclick={Callback::from(move |_| reply_to.set(Some(id)))}>{i.t("reply")}</button> }
                        if c.flagged {
                            <span class="small muted flagged">{i.t("comment-flagged")}</span>
                        } else if !mine {
                            <button class="link small flag" title={i.t("comment-flag-hint")} onclick={flag.reform(move |_| id)}>{"⚑ "}{i.t("comment-flag")}</button>
                        }
                    </li>
                }
            }) }
            </ul>
            if comments.is_empty() { <p class="muted">{i.t("no-comments")}</p> }
            if open {
                <form class="card comment-form" onsubmit={send}>
                    if reply_to.is_some() {
                        <p class="small">{i.t("replying")}{" "}
                            <button type="button" class="link" onclick={let r = reply_to.clone(); Callback::from(move |_| r.set(None))}>{i.t("cancel")}</button></p>
                    }
                    <div class="positions" role="radiogroup">
                    { for [Position::For, Position::Against, Position::Neutral].into_iter().map(|x| {
                        let position = position.clone();
                        html! { <button type="button" id={format!("pos-{}", position_key(x))} class={classes!("pos", (*position == x).then_some("on"))}
                            onclick={Callback::from(move |_| position.set(x))}>{i.t(position_key(x))}</button> }
                    }) }
                    </div>
                    <textarea id="comment-body" rows="3" maxlength="2000" placeholder={i.t("comment-placeholder")} value={(*body).clone()}
                        onchange={let b = body.clone(); Callback::from(move |e: Event| b.set(value_of(&e)))} />
                    <button id="comment-send" class="primary" type="submit">{i.t("comment-send")}</button>
                </form>
            } else {
                <p class="muted small">{i.t("discussion-closed")}</p>
            }
            if let Some(e) = &*error { <p class="error" role="alert">{e.clone()}</p> }
        </section>
    }
}
