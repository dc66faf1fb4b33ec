//! Reports as the public sees them, read online: what a phone does not hold because it is outside
//! its scope (settled long ago, another district) — a report opened from a link, a search by
//! registration number, the older pages of the city feed. The same public copy as the pull's, but
//! with the whole description.

use chrono::{DateTime, Utc};
use qala_protocol::{PublicReport, ReportStatus};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::app::AppState;

/// The largest page of the feed.
pub const MAX_FEED_PAGE: u32 = 100;

/// One report's public copy, whole. A withdrawn report is not public.
pub async fn report(st: &AppState, id: Uuid) -> ServiceResult<PublicReport> {
    match st.store.report(id).await? {
        Some((r, _)) if r.status != ReportStatus::Withdrawn => Ok(PublicReport::whole(&r)),
        _ => Err(ServiceError::NotFound("no such report".into())),
    }
}

/// The report with this registration number, whole.
pub async fn by_number(st: &AppState, number: &str) -> ServiceResult<Option<PublicReport>> {
    if number.len() > 40 {
        return Err(ServiceError::invalid("number", "a registration number is shorter"));
    }
    let found = st.store.report_by_number(number.trim()).await?;
    Ok(found.filter(|r| r.status != ReportStatus::Withdrawn).map(|r| PublicReport::whole(&r)))
}

/// The city feed, newest first, registered before `before` (all when absent), in `districts`
/// (the whole city when empty or `*`).
pub async fn feed(
    st: &AppState,
    before: Option<DateTime<Utc>>,
    districts: Vec<String>,
    limit: u32,
) -> ServiceResult<Vec<PublicReport>> {
    if !(1..=MAX_FEED_PAGE).contains(&limit) {
        return Err(ServiceError::invalid("limit", format!("must be 1 to {MAX_FEED_PAGE}")));
    }
    if districts.len() > qala_protocol::scope::MAX_DISTRICTS {
        return Err(ServiceError::invalid("districts", "too many"));
    }
    let whole = districts.iter().any(|d| d == qala_protocol::districts::WHOLE_CITY);
    for d in districts.iter().filter(|_| !whole) {
        if qala_protocol::districts::find(d).is_none() {
            return Err(ServiceError::invalid("districts", format!("unknown district {d:?}")));
        }
    }
    let mut districts = if whole { Vec::new() } else { districts };
    districts.sort();
    districts.dedup();
    Ok(st.store.public_feed(before, &districts, limit).await?.iter().map(PublicReport::from).collect())
}
