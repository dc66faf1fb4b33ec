//! The queue of an agency's reports, with filters, and the escalation list of what is overdue.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use maud::html;
use qala_protocol::{Report, ReportQuery, ReportStatus};
use serde::Deserialize;

use super::i18n::L;
use super::layout::{Answer, ShowErr, age, deadline, frame, notice, status_chip};
use super::session::Operator;
use crate::app::{AppState, Catalog};
use crate::domain::calendar::local_offset;
use crate::service::reports;

/// Reports per page of the queue.
const PAGE: u32 = 50;
/// The deepest page shown (500,000 reports in; narrow the filters to go further). Any page number
/// in an address, however large or malformed, ends up within `0..=MAX_PAGE`.
const MAX_PAGE: u32 = 10_000;

/// The queue's filters as the form sends them: empty fields mean "any".
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Filters {
    status: String,
    category: String,
    overdue: Option<String>,
    /// Local dates, `YYYY-MM-DD`.
    from: String,
    to: String,
    /// Read through [`Filters::page`]: text here, so that a page number out of range loses only
    /// itself and not the other filters.
    page: String,
    /// Set after the operator routed a report away (it is no longer in this queue).
    routed: Option<String>,
    /// A registration number a resident read out on the phone: opens that report.
    number: String,
}

/// Local midnight starting `d`.
fn local_midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    local_offset().from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single().map(|t| t.with_timezone(&Utc))
}

impl Filters {
    fn query(&self) -> ReportQuery {
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        ReportQuery {
            status: ReportStatus::parse(self.status.trim()),
            category: Some(self.category.trim().to_string()).filter(|c| !c.is_empty()),
            overdue: self.overdue.as_deref().filter(|v| !v.is_empty()).map(|_| true),
            due_before: None,
            from: date(&self.from).and_then(local_midnight),
            // "To" includes that whole day.
            to: date(&self.to).and_then(|d| local_midnight(d + Duration::days(1))),
            limit: Some(PAGE),
            offset: Some(self.page().saturating_mul(PAGE)),
        }
    }

