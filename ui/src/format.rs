//! Turning data into words: deadlines, statuses, times, distances. Pure functions, tested on the host.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use qala_protocol::{LocalizedText, ReportStatus, SyncState, is_overdue};

use crate::i18n::{Arg, I18n};

/// Kazakhstan's single time zone (UTC+5 since 2024): deadlines end at local midnight, and times are
/// shown in local time whatever the phone's own zone.
pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&FixedOffset::east_opt(5 * 3600).expect("valid offset"))
}

/// "12.03.2026 14:05" — the format residents see on paper forms. Written by hand: chrono's
/// strftime machinery costs the wasm bundle more than this whole module.
pub fn datetime(t: DateTime<Utc>) -> String {
    let l = local(t);
    format!("{} {:02}:{:02}", date(t), l.hour(), l.minute())
}

pub fn date(t: DateTime<Utc>) -> String {
    let l = local(t);
    format!("{:02}.{:02}.{}", l.day(), l.month(), l.year())
}

/// How the deadline stands, in words, and whether it is missed.
pub fn deadline(i: &I18n, status: ReportStatus, deadline: DateTime<Utc>, now: DateTime<Utc>) -> (String, bool) {
    if !status.is_open() {
        // Answered, closed or withdrawn: the countdown no longer means anything.
        return (String::new(), false);
    }
    if is_overdue(status, deadline, now) {
        let days = (local(now).date_naive() - local(deadline).date_naive()).num_days().max(1);
        return (i.t_args("overdue-by", &[("n", Arg::Num(days))]), true);
    }
    let days = (local(deadline).date_naive() - local(now).date_naive()).num_days();
    if days <= 0 { (i.t("due-today"), false) } else { (i.t_args("days-left", &[("n", Arg::Num(days))]), false) }
}

/// The message key of a status, for chips and history.
pub fn status_key(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Submitted => "status-submitted",
        ReportStatus::Registered => "status-registered",
        ReportStatus::Assigned => "status-assigned",
        ReportStatus::InProgress => "status-in_progress",
        ReportStatus::Done => "status-done",
        ReportStatus::Rejected => "status-rejected",
        ReportStatus::Reopened => "status-reopened",
        ReportStatus::Closed => "status-closed",
        ReportStatus::Withdrawn => "status-withdrawn",
    }
}

/// The chip colour class of a status: waiting, working, answered, refused, finished.
pub fn status_class(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Submitted | ReportStatus::Registered => "chip wait",
        ReportStatus::Assigned | ReportStatus::InProgress | ReportStatus::Reopened => "chip work",
        ReportStatus::Done => "chip done",
        ReportStatus::Rejected => "chip bad",
        ReportStatus::Closed | ReportStatus::Withdrawn => "chip closed",
    }
}

/// The status a report shows before the server registered it: queued or sent.
pub fn local_status_key(sync: &SyncState) -> &'static str {
    match sync {
        SyncState::Queued => "status-queued",
        SyncState::Sent => "status-submitted",
        SyncState::Rejected { .. } => "status-refused",
    }
}

/// "350 m", "1.2 km".
pub fn distance(m: f64) -> String {
    if m < 1000.0 { format!("{} m", (m / 10.0).round() * 10.0) } else { format!("{:.1} km", m / 1000.0) }
}

/// Text in the resident's language, falling back so that nothing shows blank.
pub fn text(t: &LocalizedText, i: &I18n) -> String {
    t.get(i.lang).to_string()
}

/// Bytes as the sync indicator shows them.
pub fn percent(done: u64, total: u64) -> i64 {
    if total == 0 { 100 } else { ((done as f64 / total as f64) * 100.0).floor() as i64 }
}

/// Parses coordinates the way people paste them from a map app: "43.2389, 76.8897",
/// "43.2389 76.8897", "43,2389; 76,8897".
pub fn parse_coordinates(s: &str) -> Option<(f64, f64)> {
    let s = s.trim();
    let parts: Vec<&str> = if s.contains(';') {
        s.split(';').collect()
    } else if s.matches(',').count() == 1 {
        s.split(',').collect()
    } else {
        s.split_whitespace().collect()
    };
    if parts.len() != 2 {
        return None;
    }
    let num = |p: &str| p.trim().replace(',', ".").parse::<f64>().ok();
    let (lat, lon) = (num(parts[0])?, num(parts[1])?);
    let valid = lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
        && !(lat == 0.0 && lon == 0.0);
    valid.then_some((lat, lon))
}

/// The current time from the webview's clock (chrono's own clock does not exist in plain wasm).
pub fn now() -> DateTime<Utc> {
    #[cfg(target_arch = "wasm32")]
    let ms = js_sys::Date::now() as i64;
    #[cfg(not(target_arch = "wasm32"))]
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use qala_protocol::Lang;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_count_local_calendar_days() {
        let en = I18n::new(Lang::En);
        // Deadline: end of 25 March local time (18:59:59 UTC).
        let dl = at("2026-03-25T18:59:59Z");
        assert_eq!(
            deadline(&en, ReportStatus::Registered, dl, at("2026-03-22T10:00:00Z")),
            ("3 days left".into(), false)
        );
        // 23:30 local on the 24th is still "1 day left"; 01:00 local on the 25th is "due today".
        assert_eq!(deadline(&en, ReportStatus::InProgress, dl, at("2026-03-24T18:30:00Z")).0, "1 day left");
        assert_eq!(deadline(&en, ReportStatus::InProgress, dl, at("2026-03-24T20:00:00Z")).0, "due today");
        assert_eq!(
            deadline(&en, ReportStatus::Assigned, dl, at("2026-03-27T05:00:00Z")),
            ("overdue by 2 days".into(), true)
        );
        // A report that is done is never overdue and shows no countdown.
        assert_eq!(deadline(&en, ReportStatus::Done, dl, at("2026-04-27T05:00:00Z")), (String::new(), false));
        let ru = I18n::new(Lang::Ru);
        assert_eq!(deadline(&ru, ReportStatus::Reopened, dl, at("2026-03-26T05:00:00Z")).0, "просрочено на 1 день");
    }

    #[test]
    fn coordinates_parse_as_people_paste_them() {
        assert_eq!(parse_coordinates("43.2389, 76.8897"), Some((43.2389, 76.8897)));
        assert_eq!(parse_coordinates("43.2389 76.8897"), Some((43.2389, 76.8897)));
        assert_eq!(parse_coordinates("43,2389; 76,8897"), Some((43.2389, 76.8897)));
        assert_eq!(parse_coordinates("0, 0"), None);
        assert_eq!(parse_coordinates("95, 10"), None);
        assert_eq!(parse_coordinates("Abay 10"), None);
        assert_eq!(parse_coordinates(""), None);
    }

    #[test]
    fn small_formats() {
        assert_eq!(distance(347.0), "350 m");
        assert_eq!(distance(1234.0), "1.2 km");
        assert_eq!(percent(0, 0), 100);
        assert_eq!(percent(256, 1024), 25);
        assert_eq!(datetime(at("2026-03-22T10:05:00Z")), "22.03.2026 15:05");
    }
}
