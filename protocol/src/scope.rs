//! What a phone holds, and where it stands in each part of it: the scopes of the sync's pull and
//! the cursor that records a phone's place in them. The server reads and writes cursors; to the
//! phone they are opaque text.
//!
//! A phone's scope is a set of buckets: `city` (catalogue, news, projects, comments), the
//! resident's own reports, whole, and one per district whose public reports the resident follows.
//! Each bucket has a name in cursors (`city`, `u.<user id>`, `d.<district>`) and a key in the change
//! log's `bucket` column (`city`, `u:<user id>`, `d:<district>`): [`buckets`] makes both. Following
//! the whole city is a choice (`*`: every district, and `d.` for reports outside them); a phone
//! that chose nothing holds no one else's reports, so a new phone's first sync is the same size in
//! a town and in a metropolis. (The app adopts the district of a resident's first report when they
//! chose none.) Buckets are PowerSync's idea; unlike PowerSync, Qala keeps one change log with one
//! sequence, so a bucket's position is a `seq` and a page is a merge of per-bucket ranges, ordered
//! by `seq`.
//!
//! The cursor a phone keeps is one text, `name:after[:snapshot]` per bucket joined by commas. A
//! bucket new to the phone starts with a *snapshot* up to the log's head at that moment: only the
//! latest row of each object and no deletions (the phone has nothing to delete), so a first sync
//! costs what is live, not the log's history. Past the snapshot the bucket streams every row.
//! Dropping a district drops its bucket from the cursor ([`without_dropped`]); the phone deletes
//! that district's reports itself. A plain number is read as every bucket at that position (the
//! cursor of the unscoped pull, which the phone's store converts on upgrade; the unscoped wire
//! format itself is gone: `next_cursor` is text).

use std::fmt;

use uuid::Uuid;

use crate::districts::{self, WHOLE_CITY};

/// The most districts one pull may name (a city has a handful).
pub const MAX_DISTRICTS: usize = 32;
/// The longest cursor accepted: every bucket of the largest scope, with room to spare.
pub const MAX_CURSOR_LEN: usize = 2048;
/// The most buckets a cursor may name (the largest scope has a dozen).
pub const MAX_CURSOR_BUCKETS: usize = 64;

#[derive(Debug, PartialEq, Eq)]
pub enum ScopeError {
    UnknownDistrict(String),
    TooManyDistricts,
    BadCursor(&'static str),
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeError::UnknownDistrict(d) => write!(f, "unknown district {d:?}"),
            ScopeError::TooManyDistricts => write!(f, "at most {MAX_DISTRICTS} districts"),
            ScopeError::BadCursor(why) => write!(f, "not a cursor this server gave: {why}"),
        }
    }
}

impl std::error::Error for ScopeError {}

/// One bucket of a scope: its name on the wire and its key in the change log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    pub key: String,
}

/// Where a phone stands in one bucket: everything up to `seq <= after` has been delivered — as a
/// snapshot while `snapshot` is `Some(h)` and `after < h` (the latest row of each object up to `h`,
/// superseded rows and deletions skipped), every row after that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    pub bucket: Bucket,
    pub after: i64,
    pub snapshot: Option<i64>,
    /// New to this phone: the store sets `snapshot` to the log's head when it starts.
    pub new: bool,
}

/// The districts a phone names, checked and in one form: known codes once each, or [`WHOLE_CITY`]
/// alone; empty for none. One reading for the pull, the feed and the phone's setting.
pub fn normalize<'a>(districts: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, ScopeError> {
    let mut codes: Vec<String> = Vec::new();
    for d in districts.into_iter().map(str::trim).filter(|d| !d.is_empty()) {
        if codes.len() == MAX_DISTRICTS {
            return Err(ScopeError::TooManyDistricts);
        }
        if d == WHOLE_CITY {
            return Ok(vec![WHOLE_CITY.to_string()]);
        }
        let known = districts::find(d).ok_or_else(|| ScopeError::UnknownDistrict(d.chars().take(40).collect()))?;
        if !codes.iter().any(|c| c == known.code) {
            codes.push(known.code.to_string());
        }
    }
    Ok(codes)
}

/// The `districts` query parameter (comma-separated) read with [`normalize`].
pub fn parse_districts(param: Option<&str>) -> Result<Vec<String>, ScopeError> {
    match param {
        Some(p) if p.len() > 1024 => Err(ScopeError::TooManyDistricts),
        Some(p) => normalize(p.split(',')),
        None => Ok(Vec::new()),
    }
}

