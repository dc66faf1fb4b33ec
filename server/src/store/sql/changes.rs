// The change log: pull and compaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{Backend, ts};
use crate::store::error::StoreResult;
use crate::store::{ChangeLog, ChangeRow, PullPage};

#[async_trait]
impl ChangeLog for Backend {
    async fn pull(&self, user: Uuid, cursor: i64, limit: u32) -> StoreResult<PullPage> {
        let rows = sqlx::query(
            "SELECT seq, kind, entity_id, payload FROM changes
             WHERE seq > $1 AND (owner IS NULL OR owner = $2) ORDER BY seq LIMIT $3",
        )
        .bind(cursor)
        .bind(user.to_string())
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.read)
        .await?;
        let has_more = rows.len() > limit as usize;
        let rows = rows
            .iter()
            .take(limit as usize)
            .map(|r| ChangeRow {
                seq: r.get("seq"),
                kind: r.get("kind"),
                entity_id: r.get("entity_id"),
                payload: r.get("payload"),
            })
            .collect();
        Ok(PullPage { rows, has_more })
    }

    async fn retention_floor(&self) -> StoreResult<i64> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'retention_floor'")
            .fetch_optional(&self.read)
            .await?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
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
                   AND newer.owner IS NOT DISTINCT FROM changes.owner AND newer.seq > changes.seq)",
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
