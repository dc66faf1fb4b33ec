// The change log: pull and compaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use qala_protocol::EntityKind;

use super::{Backend, Db, DbConnection, To, ts, write_changes};
use qala_protocol::scope::Position;
use crate::store::error::StoreResult;
use crate::store::{ChangeLog, ChangeRow, PullPage, Pulled};

/// The retention floor as `conn` sees it (inside a pull's snapshot, or alone).
async fn floor_in(conn: &mut DbConnection) -> StoreResult<i64> {
    let v: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'retention_floor'")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

#[async_trait]
impl ChangeLog for Backend {
    async fn pull(&self, mut positions: Vec<Position>, limit: u32) -> StoreResult<Pulled> {
        // One snapshot of the database for the whole page: the head, the floor and the rows agree.
        let mut tx = self.begin_read().await?;
        let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes").fetch_one(&mut *tx).await?;
        let floor = floor_in(&mut tx).await?;
        // The newest rows may be deletions compaction has pruned: the log's head is never below
        // the floor (sequence numbers are never given twice).
        let head = last.max(floor);
        // A position below the floor may have missed a pruned deletion. A snapshot skips
        // deletions up to its head, so for one only where its stream starts counts.
        let streams_from = |p: &Position| p.snapshot.filter(|h| p.after < *h).unwrap_or(p.after);
        if positions.iter().any(|p| !p.new && streams_from(p) > 0 && streams_from(p) < floor) {
            return Ok(Pulled::Gone);
        }
        let want = i64::from(limit) + 1;
        let mut seqs: Vec<i64> = Vec::new();
        for p in &mut positions {
            if p.new {
                p.snapshot = Some(head);
                p.new = false;
            }
            if p.after >= head {
                continue;
            }
            let mut from = p.after;
            if let Some(h) = p.snapshot.filter(|h| p.after < *h) {
                // A snapshot: the latest row of each object, and no deletions (the phone has
                // nothing to delete). Rows that a newer one supersedes are skipped: that newer
                // row comes later, in the snapshot or in the stream after it.
                let part: Vec<i64> = sqlx::query_scalar(
                    "SELECT seq FROM changes c WHERE bucket = $1 AND seq > $2 AND seq <= $3 AND payload IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM changes n WHERE n.kind = c.kind AND n.entity_id = c.entity_id
                                       AND n.bucket = c.bucket AND n.seq > c.seq)
                     ORDER BY seq LIMIT $4",
                )
                .bind(&p.bucket.key)
                .bind(from)
                .bind(h)
                .bind(want)
                .fetch_all(&mut *tx)
                .await?;
                let full = part.len() as i64 == want;
                seqs.extend(part);
                if full {
                    continue;
                }
                from = h;
            }
            let part: Vec<i64> = sqlx::query_scalar(
                "SELECT seq FROM changes WHERE bucket = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
            )
            .bind(&p.bucket.key)
            .bind(from)
            .bind(head)
            .bind(want)
            .fetch_all(&mut *tx)
            .await?;
            seqs.extend(part);
        }
        // The page is the `limit` smallest candidates. Every bucket gave its smallest `limit + 1`,
        // so every row of the scope at or below the page's last seq is in it: the page is exact.
        seqs.sort_unstable();
        let has_more = seqs.len() > limit as usize;
        seqs.truncate(limit as usize);
        let upto = if has_more { seqs.last().copied().unwrap_or(0) } else { head };
        let mut rows = Vec::with_capacity(seqs.len());
        for chunk in seqs.chunks(500) {
            let mut qb = sqlx::QueryBuilder::<Db>::new("SELECT seq, kind, entity_id, payload FROM changes WHERE seq IN (");
            let mut list = qb.separated(", ");
            for s in chunk {
                list.push_bind(*s);
            }
            qb.push(") ORDER BY seq");
            for r in qb.build().fetch_all(&mut *tx).await? {
                rows.push(ChangeRow {
                    seq: r.get("seq"),
                    kind: r.get("kind"),
                    entity_id: r.get("entity_id"),
                    payload: r.get("payload"),
                });
            }
        }
        tx.rollback().await?;
        for p in &mut positions {
            p.after = p.after.max(upto);
            p.snapshot = p.snapshot.filter(|h| p.after < *h);
        }
        Ok(Pulled::Page(PullPage { rows, has_more, positions }))
    }

    async fn leave_public_scope(&self, settled_before: DateTime<Utc>, limit: u32) -> StoreResult<u32> {
        let mut tx = self.begin().await?;
        // First whatever is no longer published but still on phones (a report rejected as
        // private property before that rule, by the upgrade that brought it), then what settled
        // long enough ago.
        let mut leaving: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT id, district FROM reports WHERE in_scope = 1 AND published = 0 LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await?;
        let room = i64::from(limit) - leaving.len() as i64;
        if room > 0 {
            leaving.extend(
                sqlx::query_as::<_, (String, Option<String>)>(
                    "SELECT id, district FROM reports WHERE in_scope = 1 AND settled_at IS NOT NULL AND settled_at < $1
                     AND published = 1 ORDER BY settled_at LIMIT $2",
                )
                .bind(ts(settled_before))
                .bind(room)
                .fetch_all(&mut *tx)
                .await?,
            );
        }
        if leaving.is_empty() {
            return Ok(0);
        }
        let rows: Vec<_> = leaving
            .iter()
            .map(|(id, d)| (EntityKind::PublicReport, id.as_str(), To::District(d.as_deref().unwrap_or("")), None))
            .collect();
        write_changes(&mut tx, &rows, Utc::now()).await?;
        let mut qb = sqlx::QueryBuilder::<Db>::new("UPDATE reports SET in_scope = 0 WHERE id IN (");
        let mut list = qb.separated(", ");
        for (id, _) in &leaving {
            list.push_bind(id.clone());
        }
        qb.push(")");
        qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(leaving.len() as u32)
    }

    async fn file_reports(&self, limit: u32) -> StoreResult<u32> {
        let mut tx = self.begin().await?;
        let unfiled: Vec<(String, String)> = sqlx::query_as("SELECT id, view FROM reports WHERE district IS NULL LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        for (id, view) in &unfiled {
            let report: qala_protocol::Report = serde_json::from_str(view)?;
            let district = qala_protocol::districts::code_of(report.location.lat, report.location.lon);
            sqlx::query("UPDATE reports SET district = $1, settled_at = $2 WHERE id = $3")
                .bind(district)
                .bind(super::reports::settled_at(&report).map(ts))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE changes SET bucket = $1 WHERE kind = 'public_report' AND entity_id = $2")
                .bind(qala_protocol::scope::district_key(district))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(unfiled.len() as u32)
    }

    async fn retention_floor(&self) -> StoreResult<i64> {
        let mut conn = self.read.acquire().await?;
        floor_in(&mut conn).await
    }

    async fn compact(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        // In slices of the log, each its own short write transaction: writers (and pushes) wait
        // for one slice at most, never for the whole log.
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM changes").fetch_one(&self.read).await?;
        let Some(last) = last else { return Ok(0) };
        let mut dropped = self
            .delete_in_slices(
                "DELETE FROM changes WHERE seq > $1 AND seq <= $2 AND EXISTS (SELECT 1 FROM changes newer
                   WHERE newer.kind = changes.kind AND newer.entity_id = changes.entity_id
                   AND newer.bucket = changes.bucket AND newer.seq > changes.seq)",
                last,
            )
            .await?;
        let floor: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM changes WHERE payload IS NULL AND at < $1")
            .bind(ts(before))
            .fetch_one(&self.read)
            .await?;
        if let Some(floor) = floor {
            // The floor rises first: from then on an older cursor gets 410 and starts again, so
            // no phone can page past a tombstone the slices below are about to drop.
            let mut tx = self.begin().await?;
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ('retention_floor', $1)
                 ON CONFLICT (key) DO UPDATE SET value = CASE WHEN CAST(meta.value AS BIGINT) > CAST(excluded.value AS BIGINT)
                   THEN meta.value ELSE excluded.value END",
            )
            .bind(floor.to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            dropped += self
                .delete_in_slices("DELETE FROM changes WHERE payload IS NULL AND seq > $1 AND seq <= $2", floor)
                .await?;
        }
        Ok(dropped)
    }
}

/// Change-log rows (by sequence number) compacted in one write transaction.
const COMPACT_SLICE: i64 = 5_000;

impl Backend {
    /// Files every report of a database older than scopes under its district (in batches, each
    /// its own transaction): run when the store opens, after the migrations.
    pub(super) async fn file_all(&self) -> StoreResult<()> {
        let mut filed = 0u64;
        loop {
            let n = self.file_reports(500).await?;
            filed += u64::from(n);
            if n == 0 {
                break;
            }
        }
        if filed > 0 {
            tracing::info!(filed, "reports filed under their districts");
        }
        Ok(())
    }

    /// Runs `sql` (a DELETE bounded by `seq > $1 AND seq <= $2`) over `0..=upto` in slices of
    /// [`COMPACT_SLICE`], each its own write transaction; returns the rows deleted.
    async fn delete_in_slices(&self, sql: &'static str, upto: i64) -> StoreResult<u64> {
        let (mut from, mut dropped) = (0, 0);
        while from < upto {
            let to = from.saturating_add(COMPACT_SLICE).min(upto);
            let mut tx = self.begin().await?;
            dropped += sqlx::query(sql).bind(from).bind(to).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            from = to;
        }
        Ok(dropped)
    }
}
