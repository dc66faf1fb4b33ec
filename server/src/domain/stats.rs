//! Public statistics, computed from the reports themselves so they cannot drift from them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use qala_protocol::{Report, ReportStatus, StatsCounts, StatsGroup, StatsPeriod, is_overdue};

/// Counts of `reports` (already limited to the period) as of `now`.
pub fn counts<'a>(reports: impl IntoIterator<Item = &'a Report>, now: DateTime<Utc>) -> StatsCounts {
    let mut c = StatsCounts::default();
    let mut hours: Vec<f64> = Vec::new();
    let mut on_time = 0u64;
    for r in reports {
        c.received += 1;
        match r.status {
            ReportStatus::Done | ReportStatus::Closed => c.done += 1,
            ReportStatus::Rejected => c.rejected += 1,
            ReportStatus::Withdrawn => c.withdrawn += 1,
            _ => c.in_progress += 1,
        }
        if is_overdue(r.status, r.deadline, now) {
            c.overdue += 1;
        }
        if let (Some(a), ReportStatus::Done | ReportStatus::Closed) = (&r.answer, r.status) {
            hours.push((a.at - r.registered_at).num_seconds() as f64 / 3600.0);
            if a.at <= r.deadline {
                on_time += 1;
            }
        }
    }
    if !hours.is_empty() {
        c.done_on_time_share = Some(on_time as f64 / hours.len() as f64);
        hours.sort_by(f64::total_cmp);
        let mid = hours.len() / 2;
        let median = if hours.len().is_multiple_of(2) { (hours[mid - 1] + hours[mid]) / 2.0 } else { hours[mid] };
        c.median_hours_to_answer = Some((median * 100.0).round() / 100.0);
    }
    c
}

/// The statistics of the reports registered at or after `since` (all of them when `None`).
pub fn period(reports: &[Report], since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> StatsPeriod {
    let in_period: Vec<&Report> = reports.iter().filter(|r| since.is_none_or(|s| r.registered_at >= s)).collect();
    let group = |key: fn(&Report) -> &str| -> Vec<StatsGroup> {
        let mut groups: BTreeMap<&str, Vec<&Report>> = BTreeMap::new();
        for r in &in_period {
            groups.entry(key(r)).or_default().push(r);
        }
        groups.into_iter().map(|(code, rs)| StatsGroup { code: code.to_string(), counts: counts(rs, now) }).collect()
    };
    StatsPeriod {
        total: counts(in_period.iter().copied(), now),
        by_category: group(|r| r.category.as_str()),
        by_agency: group(|r| r.agency.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use qala_protocol::{Answer, Location, LocationSource};
    use uuid::Uuid;

    fn report(status: ReportStatus, answered_after_h: Option<i64>, deadline_h: i64) -> Report {
        let t0 = Utc::now() - Duration::days(3);
        Report {
            id: Uuid::now_v7(),
            registration_number: "X".into(),
            category: "roads".into(),
            agency: "mobility".into(),
            description: String::new(),
            location: Location { lat: 1.0, lon: 1.0, accuracy_m: None, source: LocationSource::Pin, fixed_at: t0 },
            address: None,
            status,
            deadline: t0 + Duration::hours(deadline_h),
            created_at: t0,
            registered_at: t0,
            media: vec![],
            history: vec![],
            executor: None,
            answer: answered_after_h.map(|h| Answer {
                text: "ok".into(),
                media: vec![],
                agency: "mobility".into(),
                at: t0 + Duration::hours(h),
            }),
            rejection: None,
            rating: None,
            complaints: vec![],
        }
    }

    #[test]
    fn counts_shares_and_medians() {
        let rs = vec![
            report(ReportStatus::Done, Some(10), 24),
            report(ReportStatus::Closed, Some(30), 24),
            report(ReportStatus::Done, Some(20), 24),
            report(ReportStatus::Registered, None, 24),
            report(ReportStatus::Rejected, None, 24),
            report(ReportStatus::Reopened, Some(5), 24),
        ];
        let c = counts(&rs, Utc::now());
        assert_eq!((c.received, c.done, c.in_progress, c.rejected, c.overdue), (6, 3, 2, 1, 2));
        assert_eq!(c.median_hours_to_answer, Some(20.0));
        assert!((c.done_on_time_share.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(counts(&[], Utc::now()).done_on_time_share, None);
    }
}