/// The buckets a resident's phone pulls: the city's and its own, and those of `districts` (the
/// whole city for [`WHOLE_CITY`], no one else's reports when empty).
pub fn buckets(user: Uuid, districts: &[String]) -> Result<Vec<Bucket>, ScopeError> {
    let districts = normalize(districts.iter().map(String::as_str))?;
    let mut out = vec![
        Bucket { name: "city".into(), key: "city".into() },
        // Named by the account on the wire too: a phone signed in to another account starts that
        // account's bucket afresh instead of taking over the other's position.
        Bucket { name: format!("u.{user}"), key: own_key(user) },
    ];
    let codes: Vec<&str> = if districts.iter().any(|d| d == WHOLE_CITY) {
        // The whole city: every district, and the reports outside them.
        districts::AREAS.iter().map(|a| a.code).chain([""]).collect()
    } else {
        districts.iter().map(String::as_str).collect()
    };
    out.extend(codes.into_iter().map(|c| Bucket { name: format!("d.{c}"), key: district_key(c) }));
    Ok(out)
}

/// `cursor` without the district buckets the phone no longer follows (`districts` normalized):
/// the phone calls it in the transaction that deletes those districts' reports, so that a district
/// dropped and chosen again starts afresh (with a snapshot) instead of streaming from where the
/// deleted reports had been. Anything that is not a list of buckets is kept as it is.
pub fn without_dropped(cursor: &str, districts: &[String]) -> String {
    if districts.iter().any(|d| d == WHOLE_CITY) {
        return cursor.to_string();
    }
    cursor
        .split(',')
        .filter(|entry| {
            let name = entry.split(':').next().unwrap_or("");
            name.strip_prefix("d.").is_none_or(|code| districts.iter().any(|d| d == code))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The change-log key of a district's bucket (`d:` for reports outside every district).
pub fn district_key(code: &str) -> String {
    format!("d:{code}")
}

/// The change-log key of a resident's own bucket.
pub fn own_key(user: Uuid) -> String {
    format!("u:{user}")
}

/// The phone's positions in `scope`, read from its cursor. Buckets the cursor does not name start
/// new; buckets it names that are not in the scope any more are dropped.
pub fn positions(cursor: Option<&str>, scope: Vec<Bucket>) -> Result<Vec<Position>, ScopeError> {
    let cursor = cursor.unwrap_or("");
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(ScopeError::BadCursor("too long"));
    }
    let fresh = |bucket| Position { bucket, after: 0, snapshot: None, new: true };
    if cursor.is_empty() || cursor == "0" {
        return Ok(scope.into_iter().map(fresh).collect());
    }
    if cursor.bytes().all(|b| b.is_ascii_digit()) {
        let after: i64 = cursor.parse().map_err(|_| ScopeError::BadCursor("number out of range"))?;
        return Ok(scope.into_iter().map(|bucket| Position { bucket, after, snapshot: None, new: false }).collect());
    }
    let mut named: Vec<(&str, i64, Option<i64>)> = Vec::new();
    for entry in cursor.split(',') {
        if named.len() == MAX_CURSOR_BUCKETS {
            return Err(ScopeError::BadCursor("too many buckets"));
        }
        let mut parts = entry.split(':');
        let name = parts.next().unwrap_or("");
        let after = parts.next().ok_or(ScopeError::BadCursor("a bucket without a position"))?;
        let after = number(after)?;
        let snapshot = parts.next().map(number).transpose()?;
        if parts.next().is_some() {
            return Err(ScopeError::BadCursor("too many fields"));
        }
        if name.is_empty() || named.iter().any(|(n, _, _)| *n == name) {
            return Err(ScopeError::BadCursor("a bucket named twice, or without a name"));
        }
        named.push((name, after, snapshot));
    }
    Ok(scope
        .into_iter()
        .map(|bucket| match named.iter().find(|(n, _, _)| *n == bucket.name) {
            Some(&(_, after, snapshot)) => {
                Position { bucket, after, snapshot: snapshot.filter(|h| after < *h), new: false }
            }
            None => fresh(bucket),
        })
        .collect())
}

fn number(s: &str) -> Result<i64, ScopeError> {
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScopeError::BadCursor("a position that is not a number"));
    }
    s.parse().map_err(|_| ScopeError::BadCursor("a position out of range"))
}

