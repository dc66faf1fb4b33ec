//! City news: the list and an article, both read from the phone's copy (offline too).

use qala_protocol::commands::{self as cmd, NoArgs};
use uuid::Uuid;
use yew::prelude::*;

use super::pending;
use crate::app::{Ctx, Route};
use crate::format;
use crate::hooks::use_call;

#[function_component]
pub fn NewsList() -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let news = use_call::<cmd::News>(NoArgs {}, ctx.tick);
    if let Some(p) = pending(&ctx, &news) {
        return p;
    }
    let items = news.as_ref().and_then(|n| n.as_ref().ok()).cloned().unwrap_or_default();
    html! {
        <section class="news">
            <h1>{ctx.i.t("tab-news")}</h1>
            if items.is_empty() { <p class="muted empty">{ctx.i.t("no-news")}</p> }
            <ul class="list" id="news-list">
            { for items.into_iter().map(|n| {
                let (go, id) = (ctx.go.clone(), n.id);
                html! {
                    <li class="card news-row" onclick={Callback::from(move |_| go.emit(Route::Article(id)))}>
                        <strong>{format::text(&n.title, &ctx.i)}</strong>
                        <div class="small muted">{format::date(n.published_at)}</div>
                    </li>
                }
            }) }
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ArticleProps {
    pub id: Uuid,
}

#[function_component]
pub fn Article(p: &ArticleProps) -> Html {
    let ctx = use_context::<Ctx>().expect("ctx");
    let news = use_call::<cmd::News>(NoArgs {}, ctx.tick);
    if let Some(x) = pending(&ctx, &news) {
        return x;
    }
    let item = news.as_ref().and_then(|n| n.as_ref().ok()).and_then(|n| n.iter().find(|i| i.id == p.id).cloned());
    let back = {
        let back = ctx.back.clone();
        Callback::from(move |_| back.emit(()))
    };
    html! {
        <article class="article">
            <button class="link back" onclick={back}>{"← "}{ctx.i.t("back")}</button>
            if let Some(n) = item {
                <h1 id="article-title">{format::text(&n.title, &ctx.i)}</h1>
                <p class="small muted">{format::datetime(n.published_at)}</p>
                { for format::text(&n.body, &ctx.i).split("\n\n").map(|para| html! { <p>{para.to_string()}</p> }) }
            } else {
                <p class="error">{ctx.i.t("not-found")}</p>
            }
        </article>
    }
}
