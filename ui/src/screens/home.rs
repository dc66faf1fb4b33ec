//! Home: the big "report a problem" button and my reports with their status, deadline and sync state.

use qala_protocol::Category;
use qala_protocol::commands::{self as cmd, NoArgs};
use yew::prelude::*;

use super::{category_name, pending};
use crate::app::{Ctx, Route};
use crate::format;
use crate::hooks::use_call;

#[function_component]
pub fn Home() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let reports = use_call::<cmd::MyReports>(NoArgs {}, ctx.tick);
    let cats = use_call::<cmd::Categories>(NoArgs {}, ctx.tick);
    let i = &ctx.i;
    let cats: Vec<Category> = cats.as_ref().and_then(|c| c.as_ref().ok()).cloned().unwrap_or_default();
    let new_report = {
        let go = ctx.go.clone();
        Callback::from(move |_| go.emit(Route::NewReport))
    };
    let list = if let Some(p) = pending(&ctx, &reports) {
        p
    } else {
        let reports = reports.as_ref().and_then(|r| r.as_ref().ok()).cloned().unwrap_or_default();
        if reports.is_empty() {
            html! { <p class="muted empty">{i.t("no-reports")}</p> }
        } else {
            let now = format::now();
            reports
                .into_iter()
                .map(|r| {
                    let go = ctx.go.clone();
                    let id = r.id;
                    let (chip_class, chip, number, due) = match &r.report {
                        Some(rep) => {
                            let (due, overdue) = format::deadline(i, rep.status, rep.deadline, now);
                            (format::status_class(rep.status), i.t(format::status_key(rep.status)), rep.registration_number.clone(), Some((due, overdue)))
                        }
                        None => ("chip wait", i.t(format::local_status_key(&r.sync)), i.t("number-pending"), None),
                    };
                    html! {
                        <li class="card report-row" data-id={id.to_string()} onclick={Callback::from(move |_| go.emit(Route::Report(id)))}>
                            <div class="row">
                                <strong class="cat">{category_name(&cats, &r.category, &ctx)}</strong>
                                <span class={chip_class}>{chip}</span>
                            </div>
                            <div class="row small">
                                <span class="number">{number}</span>
                                if let Some((due, overdue)) = due {
                                    <span class={classes!("due", overdue.then_some("overdue"))}>{due}</span>
                                }
                            </div>
                            if !r.description.is_empty() { <div class="desc small">{r.description.clone()}</div> }
                        </li>
                    }
                })
                .collect::<Html>()
        }
    };
    html! {
        <section class="home">
            <h1>{"Qala"}</h1>
            <button id="new-report" class="big primary" onclick={new_report}>{"+ "}{i.t("report-problem")}</button>
            <h2>{i.t("my-reports")}</h2>
            <ul class="list" id="my-reports">{list}</ul>
        </section>
    }
}
