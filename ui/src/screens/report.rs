//! One of my reports: number, status and its history, agency, deadline, my photos beside the
//! agency's photo report, then rating (1–2 reopens), complaint or withdrawal.

use qala_protocol::ReportStatus;
use qala_protocol::commands::{self as cmd, ComplainArgs, IdArgs, NoArgs, RateArgs, WithdrawArgs};
use uuid::Uuid;
use yew::prelude::*;

use super::{category_name, pending, value_of};
use crate::app::Ctx;
use crate::format;
use crate::hooks::{run, use_call};
use crate::i18n::Arg;
use crate::{bridge, i18n::I18n};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: Uuid,
}

/// What the resident does to a report from its page.
enum Act {
    Rate(RateArgs),
    Complain(ComplainArgs),
    Withdraw(WithdrawArgs),
}

#[function_component]
pub fn ReportPage(p: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let i = ctx.i.clone();
    let report = use_call::<cmd::MyReportById>(IdArgs { id: p.id }, ctx.tick);
    let cats = use_call::<cmd::Categories>(NoArgs {}, ctx.tick);
    let agencies = use_call::<cmd::Agencies>(NoArgs {}, ctx.tick);
    let stars = use_state(|| 0u8);
    let rate_text = use_state(String::new);
    let complaint = use_state(String::new);
    let error = use_state(|| None::<String>);
    let anonymising = use_state(|| false);

    if let Some(x) = pending(&ctx, &report) {
        return x;
    }
    let Some(Ok(Some(r))) = (*report).clone() else {
        return html! { <p class="error">{i.t("not-found")}</p> };
    };
    let cats = cats.as_ref().and_then(|c| c.as_ref().ok()).cloned().unwrap_or_default();
    let agencies = agencies.as_ref().and_then(|c| c.as_ref().ok()).cloned().unwrap_or_default();
    let back = {
        let back = ctx.back.clone();
        Callback::from(move |_| back.emit(()))
    };
    let act = {
        let (error, refresh) = (error.clone(), ctx.refresh.clone());
        Callback::from(move |act: Act| {
            let (error, refresh) = (error.clone(), refresh.clone());
            let done = move |res: Result<(), String>| match res {
                Ok(()) => {
                    error.set(None);
                    refresh.emit(())
                }
                Err(e) => error.set(Some(e)),
            };
            match act {
                Act::Rate(args) => run::<cmd::Rate>(args, done),
                Act::Complain(args) => run::<cmd::Complain>(args, done),
                Act::Withdraw(args) => run::<cmd::Withdraw>(args, done),
            }
        })
    };
    // Taking my name off the report (online): asked twice; the report then leaves my list.
    let anonymise = {
        let (error, back, refresh, id) = (error.clone(), ctx.back.clone(), ctx.refresh.clone(), r.id);
        Callback::from(move |_| {
            let (error, back, refresh) = (error.clone(), back.clone(), refresh.clone());
            run::<cmd::AnonymiseReport>(IdArgs { id }, move |res| match res {
                Ok(()) => {
                    back.emit(());
                    refresh.emit(())
                }
                Err(e) => error.set(Some(e)),
            });
        })
    };
    let anonymise_part = r.report.is_some().then(|| {
        if *anonymising {
            html! {
                <div id="anonymise-confirm" class="card warn" role="alert">
                    <p>{i.t("anonymise-warning")}</p>
                    <button id="anonymise-confirm-button" class="secondary" onclick={anonymise.clone()}>{i.t("anonymise")}</button>
                    <button class="link" onclick={let a = anonymising.clone(); Callback::from(move |_| a.set(false))}>{i.t("cancel")}</button>
                </div>
            }
        } else {
            html! { <button id="anonymise" class="link" onclick={let a = anonymising.clone(); Callback::from(move |_| a.set(true))}>{i.t("anonymise")}</button> }
        }
    });
    let my_photos = r.media.iter().map(|m| media(&m.id, m.kind, &i)).collect::<Html>();
    let now = format::now();

    let head = match &r.report {
        None => html! {
            <>
                <p class="number" id="report-number">{i.t("number-pending")}</p>
                <span id="report-status" class="chip wait">{i.t(format::local_status_key(&r.sync))}</span>
                if let qala_protocol::SyncState::Rejected { reason, .. } = &r.sync {
                    <p class="error">{i.t_args("refused-because", &[("reason", Arg::Str(reason.clone()))])}</p>
                }
            </>
        },
        Some(rep) => {
            let (due, overdue) = format::deadline(&i, rep.status, rep.deadline, now);
            let agency = agencies
                .iter()
                .find(|a| a.code == rep.agency)
                .map(|a| a.name.get(i.lang).to_string())
                .unwrap_or_else(|| rep.agency.clone());
            html! {
                <>
                    <p class="number" id="report-number">{rep.registration_number.clone()}</p>
                    <span id="report-status" class={format::status_class(rep.status)}>{i.t(format::status_key(rep.status))}</span>
                    <dl>
                        <dt>{i.t("agency")}</dt><dd id="agency">{agency}</dd>
                        <dt>{i.t("deadline")}</dt>
                        <dd class={classes!("due", overdue.then_some("overdue"))} id="deadline">{format::date(rep.deadline)}
                            if !due.is_empty() { {" · "}{due} }</dd>
                        if let Some(x) = &rep.executor { <dt>{i.t("executor")}</dt><dd>{x.clone()}</dd> }
                    </dl>
                </>
            }
        }
    };

    let body = r.report.as_ref().map(|rep| {
        let history = rep.history.iter().rev().map(|h| html! {
            <li><span class={format::status_class(h.status)}>{i.t(format::status_key(h.status))}</span>
                {" "}<span class="small muted">{format::datetime(h.at)}</span>
                if let Some(n) = &h.note { <div class="small">{n.clone()}</div> }</li>
        }).collect::<Html>();
        let answer = rep.answer.as_ref().map(|a| html! {
            <section class="card answer" id="answer">
                <h3>{i.t("answer")}</h3>
                <p id="answer-text">{a.text.clone()}</p>
                <p class="small muted">{format::datetime(a.at)}</p>
                <div class="side-by-side">
                    <figure><figcaption>{i.t("before")}</figcaption><div class="thumbs">{my_photos.clone()}</div></figure>
                    <figure><figcaption>{i.t("after")}</figcaption><div class="thumbs">{ for a.media.iter().map(|m| media(&m.id, m.kind, &i)) }</div></figure>
                </div>
            </section>
        });
        let rejection = rep.rejection.as_ref().map(|x| html! {
            <section class="card rejection" id="rejection">
                <h3>{i.t("rejected-why")}</h3>
                <p>{i.t(&format!("reason-{}", serde_json::to_value(x.reason).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()))}</p>
                <p>{x.text.clone()}</p>
            </section>
        });
        let can_rate = rep.status == ReportStatus::Done && rep.rating.is_none();
        let rating = rep.rating.as_ref().map(|x| html! {
            <p id="my-rating">{i.t("your-rating")}{" "}{stars_text(x.stars)}</p>
        });
        let rate_form = can_rate.then(|| {
            let (act, id, stars_v, text) = (act.clone(), rep.id, *stars, (*rate_text).clone());
            html! {
                <section class="card rate" id="rate">
                    <h3>{i.t("rate-answer")}</h3>
                    <div class="stars" role="radiogroup">
                    { for (1..=5u8).map(|n| {
                        let stars = stars.clone();
                        html! { <button id={format!("star-{n}")} class={classes!("star", (n <= stars_v).then_some("on"))}
                            aria-label={n.to_string()} onclick={Callback::from(move |_| stars.set(n))}>{"★"}</button> }
                    }) }
                    </div>
                    if (1..=2).contains(&stars_v) { <p class="small warn">{i.t("low-rating-reopens")}</p> }
                    <textarea id="rate-comment" rows="2" placeholder={i.t("rate-comment")}
                        onchange={let t = rate_text.clone(); Callback::from(move |e: Event| t.set(value_of(&e)))} />
                    <button id="rate-send" class="primary" disabled={stars_v == 0}
                        onclick={Callback::from(move |_| act.emit(Act::Rate(RateArgs { report: id, stars: stars_v, comment: (!text.trim().is_empty()).then_some(text.clone()) })))}>
                        {i.t("rate-send")}</button>
                </section>
            }
        });
        // The server takes complaints about an answer or a rejection.
        let can_complain = matches!(rep.status, ReportStatus::Done | ReportStatus::Rejected);
        let complain_form = can_complain.then(|| {
            let (act, id, text) = (act.clone(), rep.id, (*complaint).clone());
            html! {
                <details class="card complain">
                    <summary>{i.t("complain")}</summary>
                    <textarea id="complaint" rows="2" placeholder={i.t("complain-placeholder")}
                        onchange={let t = complaint.clone(); Callback::from(move |e: Event| t.set(value_of(&e)))} />
                    <button class="secondary" disabled={text.trim().is_empty()}
                        onclick={Callback::from(move |_| act.emit(Act::Complain(ComplainArgs { report: id, text: text.clone() })))}>{i.t("complain-send")}</button>
                </details>
            }
        });
        let withdraw = (rep.status.is_open()).then(|| {
            let (act, id) = (act.clone(), rep.id);
            html! { <button id="withdraw" class="link" onclick={Callback::from(move |_| act.emit(Act::Withdraw(WithdrawArgs { report: id, reason: None })))}>{i.t("withdraw")}</button> }
        });
        html! {
            <>
                {answer}{rejection}{rating}{rate_form}{complain_form}
                <h3>{i.t("history")}</h3>
                <ul class="history" id="history">{history}</ul>
                {withdraw}
            </>
        }
    });

    html! {
        <section class="report">
            <button class="link back" onclick={back}>{"← "}{i.t("back")}</button>
            <h1>{category_name(&cats, &r.category, &ctx)}</h1>
            {head}
            if !r.description.is_empty() { <p class="desc">{r.description.clone()}</p> }
            if let Some(p) = r.report.as_ref().and_then(|x| x.public_description.clone()) {
                <p class="small" id="public-text">{i.t("public-text")}{" "}<q>{p}</q></p>
            }
            if let Some(a) = r.report.as_ref().and_then(|x| x.address.clone()) { <p class="small">{"📍 "}{a}</p> }
            if r.report.as_ref().and_then(|x| x.answer.as_ref()).is_none() { <div class="thumbs">{my_photos}</div> }
            { for r.media.iter().filter_map(|m| m.error.clone()).map(|e| html! { <p class="error small">{e}</p> }) }
            if let Some(e) = &*error { <p class="error" role="alert">{e.clone()}</p> }
            {body}
            {anonymise_part}
        </section>
    }
}

fn media(id: &Uuid, kind: qala_protocol::MediaKind, _i: &I18n) -> Html {
    match kind {
        qala_protocol::MediaKind::Photo => {
            html! { <img class="photo" src={bridge::media_url(id)} alt="" loading="lazy" /> }
        }
        qala_protocol::MediaKind::Video => {
            html! { <video src={bridge::media_url(id)} controls=true preload="metadata" /> }
        }
    }
}

fn stars_text(n: u8) -> String {
    let n = n.min(5) as usize;
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}
