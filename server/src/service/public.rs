//! Reports as the public sees them, read online: what a phone does not hold because it is outside
//! its scope (settled long ago, another district) — a report opened from a link, a search by
//! registration number, the older pages of the city feed. The same public copy as the pull's, but
//! with the whole description.

use chrono::{DateTime, Utc};
use qala_protocol::{PublicReport, Report};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::app::AppState;

/// The largest page of the feed.
pub const MAX_FEED_PAGE: u32 = 100;

/// One report's public copy, whole. A withdrawn report is not public.
pub async fn report(st: &AppState, id: Uuid) -> ServiceResult<PublicReport> {
    match st.store.report(id).await? {
        Some((r, _)) if r.is_published() => Ok(PublicReport::whole(&r)),
        _ => Err(ServiceError::NotFound("no such report".into())),
    }
}

/// The report with this registration number, whole.
pub async fn by_number(st: &AppState, number: &str) -> ServiceResult<Option<PublicReport>> {
    if number.len() > 40 {
        return Err(ServiceError::invalid("number", "a registration number is shorter"));
    }
    let found = st.store.report_by_number(number.trim()).await?;
    Ok(found.filter(Report::is_published).map(|r| PublicReport::whole(&r)))
}

/// The city feed, newest first, after `before` (the registration time and id of the previous
/// page's last report; the newest when absent), in `districts` (normalized by
/// `scope::normalize`: `*` for the whole city, none when empty).
pub async fn feed(
    st: &AppState,
    before: Option<(DateTime<Utc>, Uuid)>,
    districts: &[String],
    limit: u32,
) -> ServiceResult<Vec<PublicReport>> {
    if !(1..=MAX_FEED_PAGE).contains(&limit) {
        return Err(ServiceError::invalid("limit", format!("must be 1 to {MAX_FEED_PAGE}")));
    }
    if districts.is_empty() {
        return Ok(Vec::new());
    }
    let all = districts.iter().any(|d| d == qala_protocol::districts::WHOLE_CITY);
    let districts = if all { &[][..] } else { districts };
    Ok(st.store.public_feed(before, districts, limit).await?.iter().map(PublicReport::from).collect())
}