/// The cursor text of `positions` (what the phone sends next time).
pub fn cursor(positions: &[Position]) -> String {
    let mut out = String::new();
    for (i, p) in positions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&p.bucket.name);
        out.push(':');
        out.push_str(&p.after.to_string());
        if let Some(h) = p.snapshot.filter(|h| p.after < *h) {
            out.push(':');
            out.push_str(&h.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> Uuid {
        Uuid::from_u128(7)
    }

    #[test]
    fn the_whole_city_is_every_district_and_the_rest() {
        assert_eq!(buckets(user(), &[]).unwrap().len(), 2, "no district chosen: no one else's reports");
        let b = buckets(user(), &[WHOLE_CITY.into()]).unwrap();
        assert_eq!(b.len(), 2 + districts::AREAS.len() + 1);
        assert_eq!(b[1].key, own_key(user()));
        assert!(b.iter().any(|b| b.name == "d." && b.key == "d:"));
    }

    #[test]
    fn chosen_districts_are_checked_and_deduplicated() {
        let b = buckets(user(), &["medeu".into(), "medeu".into()]).unwrap();
        let me = format!("u.{}", user());
        assert_eq!(b.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["city", me.as_str(), "d.medeu"]);
        assert_eq!(buckets(user(), &["atlantis".into()]), Err(ScopeError::UnknownDistrict("atlantis".into())));
        let many: Vec<String> = AREAS_CODES.iter().cycle().take(33).map(|c| c.to_string()).collect();
        assert_eq!(buckets(user(), &many).map(|b| b.len()), Ok(2 + 8), "repeats count once");
        let junk: Vec<String> = (0..40).map(|i| format!("x{i}")).collect();
        assert!(buckets(user(), &junk).is_err());
        assert_eq!(parse_districts(Some(&"medeu,".repeat(300))), Err(ScopeError::TooManyDistricts));
        assert_eq!(parse_districts(Some(" medeu , *")), Ok(vec![WHOLE_CITY.to_string()]));
        assert_eq!(parse_districts(Some("")), Ok(vec![]));
    }

    const AREAS_CODES: [&str; 8] =
        ["alatau", "almaly", "auezov", "bostandyk", "zhetysu", "medeu", "nauryzbay", "turksib"];

    #[test]
    fn dropped_districts_leave_the_cursor_and_the_rest_stays() {
        let c = "city:9,u.x:9,d.medeu:9,d.almaly:9:12";
        assert_eq!(without_dropped(c, &["almaly".into()]), "city:9,u.x:9,d.almaly:9:12");
        assert_eq!(without_dropped(c, &[]), "city:9,u.x:9");
        assert_eq!(without_dropped(c, &[WHOLE_CITY.into()]), c);
        assert_eq!(without_dropped("57", &[]), "57");
        assert_eq!(without_dropped("", &[]), "");
    }

    #[test]
    fn a_cursor_round_trips_and_new_buckets_start_fresh() {
        let scope = buckets(user(), &["medeu".into()]).unwrap();
        let mut p = positions(None, scope.clone()).unwrap();
        assert!(p.iter().all(|p| p.new && p.after == 0));
        p[0].after = 40;
        p[0].snapshot = Some(90);
        p[1].after = 90;
        p[2].after = 12;
        let text = cursor(&p);
        assert_eq!(text, format!("city:40:90,u.{}:90,d.medeu:12", user()));
        // The resident adds a district: the old buckets keep their place, the new one starts.
        let wider = buckets(user(), &["medeu".into(), "almaly".into()]).unwrap();
        let q = positions(Some(&text), wider).unwrap();
        assert_eq!((q[0].after, q[0].snapshot, q[0].new), (40, Some(90), false));
        assert_eq!((q[2].after, q[2].new), (12, false));
        assert!(q[3].new && q[3].bucket.name == "d.almaly");
        // Another account on the same phone starts its own bucket afresh.
        let other = positions(Some(&text), buckets(Uuid::from_u128(8), &["medeu".into()]).unwrap()).unwrap();
        assert!(other[1].new && !other[0].new);
        // And drops one: its bucket leaves the cursor.
        let narrower = buckets(user(), &["almaly".into()]).unwrap();
        let r = positions(Some(&text), narrower).unwrap();
        assert_eq!(cursor(&r[2..]), "d.almaly:0");
    }

    #[test]
    fn a_number_is_every_bucket_at_that_place() {
        let all = || buckets(user(), &[WHOLE_CITY.into()]).unwrap();
        let p = positions(Some("57"), all()).unwrap();
        assert!(p.iter().all(|p| p.after == 57 && !p.new && p.snapshot.is_none()));
        assert!(positions(Some("0"), all()).unwrap().iter().all(|p| p.new));
    }

    #[test]
    fn malformed_cursors_are_refused() {
        let scope = || buckets(user(), &[]).unwrap();
        for bad in [
            "city",
            "city:",
            "city:x",
            "city:-1",
            "city:1:2:3",
            ":5",
            "city:1,city:2",
            "99999999999999999999",
            "city:99999999999999999999",
            ",",
        ] {
            assert!(matches!(positions(Some(bad), scope()), Err(ScopeError::BadCursor(_))), "{bad}");
        }
        let long = "city:1,".repeat(400);
        assert_eq!(positions(Some(&long), scope()), Err(ScopeError::BadCursor("too long")));
    }
}
