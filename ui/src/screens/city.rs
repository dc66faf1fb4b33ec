//! The city: other residents' reports, newest first — first those the phone holds (its districts'
//! open and recently settled reports, offline too), then older pages read online — a search by
//! registration number, and one report as the public sees it, with its whole description.

use qala_protocol::commands::{self as cmd, FeedArgs, FindReportArgs, IdArgs, NoArgs};
use qala_protocol::{Category, PublicReport};
use uuid::Uuid;
use yew::prelude::*;

use super::{category_name, input_value, pending};
use crate::app::{Ctx, Route};
use crate::format;
use crate::hooks::{run, use_call};

/// Reports per page of the feed.
const PAGE: u32 = 30;

fn row(ctx: &Ctx, cats: &[Category], r: &PublicReport) -> Html {
    let (go, id) = (ctx.go.clone(), r.id);
    let i = &ctx.i;
    html! {
        <li class="card report-row public" data-id={id.to_string()} onclick={Callback::from(move |_| go.emit(Route::PublicReport(id)))}>
            <div class="row">
                <strong class="cat">{category_name(cats, &r.category, ctx)}</strong>
                <span class={format::status_class(r.status)}>{i.t(format::status_key(r.status))}</span>
            </div>
            <div class="row small">
                <span class="number">{r.registration_number.clone()}</span>
                <span class="muted">{format::date(r.registered_at)}</span>
            </div>
            if !r.description.is_empty() {
                <div class="desc small">{r.description.clone()}{if r.more { "…" } else { "" }}</div>
            }
        </li>
    }
}

#[function_component]
pub fn City() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let i = &ctx.i;
    let cats = use_call::<cmd::Categories>(NoArgs {}, ctx.tick);
    let cats: Vec<Category> = cats.as_ref().and_then(|c| c.as_ref().ok()).cloned().unwrap_or_default();
    let first = use_call::<cmd::Feed>(FeedArgs { before: None, limit: PAGE }, ctx.tick);
    // Older pages the resident asked for, appended below the first.
    let older = use_state(Vec::<PublicReport>::new);
    let busy = use_state(|| false);
    let end = use_state(|| false);
    let error = use_state(|| None::<String>);
    let number = use_state(String::new);
    let found = use_state(|| None::<Option<PublicReport>>);
    if let Some(p) = pending(&ctx, &first) {
        return p;
    }
    let first: Vec<PublicReport> = first.as_ref().and_then(|f| f.as_ref().ok()).cloned().unwrap_or_default();
    let shown: Vec<PublicReport> = first.iter().chain(older.iter()).cloned().collect();
    let more = {
        let (older, busy, end, error) = (older.clone(), busy.clone(), end.clone(), error.clone());
        let before = shown.last().map(|r| (r.registered_at, r.id));
        Callback::from(move |_| {
            let (older, busy, end, error) = (older.clone(), busy.clone(), end.clone(), error.clone());
            busy.set(true);
            run::<cmd::Feed>(FeedArgs { before, limit: PAGE }, move |r| {
                busy.set(false);
                match r {
                    Ok(page) => {
                        end.set((page.len() as u32) < PAGE);
                        let mut all = (*older).clone();
                        all.extend(page);
                        older.set(all);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let find = {
        let (number, found, error) = (number.clone(), found.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (found, error) = (found.clone(), error.clone());
            run::<cmd::FindReport>(FindReportArgs { number: (*number).clone() }, move |r| match r {
                Ok(f) => {
                    error.set(None);
                    found.set(Some(f))
                }
                Err(e) => error.set(Some(e)),
            });
        })
    };
    html! {
        <section class="city">
            <h1>{i.t("tab-city")}</h1>
            <form id="find-report" class="row" onsubmit={find}>
                <input id="find-number" type="search" autocomplete="off" placeholder={i.t("find-number-hint")}
                    value={(*number).clone()}
                    oninput={let n = number.clone(); Callback::from(move |e: InputEvent| n.set(input_value(&e)))} />
                <button class="secondary" type="submit">{i.t("find")}</button>
            </form>
            if let Some(f) = &*found {
                <ul class="list" id="found">
                    if let Some(r) = f { {row(&ctx, &cats, r)} } else { <li class="muted">{i.t("not-found")}</li> }
                </ul>
            }
            if shown.is_empty() { <p class="muted empty">{i.t("no-city-reports")}</p> }
            <ul class="list" id="city-feed">{ for shown.iter().map(|r| row(&ctx, &cats, r)) }</ul>
            if !shown.is_empty() && !*end {
                <button id="feed-more" class="secondary" disabled={*busy} onclick={more}>{i.t("load-more")}</button>
            }
            if let Some(e) = &*error { <p class="error" role="alert">{e.clone()}</p> }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct PublicReportProps {
    pub id: Uuid,
}

/// One report as the public sees it: its whole description is read online when the phone holds
/// only the summary, or nothing (a report settled long ago, opened from a link).
#[function_component]
pub fn PublicReportPage(p: &PublicReportProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let i = &ctx.i;
    let report = use_call::<cmd::PublicReportById>(IdArgs { id: p.id }, ctx.tick);
    let cats = use_call::<cmd::Categories>(NoArgs {}, ctx.tick);
    let cats: Vec<Category> = cats.as_ref().and_then(|c| c.as_ref().ok()).cloned().unwrap_or_default();
    let back = {
        let back = ctx.back.clone();
        Callback::from(move |_| back.emit(()))
    };
    if let Some(x) = pending(&ctx, &report) {
        return x;
    }
    let r = report.as_ref().and_then(|r| r.as_ref().ok()).cloned().flatten();
    html! {
        <article class="public-report">
            <button class="link back" onclick={back}>{"← "}{i.t("back")}</button>
            if let Some(r) = r {
                <h1 id="public-number">{r.registration_number.clone()}</h1>
                <p><strong>{category_name(&cats, &r.category, &ctx)}</strong>{" "}
                    <span class={format::status_class(r.status)}>{i.t(format::status_key(r.status))}</span></p>
                <p class="small muted">{format::datetime(r.registered_at)}</p>
                if let Some(a) = &r.address { <p class="small">{"📍 "}{a.clone()}</p> }
                <p id="public-description">{r.description.clone()}{if r.more { "…" } else { "" }}</p>
            } else {
                <p class="error">{i.t("not-found")}</p>
            }
        </article>
    }
}
