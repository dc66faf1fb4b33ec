//! Public statistics, aggregated by the database (one row per category, agency and status) so
//! that answering them never means reading every report; see `ReportStore::stats_rows`.

use std::collections::BTreeMap;

use qala_protocol::{ReportStatus, StatsCounts, StatsGroup, StatsPeriod};

/// Reports of one category, agency and status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatsRow {
    pub category: String,
    pub agency: String,
    pub status: ReportStatus,
    pub count: u64,
    /// How many of them are past their deadline (overdue when still open).
    pub past_deadline: u64,
    /// How many were answered by their deadline.
    pub answered_on_time: u64,
}

/// How many answered (done or closed) reports of a category and agency took `tenths` tenths of
/// an hour from registration to answer: the median is read off this histogram, to six minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerTimes {
    pub category: String,
    pub agency: String,
    pub tenths: i64,
    pub count: u64,
}

/// Counts of a group of rows and their answer times.
pub fn counts<'a>(
    rows: impl IntoIterator<Item = &'a StatsRow>,
    times: impl IntoIterator<Item = &'a AnswerTimes>,
) -> StatsCounts {
    let mut c = StatsCounts::default();
    let mut on_time = 0u64;
    for r in rows {
        c.received += r.count;
        match r.status {
            ReportStatus::Done | ReportStatus::Closed => {
                c.done += r.count;
                on_time += r.answered_on_time;
            }
            ReportStatus::Rejected => c.rejected += r.count,
            ReportStatus::Withdrawn => c.withdrawn += r.count,
            _ => c.in_progress += r.count,
        }
        if r.status.is_open() {
            c.overdue += r.past_deadline;
        }
    }
    let mut hist: BTreeMap<i64, u64> = BTreeMap::new();
    for t in times {
        *hist.entry(t.tenths.max(0)).or_default() += t.count;
    }
    let answered: u64 = hist.values().sum();
    if answered > 0 {
        c.done_on_time_share = Some(on_time as f64 / answered as f64);
        // The middle one (odd) or the mean of the middle two (even), by walking the histogram.
        let nth = |n: u64| {
            let mut seen = 0;
            hist.iter().find_map(|(tenths, k)| {
                seen += k;
                (seen > n).then_some(*tenths as f64 / 10.0)
            })
        };
        let (lo, hi) = (nth((answered - 1) / 2), nth(answered / 2));
        c.median_hours_to_answer = lo.zip(hi).map(|(a, b)| ((a + b) / 2.0 * 100.0).round() / 100.0);
    }
    c
}

/// The statistics of one period from its aggregate rows.
pub fn period(rows: &[StatsRow], times: &[AnswerTimes]) -> StatsPeriod {
    fn group(
        rows: &[StatsRow],
        times: &[AnswerTimes],
        row_key: fn(&StatsRow) -> &str,
        time_key: fn(&AnswerTimes) -> &str,
    ) -> Vec<StatsGroup> {
        let mut groups: BTreeMap<&str, (Vec<&StatsRow>, Vec<&AnswerTimes>)> = BTreeMap::new();
        for r in rows {
            groups.entry(row_key(r)).or_default().0.push(r);
        }
        for t in times {
            groups.entry(time_key(t)).or_default().1.push(t);
        }
        groups
            .into_iter()
            .map(|(code, (rs, ts))| StatsGroup { code: code.to_string(), counts: counts(rs, ts) })
            .collect()
    }
    StatsPeriod {
        total: counts(rows, times),
        by_category: group(rows, times, |r| &r.category, |t| &t.category),
        by_agency: group(rows, times, |r| &r.agency, |t| &t.agency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: ReportStatus, count: u64, past_deadline: u64, on_time: u64) -> StatsRow {
        StatsRow {
            category: "roads".into(),
            agency: "mobility".into(),
            status,
            count,
            past_deadline,
            answered_on_time: on_time,
        }
    }

    fn took(hours: f64, count: u64) -> AnswerTimes {
        AnswerTimes { category: "roads".into(), agency: "mobility".into(), tenths: (hours * 10.0) as i64, count }
    }

    #[test]
    fn counts_shares_and_medians() {
        // Done in 10 h and 20 h, closed in 30 h (late); one open and overdue, one open in time,
        // one rejected; a reopened one was answered but does not count as done.
        let rows = vec![
            row(ReportStatus::Done, 2, 0, 2),
            row(ReportStatus::Closed, 1, 1, 0),
            row(ReportStatus::Registered, 1, 1, 0),
            row(ReportStatus::Rejected, 1, 1, 0),
            row(ReportStatus::Reopened, 1, 1, 1),
        ];
        let times = vec![took(10.0, 1), took(20.0, 1), took(30.0, 1)];
        let c = counts(&rows, &times);
        assert_eq!((c.received, c.done, c.in_progress, c.rejected, c.overdue), (6, 3, 2, 1, 2));
        assert_eq!(c.median_hours_to_answer, Some(20.0));
        assert!((c.done_on_time_share.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        // An even count: the mean of the middle two.
        assert_eq!(counts(&rows, &[took(10.0, 1), took(20.0, 3), took(31.0, 2)]).median_hours_to_answer, Some(20.0));
        assert_eq!(counts(&rows, &[took(10.0, 1), took(20.0, 1)]).median_hours_to_answer, Some(15.0));
        assert_eq!(counts(&[], &[]).done_on_time_share, None);
    }

    #[test]
    fn groups_by_category_and_agency() {
        let mut other = row(ReportStatus::Done, 4, 0, 4);
        other.category = "lights".into();
        let rows = vec![row(ReportStatus::Done, 2, 0, 2), other];
        let mut t = took(5.0, 4);
        t.category = "lights".into();
        let p = period(&rows, &[took(1.0, 2), t]);
        assert_eq!(p.total.received, 6);
        assert_eq!(p.by_category.len(), 2);
        assert_eq!(p.by_agency.len(), 1);
        let lights = p.by_category.iter().find(|g| g.code == "lights").unwrap();
        assert_eq!(lights.counts.median_hours_to_answer, Some(5.0));
        assert_eq!(p.by_agency[0].counts.median_hours_to_answer, Some(5.0));
    }
}
