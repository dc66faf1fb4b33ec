//! The console's page frame, error pages and small shared pieces of markup.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};
use qala_protocol::{Lang, ReportStatus};

use super::i18n::L;
use super::session::Operator;
use crate::domain::calendar::local_offset;
use crate::error::AppError;

/// What a console handler answers: a page or a redirect, or an error shown as a page.
pub type Answer = Result<Response, Shown>;

/// An error shown to an operator as a page in their language, with the status the API would give.
pub struct Shown(pub L, pub AppError);

impl IntoResponse for Shown {
    fn into_response(self) -> Response {
        let Shown(l, e) = self;
        let status = e.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %e, "console request failed");
            l.t("console-error-internal").to_string()
        } else {
            e.to_string()
        };
        let body = bare_page(
            l,
            l.t("console-error-title"),
            html! {
                div.card {
                    h1 { (l.t("console-error-title")) }
                    p.error role="alert" { (message) }
                    p { a href="/console" { (l.t("console-error-back")) } }
                }
            },
        );
        html_page(status, body)
    }
}

/// A console page as a response. Pages hold residents' reports: never cached, never framed by
/// another site, and allowed to load nothing but this server's own stylesheet and media.
pub fn html_page(status: StatusCode, markup: Markup) -> Response {
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; media-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    (status, headers, Html(markup.into_string())).into_response()
}

/// Turns a store or domain error into an error page.
pub trait ShowErr<T> {
    fn shown(self, l: L) -> Result<T, Shown>;
}

/// Any layer's error (the API's, the service layer's, the store's) becomes a page.
impl<T, E: Into<AppError>> ShowErr<T> for Result<T, E> {
    fn shown(self, l: L) -> Result<T, Shown> {
        self.map_err(|e| Shown(l, e.into()))
    }
}

fn head(l: L, title: &str) -> Markup {
    html! {
        (DOCTYPE)
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) " · Qala" }
        link rel="stylesheet" href="/console/style.css";
        // The language of the page, for screen readers and hyphenation.
        meta name="language" content=(l.0.code());
    }
}

fn lang_switch(l: L) -> Markup {
    html! {
        nav.langs aria-label=(l.t("console-nav-language")) {
            @for lang in Lang::ALL {
                @if lang == l.0 { strong { (lang.code()) } } @else { a href={"/console/lang/" (lang.code())} { (lang.code()) } }
            }
        }
    }
}

/// A page without the signed-in frame (login, errors).
pub fn bare_page(l: L, title: &str, body: Markup) -> Markup {
    html! {
        html lang=(l.0.code()) {
            head { (head(l, title)) }
            body.bare { (lang_switch(l)) main { (body) } }
        }
    }
}

