//! What each screen reads. All local: they work offline.

use qala_protocol::{
    Agency, Category, Comment, Lang, LocalMedia, MediaKind, MyReport, NewReport, NewsItem, Project, PublicReport,
    Report, SyncState, SyncStatus, distance_m,
};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::entities::{self, PENDING_REPORT};
use crate::error::CoreResult;
use crate::{Core, db, outbox};

impl Core {
    /// My reports, newest first: registered ones with the server's view, queued ones as written.
    pub fn my_reports(&self) -> CoreResult<Vec<MyReport>> {
        let conn = self.db();
        let registered: Vec<Report> = entities::all(&conn, "report")?;
        let pending: Vec<NewReport> = entities::all(&conn, PENDING_REPORT)?;
        let mut out = Vec::with_capacity(registered.len() + pending.len());
        for r in registered {
            let sync = sync_state(&conn, &r.id)?;
            out.push(MyReport {
                id: r.id,
                category: r.category.clone(),
                description: r.description.clone(),
                created_at: r.created_at,
                sync,
                media: local_media(&conn, r.id)?,
                report: Some(r),
            });
        }
        for p in pending {
            if out.iter().any(|m| m.id == p.id) {
                continue;
            }
            out.push(MyReport {
                id: p.id,
                category: p.category.clone(),
                description: p.description.clone(),
                created_at: p.created_at,
                sync: sync_state(&conn, &p.id)?,
                media: local_media(&conn, p.id)?,
                report: None,
            });
        }
        out.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        Ok(out)
    }

    pub fn my_report(&self, id: Uuid) -> CoreResult<Option<MyReport>> {
        Ok(self.my_reports()?.into_iter().find(|r| r.id == id))
    }

    /// Active categories, sorted by their name in `lang`.
    pub fn categories(&self, lang: Lang) -> CoreResult<Vec<Category>> {
        let mut cats: Vec<Category> = entities::all(&self.db(), "category")?;
        cats.retain(|c| c.active);
        cats.sort_by(|a, b| a.name.get(lang).cmp(b.name.get(lang)));
        Ok(cats)
    }

    pub fn agencies(&self) -> CoreResult<Vec<Agency>> {
        entities::all(&self.db(), "agency")
    }

    /// News, newest first.
    pub fn news(&self) -> CoreResult<Vec<NewsItem>> {
        let mut n: Vec<NewsItem> = entities::all(&self.db(), "news")?;
        n.sort_by_key(|i| std::cmp::Reverse(i.published_at));
        Ok(n)
    }

    pub fn projects(&self) -> CoreResult<Vec<Project>> {
        let mut p: Vec<Project> = entities::all(&self.db(), "project")?;
        p.sort_by_key(|i| std::cmp::Reverse(i.created_at));
        Ok(p)
    }

    /// A project's comments in thread order (each reply after its parent), with their sync state.
    pub fn comments(&self, project: Uuid) -> CoreResult<Vec<(Comment, SyncState)>> {
        let conn = self.db();
        let mut all: Vec<Comment> = entities::all(&conn, "comment")?;
        all.retain(|c| c.project_id == project);
        all.sort_by_key(|c| c.created_at);
        let mut ordered = Vec::with_capacity(all.len());
        fn walk(all: &[Comment], parent: Option<Uuid>, out: &mut Vec<Comment>) {
            for c in all.iter().filter(|c| c.parent_id == parent) {
                out.push(c.clone());
                walk(all, Some(c.id), out);
            }
        }
        walk(&all, None, &mut ordered);
        // Replies whose parent is not here (hidden) still show, at the end.
        for c in &all {
            if !ordered.iter().any(|o| o.id == c.id) {
                ordered.push(c.clone());
            }
        }
        ordered.into_iter().map(|c| Ok((c.clone(), comment_state(&conn, &c.id)?))).collect()
    }

    /// Open reports of `category` within `radius_m` of a point, nearest first: "same problem?".
    pub fn nearby(&self, category: &str, lat: f64, lon: f64, radius_m: f64) -> CoreResult<Vec<(PublicReport, f64)>> {
        let all: Vec<PublicReport> = entities::all(&self.db(), "public_report")?;
        let mut near: Vec<(PublicReport, f64)> = all
            .into_iter()
            .filter(|r| r.category == category && r.status.is_open())
            .map(|r| {
                let d = distance_m(lat, lon, r.location.lat, r.location.lon);
                (r, d)
            })
            .filter(|(_, d)| *d <= radius_m)
            .collect();
        near.sort_by(|a, b| a.1.total_cmp(&b.1));
        Ok(near)
    }

