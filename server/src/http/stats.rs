//! Public statistics, no sign-in: JSON for open data, and a plain HTML page.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use chrono::{Duration, Utc};
use qala_protocol::{Lang, PublicStats, StatsCounts};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::stats::period;
use crate::error::AppResult;

pub fn api_router() -> Router<AppState> {
    Router::new().route("/stats", get(stats))
}

pub fn page_router() -> Router<AppState> {
    Router::new().route("/stats", get(page))
}

/// The statistics as served: the JSON document and the page in each language, rendered once per
/// refresh, so that a request is a copy of bytes.
pub struct Rendered {
    json: bytes::Bytes,
    pages: [(Lang, String); 3],
}

/// The statistics as of about [`crate::cache::PUBLIC_TTL`] ago: anonymous clients polling them cost
/// one pair of aggregate queries and one rendering per minute, not one per request, and wait for
/// none of them.
async fn compute(st: &AppState) -> AppResult<Arc<Rendered>> {
    let (store, catalog) = (st.store.clone(), st.catalog.clone());
    st.stats
        .get(move || async move {
            let now = Utc::now();
            let (recent, recent_times) = store.stats_rows(Some(now - Duration::days(30)), now).await?;
            let (all, all_times) = store.stats_rows(None, now).await?;
            let s = PublicStats {
                generated_at: now,
                last_30_days: period(&recent, &recent_times),
                all_time: period(&all, &all_times),
            };
            let catalog = catalog.get();
            Ok(Rendered {
                json: serde_json::to_vec(&s)?.into(),
                pages: [Lang::Kk, Lang::Ru, Lang::En].map(|l| (l, render_page(&s, l, &catalog))),
            })
        })
        .await
}

/// Public answers may be kept by browsers and proxies as long as the server keeps them.
fn public_cache() -> [(HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static(crate::cache::PUBLIC_MAX_AGE))]
}

/// Counts by status, category and agency, share answered on time and median time to answer, for
/// the last 30 days and all time.
#[utoipa::path(get, path = "/api/v1/stats", tag = "public", responses((status = 200, body = PublicStats)))]
pub async fn stats(State(st): State<AppState>) -> AppResult<impl IntoResponse> {
    let json = compute(&st).await?.json.clone();
    Ok((public_cache(), [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], json))
}

#[derive(Deserialize)]
pub struct PageQuery {
    lang: Option<Lang>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The same figures as a page anyone can open, in Kazakh, Russian or English.
pub async fn page(State(st): State<AppState>, Query(q): Query<PageQuery>) -> AppResult<impl IntoResponse> {
    let lang = q.lang.unwrap_or_default();
    let rendered = compute(&st).await?;
    let html = rendered.pages.iter().find(|(l, _)| *l == lang).map(|(_, p)| p.clone()).unwrap_or_default();
    Ok((public_cache(), Html(html)))
}

fn render_page(s: &PublicStats, lang: Lang, catalog: &crate::app::Catalog) -> String {
    let texts = qala_texts::Texts::get(lang);
    let t = |key: &str| texts.text(key).unwrap_or("?");
    let names: std::collections::HashMap<&str, &str> = catalog
        .categories
        .values()
        .map(|c| (c.code.as_str(), c.name.get(lang)))
        .chain(catalog.agencies.iter().map(|a| (a.code.as_str(), a.name.get(lang))))
        .collect();
    let head = format!(
        "<tr><th></th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t("stats-received"),
        t("stats-in-progress"),
        t("status-done"),
        t("status-rejected"),
        t("stats-overdue"),
        t("stats-on-time"),
        t("stats-hours-to-answer"),
    );
    let row = |name: &str, c: &StatsCounts| {
        format!(
            "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            c.received,
            c.in_progress,
            c.done,
            c.rejected,
            c.overdue,
            c.done_on_time_share.map_or("—".into(), |v| format!("{:.0} %", v * 100.0)),
            c.median_hours_to_answer.map_or("—".into(), |v| format!("{v:.1}")),
        )
    };
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Qala</title><style>body{{font-family:sans-serif;margin:1rem}}table{{border-collapse:collapse;margin:1rem 0}}\
         td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}}th:first-child{{text-align:left}}</style></head><body>\
         <h1>{}</h1>",
        lang.code(),
        t("stats-title")
    );
    for (title, p) in [(t("stats-last-30-days"), &s.last_30_days), (t("stats-all-time"), &s.all_time)] {
        html.push_str(&format!("<h2>{}</h2><table>{head}{}</table>", esc(title), row(t("stats-total"), &p.total)));
        for (label, groups) in [(t("stats-categories"), &p.by_category), (t("stats-agencies"), &p.by_agency)] {
            html.push_str(&format!("<h3>{}</h3><table>{head}", esc(label)));
            for g in groups {
                html.push_str(&row(names.get(g.code.as_str()).copied().unwrap_or(g.code.as_str()), &g.counts));
            }
            html.push_str("</table>");
        }
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use qala_protocol::Lang;
    use qala_texts::Texts;

    /// Every text the page names exists, plain, in every language (a missing one would read `?`).
    #[test]
    fn the_page_names_only_texts_that_exist() {
        let used = qala_texts::keys_named_in(include_str!("stats.rs"), &["stats-", "status-"]);
        assert!(used.len() >= 13, "found only {used:?}: the scan is broken");
        for key in used {
            for lang in Lang::ALL {
                assert!(Texts::get(lang).text(&key).is_some(), "no plain {lang:?} text for {key}");
            }
        }
    }
}
