//! Other residents' reports as the public sees them, within this phone's scope: the reports of the
//! districts the resident follows that are open or recently settled. They have a table of their
//! own, with the columns the screens search by, because there are thousands of them: "same problem
//! nearby?" reads a band of latitude of one category, the city feed reads the newest first, and
//! neither parses a report it does not show.

use chrono::{DateTime, Utc};
use qala_protocol::districts::WHOLE_CITY;
use qala_protocol::{PublicReport, distance_m};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::db;
use crate::error::CoreResult;

/// Metres per degree of latitude (and of longitude at the equator).
const M_PER_DEG: f64 = 111_320.0;

/// Stores (or replaces) a pulled public report.
pub fn put(conn: &Connection, r: &PublicReport) -> CoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO public_reports (id, district, category, open, lat, lon, registered_at, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET district = excluded.district, category = excluded.category,
           open = excluded.open, lat = excluded.lat, lon = excluded.lon,
           registered_at = excluded.registered_at, data = excluded.data",
    )?;
    stmt.execute(params![
        r.id.to_string(),
        r.district,
        r.category,
        r.status.is_open(),
        r.lat,
        r.lon,
        db::ts(r.registered_at),
        serde_json::to_string(r)?
    ])?;
    Ok(())
}

/// Deletes a public report (it left the scope, or was withdrawn).
pub fn delete(conn: &Connection, id: &str) -> CoreResult<()> {
    conn.prepare_cached("DELETE FROM public_reports WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Deletes them all (the phone starts over).
pub fn forget(conn: &Connection) -> CoreResult<usize> {
    Ok(conn.execute("DELETE FROM public_reports", [])?)
}

/// Keeps only the reports of `districts` (the resident narrowed the scope): all of them for the
/// whole city, none when no district is followed.
pub fn keep_districts(conn: &Connection, districts: &[String]) -> CoreResult<usize> {
    if districts.iter().any(|d| d == WHOLE_CITY) {
        return Ok(0);
    }
    let list = serde_json::to_string(districts)?;
    Ok(conn.execute("DELETE FROM public_reports WHERE district NOT IN (SELECT value FROM json_each(?1))", [list])?)
}

pub fn get(conn: &Connection, id: Uuid) -> CoreResult<Option<PublicReport>> {
    let data: Option<String> =
        conn.query_row("SELECT data FROM public_reports WHERE id = ?1", [id.to_string()], |r| r.get(0)).optional()?;
    Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
}

/// Open reports of `category` within `radius_m` of a point, nearest first: "same problem?". The
/// index narrows to a band of latitude; the box and the distance are checked on that band only.
pub fn nearby(
    conn: &Connection,
    category: &str,
    lat: f64,
    lon: f64,
    radius_m: f64,
) -> CoreResult<Vec<(PublicReport, f64)>> {
    let dlat = radius_m / M_PER_DEG;
    let dlon = radius_m / (M_PER_DEG * lat.to_radians().cos().max(0.01));
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM public_reports WHERE category = ?1 AND open = 1 AND lat BETWEEN ?2 AND ?3
           AND lon BETWEEN ?4 AND ?5",
    )?;
    let rows =
        stmt.query_map(params![category, lat - dlat, lat + dlat, lon - dlon, lon + dlon], |r| r.get::<_, String>(0))?;
    let mut near = Vec::new();
    for data in rows {
        let r: PublicReport = serde_json::from_str(&data?)?;
        let d = distance_m(lat, lon, r.lat, r.lon);
        if d <= radius_m {
            near.push((r, d));
        }
    }
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(near)
}

/// The city feed: the newest reports first, `limit` at a time, after `before` (the last report of
/// the previous page) when given. Older pages than the phone holds are fetched online.
pub fn feed(conn: &Connection, before: Option<(DateTime<Utc>, Uuid)>, limit: u32) -> CoreResult<Vec<PublicReport>> {
    let (at, id) = match before {
        Some((at, id)) => (db::ts(at), id.to_string()),
        None => ("9999".to_string(), String::new()),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM public_reports WHERE registered_at < ?1 OR (registered_at = ?1 AND id < ?2)
         ORDER BY registered_at DESC, id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![at, id, limit], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for data in rows {
        out.push(serde_json::from_str(&data?)?);
    }
    Ok(out)
}