    /// Stores a catalogue. With `replace` false it only fills an empty store: the copy bundled
    /// with the app, so that the very first report can be captured before any network.
    pub fn store_catalog(&self, catalog: &qala_protocol::CatalogResponse, replace: bool) -> CoreResult<()> {
        let mut conn = self.db();
        let tx = conn.transaction()?;
        let have: i64 = tx.query_row("SELECT COUNT(*) FROM entities WHERE kind = 'category'", [], |r| r.get(0))?;
        if have > 0 && !replace {
            return Ok(());
        }
        for a in &catalog.agencies {
            entities::put(&tx, "agency", &a.code, a)?;
        }
        for c in &catalog.categories {
            entities::put(&tx, "category", &c.code, c)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A media file's bytes and type from the phone: one of my own (prepared) files, or a copy
    /// of a server file kept earlier. `None` when the phone has neither.
    pub fn local_media(&self, id: Uuid) -> CoreResult<Option<(Vec<u8>, &'static str)>> {
        let path: Option<String> =
            self.db().query_row("SELECT path FROM media WHERE id = ?1", [id.to_string()], |r| r.get(0)).optional()?;
        let path = path.map(std::path::PathBuf::from).unwrap_or_else(|| self.remote_media_path(id));
        match std::fs::read(&path) {
            Ok(bytes) => {
                let ct = qala_media::sniff::detect(&bytes).map_or("application/octet-stream", |(_, ct)| ct);
                Ok(Some((bytes, ct)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Keeps a downloaded server file (written whole, then renamed, so a crash leaves no half file).
    pub fn keep_remote_media(&self, id: Uuid, bytes: &[u8]) -> CoreResult<()> {
        let path = self.remote_media_path(id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }

    fn remote_media_path(&self, id: Uuid) -> std::path::PathBuf {
        self.media_dir().join("remote").join(id.to_string())
    }

    /// The sync indicator's data.
    pub fn sync_status(&self) -> CoreResult<SyncStatus> {
        let conn = self.db();
        let count = |sql: &str| -> CoreResult<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
        let (done, total): (i64, i64) = conn.query_row(
            "SELECT COALESCE(SUM(upload_offset), 0), COALESCE(SUM(size), 0) FROM media
             WHERE report_id IS NOT NULL AND uploaded = 0 AND error IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(SyncStatus {
            signed_in: db::meta_get(&conn, "refresh_token")?.is_some(),
            queued_ops: count("SELECT COUNT(*) FROM outbox WHERE rejected_code IS NULL")? as u32,
            rejected_ops: count("SELECT COUNT(*) FROM outbox WHERE rejected_code IS NOT NULL")? as u32,
            pending_uploads: count(
                "SELECT COUNT(*) FROM media WHERE report_id IS NOT NULL AND uploaded = 0 AND error IS NULL",
            )? as u32,
            failed_uploads: count("SELECT COUNT(*) FROM media WHERE error IS NOT NULL")? as u32,
            upload_bytes_done: done as u64,
            upload_bytes_total: total as u64,
            last_success: db::meta_get(&conn, "last_success")?.and_then(|s| s.parse().ok()),
            last_error: db::meta_get(&conn, "last_error")?,
        })
    }
}

fn sync_state(conn: &rusqlite::Connection, id: &Uuid) -> CoreResult<SyncState> {
    state_of(conn, "report", id)
}

fn comment_state(conn: &rusqlite::Connection, id: &Uuid) -> CoreResult<SyncState> {
    state_of(conn, "comment", id)
}

fn state_of(conn: &rusqlite::Connection, kind: &str, id: &Uuid) -> CoreResult<SyncState> {
    let id = id.to_string();
    if let Some((code, reason)) = outbox::rejection(conn, kind, &id)? {
        return Ok(SyncState::Rejected { code, reason });
    }
    Ok(if outbox::has_unsent(conn, kind, &id)? { SyncState::Queued } else { SyncState::Sent })
}

fn local_media(conn: &rusqlite::Connection, report: Uuid) -> CoreResult<Vec<LocalMedia>> {
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
