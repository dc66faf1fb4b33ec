//! Daily quotas of a resident's account: how much one account may create in a day, and what it is
//! told when it has created that much. Staff accounts and intake channels (Open311) have none.
//!
//! A day is the local calendar day (UTC+5, see [`local_offset`]), not the last 24 hours. Counting
//! per calendar day needs one small counter per account, day and kind, bumped by its primary key
//! in the transaction of the write it counts: the cost does not grow with the account's history,
//! and no row per event has to be kept for a sliding window. The wait is exact and easy to say —
//! until local midnight — and "tomorrow" is what a resident understands. The price: a burst that
//! straddles midnight may reach twice a limit within minutes. The limits are ceilings far above
//! what a real resident does, against scripts and runaway clients, so that is acceptable.
//!
//! What counts is when the server takes the write, not when the phone made it: a phone's clock is
//! not evidence, so a phone that was offline for a week sends that week's reports on one day (the
//! defaults leave room for that).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use qala_protocol::OpOutcome;
use uuid::Uuid;

use super::calendar::local_offset;

pub use qala_protocol::QUOTA_EXCEEDED;

/// What a quota counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuotaKind {
    /// Reports created.
    Reports,
    /// Comments written on city projects.
    Comments,
    /// Bytes of media uploads begun: the declared `Upload-Length`, counted when the upload is
    /// created (so that bytes cannot be sent before they are paid for).
    MediaBytes,
}

impl QuotaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaKind::Reports => "reports",
            QuotaKind::Comments => "comments",
            QuotaKind::MediaBytes => "media_bytes",
        }
    }
}

/// One write charged against its author's quota for the day. The store adds `amount` to the
/// day's counter in the write's own transaction, unless the counter would pass `limit`; then the
/// write is refused and nothing of it stays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    pub user_id: Uuid,
    pub kind: QuotaKind,
    /// The local day the write counts towards.
    pub day: NaiveDate,
    pub amount: u64,
    pub limit: u64,
    /// Seconds from the write to the next local midnight, when the quota frees up.
    pub retry_after_s: u64,
}

impl Charge {
    /// Charges `amount` of `kind` to `user_id` for the local day of `now`.
    pub fn new(user_id: Uuid, kind: QuotaKind, amount: u64, limit: u64, now: DateTime<Utc>) -> Self {
        Charge { user_id, kind, day: local_day(now), amount, limit, retry_after_s: seconds_to_next_day(now) }
    }

    /// What the resident is told (in the same plain English as the other refusals).
    pub fn message(&self) -> String {
        let what = match self.kind {
            QuotaKind::Reports => format!("{} new reports", self.limit),
            QuotaKind::Comments => format!("{} comments", self.limit),
            QuotaKind::MediaBytes => format!("{} MB of photos and videos", self.limit / (1024 * 1024)),
        };
        format!("the daily limit of {what} per account is reached; it frees up at midnight (UTC+5)")
    }

    /// How a pushed op over the quota is answered. The wait travels beside it, in the op's
    /// result (`retry_after_s`).
    pub fn refused(&self) -> OpOutcome {
        OpOutcome::Rejected { code: QUOTA_EXCEEDED.into(), reason: self.message() }
    }
}

/// The local (UTC+5) calendar day of `at`.
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&local_offset()).date_naive()
}

/// Whole seconds (rounded up, at least 1) from `at` to the next local midnight.
pub fn seconds_to_next_day(at: DateTime<Utc>) -> u64 {
    let tz = local_offset();
    let midnight =
        local_day(at).succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).and_then(|t| tz.from_local_datetime(&t).single());
    match midnight {
        Some(m) => {
            let ms = (m.with_timezone(&Utc) - at).num_milliseconds().max(1) as u64;
            ms.div_ceil(1000)
        }
        None => 86_400,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_day_is_the_local_calendar_day() {
        // 18:59 UTC is 23:59 in Almaty; 19:00 UTC is already the next day there.
        assert_eq!(local_day(utc("2026-03-01T18:59:59Z")), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(local_day(utc("2026-03-01T19:00:00Z")), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    }

    #[test]
    fn the_wait_ends_at_local_midnight() {
        assert_eq!(seconds_to_next_day(utc("2026-03-01T18:59:00Z")), 60);
        assert_eq!(seconds_to_next_day(utc("2026-03-01T18:59:59.200Z")), 1, "rounded up");
        assert_eq!(seconds_to_next_day(utc("2026-03-01T19:00:00Z")), 86_400);
        let c = Charge::new(Uuid::nil(), QuotaKind::Reports, 1, 20, utc("2026-03-01T12:00:00Z"));
        assert_eq!(c.retry_after_s, 7 * 3600);
        let OpOutcome::Rejected { code, reason } = c.refused() else { panic!("a refusal") };
        assert_eq!(code, QUOTA_EXCEEDED);
        assert!(reason.contains("20 new reports"), "{reason}");
    }
}