/// A signed-in page: the menu (what this operator may open), who is signed in, the language
/// switch and sign-out.
pub fn frame(op: &Operator, title: &str, body: Markup) -> Response {
    let l = op.l;
    let markup = html! {
        html lang=(l.0.code()) {
            head { (head(l, title)) }
            body {
                header.top {
                    a.brand href="/console" { "Qala" }
                    nav.menu {
                        a href="/console" { (l.t("console-nav-queue")) }
                        a href="/console/escalation" { (l.t("console-nav-escalation")) }
                        @if op.is_admin() {
                            a href="/console/admin/catalog" { (l.t("console-nav-catalog")) }
                            a href="/console/admin/staff" { (l.t("console-nav-staff")) }
                            a href="/console/admin/news" { (l.t("console-nav-news")) }
                            a href="/console/admin/projects" { (l.t("console-nav-projects")) }
                            a href="/console/admin/comments" { (l.t("console-nav-comments")) }
                            a href="/console/admin/holidays" { (l.t("console-nav-holidays")) }
                        }
                    }
                    div.who {
                        span { (op.name) @if let Some(a) = &op.agency_name { " · " (a) } }
                        (lang_switch(l))
                        form method="post" action="/console/logout" {
                            (csrf(op))
                            button.link type="submit" { (l.t("console-nav-logout")) }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    };
    html_page(StatusCode::OK, markup)
}

/// The hidden CSRF field every form carries.
pub fn csrf(op: &Operator) -> Markup {
    html! { input type="hidden" name="csrf" value=(op.csrf); }
}

/// Local (UTC+5) date and time.
pub fn when(t: DateTime<Utc>) -> String {
    t.with_timezone(&local_offset()).format("%d.%m.%Y %H:%M").to_string()
}

/// Local date.
pub fn day(t: DateTime<Utc>) -> String {
    t.with_timezone(&local_offset()).format("%d.%m.%Y").to_string()
}

/// How long ago: "3 d 4 h", "5 h", in the page's language.
pub fn age(l: L, since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let hours = (now - since).num_hours().max(0);
    let (d, h) = (hours / 24, hours % 24);
    if d > 0 {
        format!("{d} {} {h} {}", l.t("console-age-d"), l.t("console-age-h"))
    } else {
        format!("{h} {}", l.t("console-age-h"))
    }
}

pub fn status_chip(l: L, s: ReportStatus) -> Markup {
    html! { span class={"chip " (s.as_str())} { (l.status(s)) } }
}

/// A report's deadline: red when it has passed and the report is still open.
pub fn deadline(l: L, at: DateTime<Utc>, status: ReportStatus, now: DateTime<Utc>) -> Markup {
    let late = status.is_open() && at < now;
    html! {
        @if late { span.overdue title=(l.t("console-queue-overdue")) { "⚠ " (day(at)) } } @else { span { (day(at)) } }
    }
}

/// A notice at the top of a page after an action.
pub fn notice(text: &str) -> Markup {
    html! { p.notice role="status" { (text) } }
}

pub async fn stylesheet() -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], CSS)
        .into_response()
}

/// One small stylesheet: readable on a laptop and a tablet, tables that scroll sideways on narrow
/// screens, red for what is overdue.
const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f4f6f9}
a{color:#0b5cad}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.6rem 1rem;background:#0d3b66;color:#fff}
header.top a{color:#fff;text-decoration:none}
.brand{font-weight:700;font-size:1.2rem}
nav.menu{display:flex;flex-wrap:wrap;gap:.25rem 1rem;flex:1}
nav.menu a:hover{text-decoration:underline}
.who{display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
.who form{margin:0}
.langs{display:flex;gap:.4rem}
.langs a,.langs strong{padding:0 .2rem}
body.bare .langs{justify-content:flex-end;padding:.6rem 1rem}
main{padding:1rem;max-width:1200px;margin:0 auto}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.15rem;margin:1.4rem 0 .6rem}
.card{background:#fff;border-radius:8px;padding:1rem;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:1rem}
.login{max-width:380px;margin:3rem auto}
label{display:block;margin:.4rem 0;font-weight:500}
label input,label select,label textarea{display:block;width:100%;margin-top:.2rem}
input,select,textarea,button{font:inherit;padding:.45rem .55rem;border:1px solid #b8c2d0;border-radius:6px;background:#fff}
textarea{min-height:5rem}
button{cursor:pointer;background:#e8edf4}
button.primary{background:#0b5cad;color:#fff;border-color:#0b5cad}
button.danger{background:#b3261e;color:#fff;border-color:#b3261e}
button.link{background:none;border:none;color:inherit;text-decoration:underline;padding:0}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
.filters label{margin:0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e3e8ef;vertical-align:top}
th{background:#eef2f7;font-weight:600;white-space:nowrap}
tr.overdue td{background:#fdecea}
tr.due-soon td{background:#fff6d6}
.soon{color:#8a5a00;font-weight:600}
.overdue{color:#b3261e;font-weight:600}
.chip{display:inline-block;padding:.05rem .5rem;border-radius:999px;background:#e3e8ef;font-size:.85rem;white-space:nowrap}
.chip.registered,.chip.reopened{background:#fff1c2}
.chip.assigned,.chip.in_progress{background:#d7e9fb}
.chip.done,.chip.closed{background:#d8f0dc}
.chip.rejected,.chip.withdrawn{background:#f3d9d7}
.error{color:#b3261e;font-weight:500}
.notice{background:#d8f0dc;padding:.5rem .8rem;border-radius:6px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1rem}
.media{display:flex;flex-wrap:wrap;gap:.5rem}
.media img,.media video{max-width:320px;max-height:240px;border-radius:6px;background:#000}
.actions form{margin-bottom:1rem}
.inline{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
.inline input,.inline select{width:auto}
.muted{color:#5d6b7e}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.6rem 0}
dt{color:#5d6b7e}
dd{margin:0}
.pager{display:flex;gap:1rem;margin:.8rem 0}
"#;