    /// The page asked for, clamped to `0..=MAX_PAGE` (however many digits); anything that is not
    /// a number is the first page.
    fn page(&self) -> u32 {
        let p = self.page.trim();
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return 0;
        }
        p.parse::<u64>().map_or(MAX_PAGE, |n| n.min(u64::from(MAX_PAGE)) as u32)
    }

    fn link_to_page(&self, page: u32) -> String {
        let mut q = vec![("page", page.to_string())];
        for (k, v) in [("status", &self.status), ("category", &self.category), ("from", &self.from), ("to", &self.to)] {
            if !v.is_empty() {
                q.push((k, v.clone()));
            }
        }
        if self.overdue.as_deref().is_some_and(|v| !v.is_empty()) {
            q.push(("overdue", "1".into()));
        }
        let encoded: Vec<String> = q.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        format!("/console?{}", encoded.join("&"))
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The category's name in the page language.
pub fn category_name(l: L, catalog: &Catalog, code: &str) -> String {
    catalog.categories.get(code).map_or_else(|| code.to_string(), |c| c.name.get(l.0).to_string())
}

pub fn agency_name(l: L, catalog: &Catalog, code: &str) -> String {
    catalog.agency(code).map_or_else(|| code.to_string(), |a| a.name.get(l.0).to_string())
}

/// Where the report is, in words when the resident gave an address.
pub fn place(r: &Report) -> String {
    r.address.clone().unwrap_or_else(|| format!("{:.5}, {:.5}", r.location.lat, r.location.lon))
}

pub async fn page(
    State(st): State<AppState>,
    op: Operator,
    q: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    let l = op.l;
    // A hand-edited address with a bad filter shows the whole queue rather than an error.
    let f = q.map(|Query(f)| f).unwrap_or_default();
    let number = f.number.trim().to_uppercase();
    let mut not_found = false;
    if !number.is_empty() {
        match reports::by_number(&st, &op.p, &number).await.shown(l)? {
            Some(r) => return Ok(Redirect::to(&format!("/console/reports/{}", r.id)).into_response()),
            None => not_found = true,
        }
    }
    let scope = op.p.scope();
    let now = Utc::now();
    let (items, total) = reports::list(&st, &op.p, &f.query()).await.shown(l)?;
    let catalog = st.catalog.get();
    let mut categories: Vec<_> = catalog
        .categories
        .values()
        .filter(|c| scope.is_none_or(|a| c.agency == a))
        .map(|c| (c.code.clone(), c.name.get(l.0).to_string()))
        .collect();
    categories.sort_by(|a, b| a.1.cmp(&b.1));
    let pager = Pager::new(f.page(), total);
    let body = html! {
        @if f.routed.is_some() { (notice(l.t("console-queue-routed"))) }
        @if not_found { p.error role="alert" { (l.t("console-queue-no_number")) " " (number) } }
        form.card.filters #find-number method="get" action="/console" {
            label { (l.t("console-queue-number")) input name="number" placeholder="ALA-2026-000123" maxlength="40"; }
            button type="submit" { (l.t("console-queue-open")) }
        }
        form.card.filters #filters method="get" action="/console" {
            label { (l.t("console-filter-status"))
                select name="status" {
                    option value="" { (l.t("console-filter-any")) }
                    @for s in ReportStatus::ALL.iter().filter(|s| **s != ReportStatus::Submitted) {
                        option value=(s.as_str()) selected[f.status == s.as_str()] { (l.status(*s)) }
                    }
                }
            }
            label { (l.t("console-filter-category"))
                select name="category" {
                    option value="" { (l.t("console-filter-any")) }
                    @for (code, name) in &categories { option value=(code) selected[&f.category == code] { (name) } }
                }
            }
            label { (l.t("console-filter-from")) input type="date" name="from" value=(f.from); }
            label { (l.t("console-filter-to")) input type="date" name="to" value=(f.to); }
            label.inline { input type="checkbox" name="overdue" value="1" checked[f.overdue.as_deref().is_some_and(|v| !v.is_empty())]; (l.t("console-filter-overdue")) }
            button.primary type="submit" { (l.t("console-filter-apply")) }
            a href="/console" { (l.t("console-filter-reset")) }
        }
        p.muted { (l.t("console-queue-total")) ": " strong #total { (total) } }
        @if items.is_empty() {
            p.card { (l.t("console-queue-empty")) }
        } @else {
            div.scroll { table #queue {
                thead { tr {
                    th { (l.t("console-col-number")) } th { (l.t("console-col-category")) }
                    @if op.is_admin() { th { (l.t("console-col-agency")) } }
                    th { (l.t("console-col-address")) } th { (l.t("console-col-age")) } th { (l.t("console-col-deadline")) } th { (l.t("console-col-status")) }
                } }
                tbody { @for r in &items {
                    tr class=[(r.status.is_open() && r.deadline < now).then_some("overdue")] {
                        td { a href={"/console/reports/" (r.id)} { (r.registration_number) } }
                        td { (category_name(l, &catalog, &r.category)) }
                        @if op.is_admin() { td { (agency_name(l, &catalog, &r.agency)) } }
                        td { (place(r)) }
                        td { (age(l, r.registered_at, now)) }
                        td { (deadline(l, r.deadline, r.status, now)) }
                        td { (status_chip(l, r.status)) }
                    }
                } }
            } }
        }
        @if pager.pages > 1 || pager.prev.is_some() {
            nav.pager {
                @if let Some(p) = pager.prev { a href=(f.link_to_page(p)) { "← " (l.t("console-page-prev")) } }
                span { (pager.shown) " / " (pager.pages) }
                @if let Some(n) = pager.next { a href=(f.link_to_page(n)) { (l.t("console-page-next")) " →" } }
            }
        }
    };
    Ok(frame(&op, l.t("console-queue-title"), body))
}

/// The queue's pager: the pages before and after this one (if any) and "page n of m" as shown.
#[derive(Debug, PartialEq, Eq)]
struct Pager {
    prev: Option<u32>,
    shown: u32,
    pages: u32,
    next: Option<u32>,
}

impl Pager {
    /// For `page` (0-based) of `total` reports. A page past the end (an old link, an edited
    /// address) leads back to the last page; no arithmetic here can overflow.
    fn new(page: u32, total: u64) -> Pager {
        let pages = u32::try_from(total.div_ceil(u64::from(PAGE))).unwrap_or(u32::MAX).min(MAX_PAGE.saturating_add(1));
        Pager {
            prev: (page > 0).then(|| page.min(pages).saturating_sub(1)),
            shown: page.saturating_add(1),
            pages,
            next: page.checked_add(1).filter(|n| *n < pages),
        }
    }
}

