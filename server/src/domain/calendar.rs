//! Working days in Kazakhstan, for deadlines.
//!
//! A deadline of N working days ends at 23:59:59 local time of the N-th working day after the day of
//! registration. Local time is UTC+5 for the whole country since 1 March 2024.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};
use serde::Deserialize;

/// Kazakhstan's single time zone.
pub fn local_offset() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600).expect("UTC+5 is a valid offset")
}

/// Days off besides weekends, and weekend days that a decree made working days.
#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    days_off: BTreeSet<NaiveDate>,
    working_weekends: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    pub fn new(days_off: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self { days_off: days_off.into_iter().collect(), working_weekends: BTreeSet::new() }
    }

    pub fn with_working_weekends(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.working_weekends.extend(days);
        self
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.working_weekends.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.days_off.contains(&d)
    }

    /// The N-th working day after `from` (N ≥ 1; N = 0 gives `from` itself).
    pub fn add_working_days(&self, from: NaiveDate, n: u16) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("date in range");
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`):
    /// how late something due on `from` is on `to`, for the escalation list.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| self.is_working_day(*d)).count() as u32
    }

    /// Deadline of something registered at `at` with `days` working days.
    pub fn deadline(&self, at: DateTime<Utc>, days: u16) -> DateTime<Utc> {
        let tz = local_offset();
        let local_day = at.with_timezone(&tz).date_naive();
        let last = self.add_working_days(local_day, days.max(1));
        let end = last.and_hms_opt(23, 59, 59).expect("valid time");
        tz.from_local_datetime(&end).single().expect("fixed offset is unambiguous").with_timezone(&Utc)
    }
}

#[derive(Deserialize)]
struct FixedHoliday {
    month: u32,
    day: u32,
    name: String,
}

#[derive(Deserialize)]
struct DatedHoliday {
    date: NaiveDate,
    name: String,
}

#[derive(Deserialize)]
struct Transfer {
    /// A working day that becomes a day off.
    day_off: NaiveDate,
    /// The weekend day worked instead.
    working_day: NaiveDate,
}

#[derive(Deserialize)]
struct HolidayFile {
    fixed: Vec<FixedHoliday>,
    religious: Vec<DatedHoliday>,
    transfers: Vec<Transfer>,
    first_year: i32,
    last_year: i32,
}

/// One dated day off (or, with `working` set, a weekend worked by decree); administrators edit
/// them through the API, so the type is the protocol's.
pub use qala_protocol::Holiday;

/// Expands the holiday data file (fixed dates, religious dates, decree transfers) into dated days,
/// applying the Labour Code rule that a fixed holiday on a weekend moves to the next working day.
pub fn expand_holidays(json: &str) -> Result<Vec<Holiday>, serde_json::Error> {
    let file: HolidayFile = serde_json::from_str(json)?;
    let mut out: Vec<Holiday> = Vec::new();
    let mut taken: BTreeSet<NaiveDate> = BTreeSet::new();
    for r in &file.religious {
        taken.insert(r.date);
        out.push(Holiday { date: r.date, name: r.name.clone(), working: false });
    }
    for year in file.first_year..=file.last_year {
        let mut fixed: Vec<(NaiveDate, &str)> = file
            .fixed
            .iter()
            .filter_map(|f| NaiveDate::from_ymd_opt(year, f.month, f.day).map(|d| (d, f.name.as_str())))
            .collect();
        fixed.sort();
        for (d, name) in &fixed {
            taken.insert(*d);
            out.push(Holiday { date: *d, name: name.to_string(), working: false });
        }
        for (d, name) in fixed {
            if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                let mut next = d.succ_opt().expect("date in range");
                while matches!(next.weekday(), Weekday::Sat | Weekday::Sun) || taken.contains(&next) {
                    next = next.succ_opt().expect("date in range");
                }
                taken.insert(next);
                out.push(Holiday { date: next, name: format!("{name} (moved day off)"), working: false });
            }
        }
    }
    for t in &file.transfers {
        out.push(Holiday { date: t.day_off, name: "Transferred day off".into(), working: false });
        out.push(Holiday { date: t.working_day, name: "Working weekend".into(), working: true });
    }
    out.sort_by_key(|h| h.date);
    Ok(out)
}

/// Builds the calendar from dated holidays.
pub fn calendar_from(holidays: &[Holiday]) -> WorkCalendar {
    WorkCalendar::new(holidays.iter().filter(|h| !h.working).map(|h| h.date))
        .with_working_weekends(holidays.iter().filter(|h| h.working).map(|h| h.date))
}

/// The holiday data file shipped with the server.
pub const HOLIDAYS_JSON: &str = include_str!("../../data/holidays.json");

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn shipped() -> WorkCalendar {
        calendar_from(&expand_holidays(HOLIDAYS_JSON).unwrap())
    }

    #[test]
    fn lateness_counts_working_days_only() {
        let cal = WorkCalendar::new([d(2026, 12, 16)]);
        // Fri 11 Dec → Wed 16 Dec (a holiday) → Thu 17 Dec: Mon, Tue, Thu.
        assert_eq!(cal.working_days_between(d(2026, 12, 11), d(2026, 12, 17)), 3);
        assert_eq!(cal.working_days_between(d(2026, 12, 11), d(2026, 12, 13)), 0, "a weekend is no delay");
        assert_eq!(cal.working_days_between(d(2026, 12, 17), d(2026, 12, 11)), 0);
    }

    #[test]
    fn weekends_are_skipped() {
        let cal = WorkCalendar::default();
        // Friday 20 Nov 2026 + 1 working day = Monday 23 Nov.
        assert_eq!(cal.add_working_days(d(2026, 11, 20), 1), d(2026, 11, 23));
        assert_eq!(cal.add_working_days(d(2026, 11, 20), 5), d(2026, 11, 27));
    }

    #[test]
    fn nauryz_and_a_moved_day_off_are_skipped() {
        let cal = shipped();
        // 21–23 March 2026 are Sat, Sun, Mon; Saturday's and Sunday's days off move to Tue 24 and Wed 25.
        assert!(!cal.is_working_day(d(2026, 3, 23)));
        assert!(!cal.is_working_day(d(2026, 3, 24)));
        assert!(!cal.is_working_day(d(2026, 3, 25)));
        assert!(cal.is_working_day(d(2026, 3, 26)));
        // Registered Friday 20 March 2026 with 1 working day: the next working day is Thursday 26.
        assert_eq!(cal.add_working_days(d(2026, 3, 20), 1), d(2026, 3, 26));
    }

    #[test]
    fn religious_holidays_do_not_move() {
        let hs = expand_holidays(HOLIDAYS_JSON).unwrap();
        // Kurban ait 2027 is on Sunday 16 May; no moved day follows it.
        assert!(hs.iter().any(|h| h.date == d(2027, 5, 16)));
        assert!(!hs.iter().any(|h| h.date == d(2027, 5, 17)));
    }

    #[test]
    fn deadline_is_end_of_day_in_kazakhstan() {
        let cal = shipped();
        // Registered Monday 23 Nov 2026 at 22:00 local (17:00 UTC), 3 working days → Thursday 26 Nov.
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 17, 0, 0).unwrap();
        let dl = cal.deadline(at, 3);
        assert_eq!(dl, Utc.with_ymd_and_hms(2026, 11, 26, 18, 59, 59).unwrap());
        // 20:00 UTC Monday is already Tuesday 01:00 in Almaty: the count starts a day later.
        let late = Utc.with_ymd_and_hms(2026, 11, 23, 20, 0, 0).unwrap();
        assert_eq!(cal.deadline(late, 3), Utc.with_ymd_and_hms(2026, 11, 27, 18, 59, 59).unwrap());
    }

    #[test]
    fn independence_day_on_wednesday_is_skipped() {
        let cal = shipped();
        assert!(!cal.is_working_day(d(2026, 12, 16)));
        assert_eq!(cal.add_working_days(d(2026, 12, 15), 1), d(2026, 12, 17));
    }
}
