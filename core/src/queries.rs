//! What each screen reads. All local: they work offline.

use qala_protocol::{
    Agency, Category, Comment, CommentView, EntityKind, Lang, MyReport, NewReport, NewsItem, Project, PublicReport,
    Report, SyncState, SyncStatus,
};
use uuid::Uuid;

use crate::entities::{self, Kind};
use crate::error::CoreResult;
use crate::media::files;
use crate::{Core, db, outbox, public};

impl Core {
    /// My reports, newest first: registered ones with the server's view, queued ones as written.
    pub fn my_reports(&self) -> CoreResult<Vec<MyReport>> {
        let conn = self.db();
        let registered: Vec<Report> = entities::all(&conn, EntityKind::Report)?;
        let pending: Vec<NewReport> = entities::all(&conn, Kind::PendingReport)?;
        let mut out = Vec::with_capacity(registered.len() + pending.len());
        for r in registered {
            let sync = sync_state(&conn, &r.id)?;
            out.push(MyReport {
                id: r.id,
                category: r.category.clone(),
                description: r.description.clone(),
                created_at: r.created_at,
                sync,
                media: files::of_report(&conn, r.id)?,
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
                media: files::of_report(&conn, p.id)?,
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
        let mut cats: Vec<Category> = entities::all(&self.db(), EntityKind::Category)?;
        cats.retain(|c| c.active);
        cats.sort_by(|a, b| a.name.get(lang).cmp(b.name.get(lang)));
        Ok(cats)
    }

    pub fn agencies(&self) -> CoreResult<Vec<Agency>> {
        entities::all(&self.db(), EntityKind::Agency)
    }

    /// News, newest first.
    pub fn news(&self) -> CoreResult<Vec<NewsItem>> {
        let mut n: Vec<NewsItem> = entities::all(&self.db(), EntityKind::News)?;
        n.sort_by_key(|i| std::cmp::Reverse(i.published_at));
        Ok(n)
    }

    pub fn projects(&self) -> CoreResult<Vec<Project>> {
        let mut p: Vec<Project> = entities::all(&self.db(), EntityKind::Project)?;
        p.sort_by_key(|i| std::cmp::Reverse(i.created_at));
        Ok(p)
    }

    /// A project's comments in thread order (each reply after its parent, at its depth), with
    /// their sync state and whether I wrote or flagged them.
    pub fn comments(&self, project: Uuid) -> CoreResult<Vec<CommentView>> {
        let (flags, mine) = (self.my_flags()?, self.my_comments()?);
        let conn = self.db();
        let mut all: Vec<Comment> = entities::all(&conn, EntityKind::Comment)?;
        all.retain(|c| c.project_id == project);
        thread_order(all)
            .into_iter()
            .map(|(comment, depth)| {
                Ok(CommentView {
                    sync: comment_state(&conn, &comment.id)?,
                    flagged: flags.contains(&comment.id),
                    mine: mine.contains(&comment.id),
                    depth,
                    comment,
                })
            })
            .collect()
    }

    /// Open reports of `category` within `radius_m` of a point, nearest first: "same problem?".
    pub fn nearby(&self, category: &str, lat: f64, lon: f64, radius_m: f64) -> CoreResult<Vec<(PublicReport, f64)>> {
        public::nearby(&self.db(), category, lat, lon, radius_m)
    }

    /// The city feed of the reports this phone holds, newest first, a page after `before`.
    pub fn feed(
        &self,
        before: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
        limit: u32,
    ) -> CoreResult<Vec<PublicReport>> {
        public::feed(&self.db(), before, limit)
    }

    /// Stores a catalogue. With `replace` false it only fills an empty store: the copy bundled
    /// with the app, so that the very first report can be captured before any network.
    pub fn store_catalog(&self, catalog: &qala_protocol::CatalogResponse, replace: bool) -> CoreResult<()> {
        let mut conn = self.db();
        let tx = conn.transaction()?;
        if !replace && !entities::ids(&tx, EntityKind::Category)?.is_empty() {
            return Ok(());
        }
        for a in &catalog.agencies {
            entities::put(&tx, EntityKind::Agency, &a.code, a)?;
        }
        for c in &catalog.categories {
            entities::put(&tx, EntityKind::Category, &c.code, c)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A media file's bytes and type from the phone: one of my own (prepared) files, or a copy
    /// of a server file kept earlier. `None` when the phone has neither.
    pub fn local_media(&self, id: Uuid) -> CoreResult<Option<(Vec<u8>, &'static str)>> {
        let path = files::path(&self.db(), id)?;
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

    /// Videos of sent reports still to upload (what "waiting for Wi-Fi" counts).
    pub fn videos_waiting(&self) -> CoreResult<u32> {
        Ok(files::waiting(&self.db())?.videos)
    }

    /// What is still to be sent, and would go to the next server the resident signs in to: ops
    /// not yet sent (refused ones are not sent again) and files of sent reports not yet uploaded.
    pub fn unsent_count(&self) -> CoreResult<u32> {
        let s = self.sync_status()?;
        Ok(s.queued_ops + s.pending_uploads)
    }

    /// The sync indicator's data.
    pub fn sync_status(&self) -> CoreResult<SyncStatus> {
        let conn = self.db();
        let count = |sql: &str| -> CoreResult<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
        let media = files::waiting(&conn)?;
        Ok(SyncStatus {
            signed_in: db::meta_get(&conn, db::key::REFRESH_TOKEN)?.is_some(),
            queued_ops: count("SELECT COUNT(*) FROM outbox WHERE rejected_code IS NULL")? as u32,
            rejected_ops: count("SELECT COUNT(*) FROM outbox WHERE rejected_code IS NOT NULL")? as u32,
            pending_uploads: media.files,
            failed_uploads: media.failed,
            upload_bytes_done: media.bytes_done,
            upload_bytes_total: media.bytes_total,
            last_success: db::meta_get(&conn, db::key::LAST_SUCCESS)?.and_then(|s| s.parse().ok()),
            last_error: db::meta_get(&conn, db::key::LAST_ERROR)?,
            // Only the engine knows the network (`SyncEngine::status`).
            waiting_for_wifi: 0,
        })
    }
}

/// Orders comments as a thread: oldest first, each reply right after its parent (and the parent's
/// earlier replies), with its depth. Comments arrive from other phones, so the parent links are
/// not trusted: the walk is iterative (a reply chain 30,000 deep must not overflow the stack) and
/// linear (children are grouped once, not searched for per comment); a reply whose parent is
/// absent (hidden) or that sits in a cycle of parent links still shows, at the end, at depth 0.
pub fn thread_order(mut all: Vec<Comment>) -> Vec<(Comment, u32)> {
    use std::collections::HashMap;
    all.sort_by_key(|c| (c.created_at, c.id));
    let index: HashMap<Uuid, usize> = all.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); all.len()];
    let mut roots = Vec::new();
    for (i, c) in all.iter().enumerate() {
        match c.parent_id.and_then(|p| index.get(&p)) {
            Some(&parent) if parent != i => children[parent].push(i),
            _ if c.parent_id.is_none() => roots.push(i),
            _ => {} // an orphan: placed after the walk
        }
    }
    fn walk(from: usize, children: &[Vec<usize>], placed: &mut [bool], order: &mut Vec<(usize, u32)>) {
        let mut stack = vec![(from, 0u32)];
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut placed[i], true) {
                continue;
            }
            order.push((i, depth));
            // Reversed, so that the oldest reply is walked first.
            stack.extend(children[i].iter().rev().map(|&k| (k, depth.saturating_add(1))));
        }
    }
    let mut placed = vec![false; all.len()];
    let mut order: Vec<(usize, u32)> = Vec::with_capacity(all.len());
    for r in roots {
        walk(r, &children, &mut placed, &mut order);
    }
    // Orphans and cycles: each comment not yet placed starts its own thread at the end.
    for i in 0..all.len() {
        if !placed[i] {
            walk(i, &children, &mut placed, &mut order);
        }
    }
    let mut slots: Vec<Option<Comment>> = all.into_iter().map(Some).collect();
    order.into_iter().filter_map(|(i, d)| slots[i].take().map(|c| (c, d))).collect()
}

fn sync_state(conn: &rusqlite::Connection, id: &Uuid) -> CoreResult<SyncState> {
    state_of(conn, EntityKind::Report, id)
}

fn comment_state(conn: &rusqlite::Connection, id: &Uuid) -> CoreResult<SyncState> {
    state_of(conn, EntityKind::Comment, id)
}

fn state_of(conn: &rusqlite::Connection, kind: EntityKind, id: &Uuid) -> CoreResult<SyncState> {
    let id = id.to_string();
    if let Some((code, reason)) = outbox::rejection(conn, kind.as_str(), &id)? {
        return Ok(SyncState::Rejected { code, reason });
    }
    Ok(if outbox::has_unsent(conn, kind.as_str(), &id)? { SyncState::Queued } else { SyncState::Sent })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use qala_protocol::Position;

    fn comment(n: u32, parent: Option<u32>) -> Comment {
        let id = |n: u32| Uuid::from_u128(u128::from(n) + 1);
        Comment {
            id: id(n),
            project_id: Uuid::nil(),
            parent_id: parent.map(id),
            author: format!("a{n}"),
            body: format!("c{n}"),
            position: Position::Neutral,
            created_at: Utc.timestamp_opt(1_700_000_000 + i64::from(n), 0).unwrap(),
        }
    }

    fn bodies(t: &[(Comment, u32)]) -> Vec<(String, u32)> {
        t.iter().map(|(c, d)| (c.body.clone(), *d)).collect()
    }

    #[test]
    fn replies_follow_their_parent_oldest_first() {
        // 0 ─ 2 ─ 4      1 ─ 3
        //   └ 5
        let all = vec![
            comment(4, Some(2)),
            comment(0, None),
            comment(3, Some(1)),
            comment(1, None),
            comment(2, Some(0)),
            comment(5, Some(0)),
        ];
        let t = thread_order(all);
        let want: Vec<(String, u32)> = [("c0", 0), ("c2", 1), ("c4", 2), ("c5", 1), ("c1", 0), ("c3", 1)]
            .iter()
            .map(|(b, d)| (b.to_string(), *d))
            .collect();
        assert_eq!(bodies(&t), want);
    }

    #[test]
    fn orphans_and_cycles_still_show_once() {
        // 7's parent is not here (hidden); 8 and 9 point at each other; 10 points at itself.
        let mut all = vec![comment(0, None), comment(7, Some(99)), comment(8, Some(9)), comment(9, Some(8))];
        all.push(comment(10, Some(10)));
        let t = thread_order(all);
        assert_eq!(t.len(), 5);
        assert_eq!(t[0].0.body, "c0");
        let mut seen: Vec<String> = t.iter().map(|(c, _)| c.body.clone()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5, "each comment exactly once");
    }

    #[test]
    fn a_reply_chain_30000_deep_is_walked_on_a_small_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let n = 30_000u32;
                let all: Vec<Comment> = (0..n).map(|i| comment(i, i.checked_sub(1))).collect();
                let t = thread_order(all);
                assert_eq!(t.len(), n as usize);
                assert!(t.iter().enumerate().all(|(i, (c, d))| c.body == format!("c{i}") && *d == i as u32));
            })
            .unwrap();
        handle.join().expect("no stack overflow");
    }
}