/// What each agency has overdue, and what falls due by the end of the next working day: a
/// supervisor's list of what to chase before it is late. Operators see their own agency;
/// administrators every agency.
pub async fn escalation(State(st): State<AppState>, op: Operator) -> Answer {
    let l = op.l;
    let now = Utc::now();
    let catalog = st.catalog.get();
    // The end of the next working day, local time, inclusive (a one-day deadline set today ends
    // exactly then).
    let soon = catalog.calendar.deadline(now, 1) + chrono::Duration::seconds(1);
    let today = now.with_timezone(&local_offset()).date_naive();
    let mut sections = Vec::new();
    for (a, items) in reports::due_by(&st, &op.p, soon).await.shown(l)? {
        let (late, due): (Vec<Report>, Vec<Report>) = items.into_iter().partition(|r| r.deadline < now);
        if !late.is_empty() || !due.is_empty() {
            sections.push((a, late, due));
        }
    }
    let rows = |items: &[Report], late: bool| {
        html! {
            @for r in items {
                @let due = r.deadline.with_timezone(&local_offset()).date_naive();
                tr class=(if late { "overdue" } else { "due-soon" }) {
                    td { a href={"/console/reports/" (r.id)} { (r.registration_number) } }
                    td { (category_name(l, &catalog, &r.category)) }
                    td { (place(r)) }
                    td { (deadline(l, r.deadline, r.status, now)) }
                    td { @if late { (catalog.calendar.working_days_between(due, today)) } @else { "—" } }
                    td { (status_chip(l, r.status)) }
                }
            }
        }
    };
    let body: Response = frame(
        &op,
        l.t("console-escalation-title"),
        html! {
            p.muted { (l.t("console-escalation-note")) }
            @if sections.is_empty() { p.card { (l.t("console-escalation-none")) } }
            @for (agency, late, due) in &sections {
                section.card.escalation data-agency=(agency) {
                    h2 { (agency_name(l, &catalog, agency)) " — "
                        span.overdue { (l.t("console-escalation-late")) ": " (late.len()) } " · "
                        span.soon { (l.t("console-escalation-soon")) ": " (due.len()) } }
                    div.scroll { table {
                        thead { tr {
                            th { (l.t("console-col-number")) } th { (l.t("console-col-category")) } th { (l.t("console-col-address")) }
                            th { (l.t("console-col-deadline")) } th { (l.t("console-escalation-late_by")) } th { (l.t("console-col-status")) }
                        } }
                        tbody { (rows(late, true)) (rows(due, false)) }
                    } }
                }
            }
        },
    );
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(page: &str) -> Filters {
        Filters { page: page.into(), status: "registered".into(), ..Filters::default() }
    }

    #[test]
    fn any_page_number_is_clamped_and_keeps_the_other_filters() {
        assert_eq!(at("").page(), 0);
        assert_eq!(at("3").page(), 3);
        assert_eq!(at("-1").page(), 0);
        assert_eq!(at("many").page(), 0);
        assert_eq!(at("4294967295").page(), MAX_PAGE);
        assert_eq!(at("18446744073709551615").page(), MAX_PAGE);
        assert_eq!(at("99999999999999999999999").page(), MAX_PAGE);
        let q = at("18446744073709551615").query();
        assert_eq!(q.offset, Some(MAX_PAGE * PAGE));
        assert_eq!(q.status, Some(ReportStatus::Registered));
    }

    #[test]
    fn the_pager_never_overflows() {
        assert_eq!(Pager::new(0, 0), Pager { prev: None, shown: 1, pages: 0, next: None });
        assert_eq!(Pager::new(0, 120), Pager { prev: None, shown: 1, pages: 3, next: Some(1) });
        assert_eq!(Pager::new(2, 120), Pager { prev: Some(1), shown: 3, pages: 3, next: None });
        // Past the end: back to the last page.
        assert_eq!(Pager::new(9, 120), Pager { prev: Some(2), shown: 10, pages: 3, next: None });
        assert_eq!(Pager::new(5, 0).prev, Some(0));
        let far = Pager::new(u32::MAX, u64::MAX);
        assert_eq!((far.shown, far.next), (u32::MAX, None));
        assert_eq!(far.prev, Some(MAX_PAGE));
        assert_eq!(far.pages, MAX_PAGE + 1);
    }
}
