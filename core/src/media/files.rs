//! The `media` table: the phone's own prepared files, from the draft they are attached to, through
//! the report they are sent with, to uploaded. Every statement on the table is here, so the life
//! of a file (and what "waiting", "failed" and "uploaded" mean) reads in one place.

use std::path::Path;

use chrono::Utc;
use qala_protocol::{DeclaredMedia, LocalMedia, MediaKind};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::db::ts;
use crate::error::{CoreError, CoreResult};

/// Files of sent reports that still wait to go (not uploaded, not refused).
const WAITING: &str = "report_id IS NOT NULL AND uploaded = 0 AND error IS NULL";

/// A prepared file, as it is recorded.
pub struct NewFile<'a> {
    pub id: Uuid,
    pub draft: Uuid,
    pub kind: MediaKind,
    pub path: &'a Path,
    pub size: u64,
    pub sha256: &'a str,
}

pub fn insert(conn: &Connection, f: &NewFile<'_>) -> CoreResult<()> {
    conn.execute(
        "INSERT INTO media (id, draft_id, kind, path, size, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            f.id.to_string(),
            f.draft.to_string(),
            f.kind.as_str(),
            f.path.to_string_lossy(),
            f.size as i64,
            f.sha256,
            ts(Utc::now())
        ],
    )?;
    Ok(())
}

/// The files of a draft, in the order they were attached.
pub fn of_draft(conn: &Connection, draft: Uuid) -> CoreResult<Vec<DeclaredMedia>> {
    let mut stmt = conn.prepare("SELECT id, kind FROM media WHERE draft_id = ?1 ORDER BY created_at")?;
    let rows = stmt.query_map([draft.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    rows.map(|row| {
        let (id, kind) = row?;
        Ok(DeclaredMedia {
            id: Uuid::parse_str(&id).map_err(|_| CoreError::NotFound("media"))?,
            kind: MediaKind::parse(&kind).ok_or(CoreError::NotFound("media kind"))?,
        })
    })
    .collect()
}

/// How many files of `kind` a draft has.
pub fn count_in_draft(conn: &Connection, draft: Uuid, kind: MediaKind) -> CoreResult<usize> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM media WHERE draft_id = ?1 AND kind = ?2",
        params![draft.to_string(), kind.as_str()],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

/// Takes a file off a draft; answers its path, to remove the bytes (`None`: not on that draft).
pub fn detach(conn: &Connection, draft: Uuid, id: Uuid) -> CoreResult<Option<String>> {
    let path: Option<String> = conn
        .query_row(
            "SELECT path FROM media WHERE id = ?1 AND draft_id = ?2",
            params![id.to_string(), draft.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    if path.is_some() {
        conn.execute("DELETE FROM media WHERE id = ?1", [id.to_string()])?;
    }
    Ok(path)
}

/// A draft became report `report` (the same id): its files go with it, to be uploaded.
pub fn send_with_report(conn: &Connection, report: Uuid) -> CoreResult<()> {
    conn.execute("UPDATE media SET report_id = ?1, draft_id = NULL WHERE draft_id = ?1", [report.to_string()])?;
    Ok(())
}

/// Where a file of mine is, if it is one.
pub fn path(conn: &Connection, id: Uuid) -> CoreResult<Option<String>> {
    Ok(conn.query_row("SELECT path FROM media WHERE id = ?1", [id.to_string()], |r| r.get(0)).optional()?)
}

/// The files of a report, with how far each has gone.
pub fn of_report(conn: &Connection, report: Uuid) -> CoreResult<Vec<LocalMedia>> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, size, upload_offset, uploaded, error FROM media WHERE report_id = ?1 ORDER BY created_at",
    )?;
    let rows = stmt.query_map(params![report.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, size, offset, uploaded, error) = row?;
        out.push(LocalMedia {
            id: Uuid::parse_str(&id).unwrap_or_default(),
            kind: MediaKind::parse(&kind).unwrap_or(MediaKind::Photo),
            size: size as u64,
            uploaded_bytes: if uploaded != 0 { size as u64 } else { offset as u64 },
            uploaded: uploaded != 0,
            error,
        });
    }
    Ok(out)
}

/// What waits to be uploaded, for the sync indicator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Waiting {
    pub files: u32,
    pub videos: u32,
    pub failed: u32,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

pub fn waiting(conn: &Connection) -> CoreResult<Waiting> {
    let count = |sql: &str| -> CoreResult<u32> { Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u32) };
    let (done, total): (i64, i64) = conn.query_row(
        &format!("SELECT COALESCE(SUM(upload_offset), 0), COALESCE(SUM(size), 0) FROM media WHERE {WAITING}"),
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Waiting {
        files: count(&format!("SELECT COUNT(*) FROM media WHERE {WAITING}"))?,
        videos: count(&format!("SELECT COUNT(*) FROM media WHERE {WAITING} AND kind = 'video'"))?,
        failed: count("SELECT COUNT(*) FROM media WHERE error IS NOT NULL")?,
        bytes_done: done as u64,
        bytes_total: total as u64,
    })
}

/// A file of a sent report on its way to the server.
pub struct PendingUpload {
    pub id: String,
    pub kind: String,
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// The upload's address on the server, once created.
    pub url: Option<String>,
}

/// The next file to upload: photos first, then videos (none when `skip_videos`), oldest first.
pub fn next_upload(conn: &Connection, skip_videos: bool) -> CoreResult<Option<PendingUpload>> {
    let sql = if skip_videos {
        format!(
            "SELECT id, kind, path, size, sha256, upload_url FROM media WHERE {WAITING} AND kind = 'photo' ORDER BY created_at LIMIT 1"
        )
    } else {
        format!(
            "SELECT id, kind, path, size, sha256, upload_url FROM media WHERE {WAITING} ORDER BY kind = 'video', created_at LIMIT 1"
        )
    };
    Ok(conn
        .query_row(&sql, [], |r| {
            Ok(PendingUpload {
                id: r.get(0)?,
                kind: r.get(1)?,
                path: r.get(2)?,
                size: r.get::<_, i64>(3)? as u64,
                sha256: r.get(4)?,
                url: r.get(5)?,
            })
        })
        .optional()?)
}

/// The server's upload for this file, started from byte 0.
pub fn upload_started(conn: &Connection, id: &str, url: &str) -> CoreResult<()> {
    conn.execute("UPDATE media SET upload_url = ?1, upload_offset = 0 WHERE id = ?2", params![url, id])?;
    Ok(())
}

pub fn upload_progressed(conn: &Connection, id: &str, offset: u64) -> CoreResult<()> {
    conn.execute("UPDATE media SET upload_offset = ?1 WHERE id = ?2", params![offset as i64, id])?;
    Ok(())
}

pub fn uploaded(conn: &Connection, id: &str) -> CoreResult<()> {
    conn.execute("UPDATE media SET uploaded = 1, upload_offset = size WHERE id = ?1", [id])?;
    Ok(())
}

/// The file cannot be uploaded (retrying will not help): it waits no more and shows `error`.
pub fn refused(conn: &Connection, id: &str, error: &str) -> CoreResult<()> {
    conn.execute("UPDATE media SET error = ?1 WHERE id = ?2", params![error, id])?;
    Ok(())
}

/// Uploads begun on a server the phone leaves: every file not yet uploaded starts again, at the
/// next server.
pub fn forget_uploads(conn: &Connection) -> CoreResult<()> {
    conn.execute("UPDATE media SET upload_url = NULL, upload_offset = 0 WHERE uploaded = 0", [])?;
    Ok(())
}
