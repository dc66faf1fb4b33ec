// Uploads in progress and stored media, and filling media into the reports that declared them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qala_protocol::{MediaRef, MediaState, Report, Role};
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::quotas::charge_in;
use super::reports::{load_report, save_report};
use super::{Backend, Db, DbConnection, DbRow, Tx, parse_kind, parse_role, parse_ts, parse_uuid, ts};
use crate::domain::quota::Charge;
use crate::domain::reports::fill_media;
use crate::store::error::{StoreError, StoreResult};
use crate::store::{MediaLink, MediaRecords, MediaRow, MediaSweep, UploadRow};

/// The `meta` key of where the last media sweep stopped: `<created_at>|<id>` of the last file it
/// looked at.
const SWEEP_MARK: &str = "media_sweep_mark";

pub(super) fn media_row(r: &DbRow) -> StoreResult<MediaRow> {
    Ok(MediaRow {
        id: parse_uuid(r.get("id"))?,
        owner: parse_uuid(r.get("owner"))?,
        owner_role: parse_role(r.get("owner_role"))?,
        kind: parse_kind(r.get("kind"))?,
        content_type: r.get("content_type"),
        size: r.get::<i64, _>("size") as u64,
        sha256: r.get("sha256"),
        upload_length: r.get::<i64, _>("upload_length") as u64,
        created_at: parse_ts(r.get("created_at"))?,
    })
}

pub(super) fn received_ref(m: &MediaRow) -> MediaRef {
    MediaRef {
        id: m.id,
        kind: m.kind,
        state: MediaState::Received,
        sha256: Some(m.sha256.clone()),
        size: Some(m.size),
        content_type: Some(m.content_type.clone()),
    }
}

/// May media uploaded by `m.owner` fill a reference in this report? The report's own media must come
/// from its author; an answer's photo report from staff. Nobody can slip a file into another's report.
pub(super) fn may_fill(report: &Report, owner: Uuid, m: &MediaRow) -> bool {
    let in_report = report.media.iter().any(|r| r.id == m.id);
    let in_answer = report.answer.iter().flat_map(|a| a.media.iter()).any(|r| r.id == m.id);
    (in_report && m.owner == owner) || (in_answer && m.owner_role != Role::Resident)
}

/// Fills every pending media reference whose file already arrived.
pub(super) async fn fill_pending(tx: &mut Tx, report: &mut Report, owner: Uuid) -> StoreResult<()> {
    fill_pending_many(tx, &mut [(report, owner)]).await
}

/// [`fill_pending`] for many reports, with one query per [`super::ROWS_PER_STATEMENT`]
/// pending references.
pub(super) async fn fill_pending_many(tx: &mut Tx, reports: &mut [(&mut Report, Uuid)]) -> StoreResult<()> {
    let pending: Vec<String> = reports
        .iter()
        .flat_map(|(report, _)| {
            let answer = report.answer.iter().flat_map(|a| a.media.iter());
            report.media.iter().chain(answer).filter(|m| m.state == MediaState::Pending).map(|m| m.id.to_string())
        })
        .collect();
    let mut arrived = Vec::new();
    for ids in pending.chunks(super::ROWS_PER_STATEMENT) {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM media WHERE id IN (");
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(id);
        }
        qb.push(")");
        for row in qb.build().fetch_all(&mut **tx).await? {
            arrived.push(media_row(&row)?);
        }
    }
    for m in &arrived {
        for (report, owner) in reports.iter_mut() {
            if may_fill(report, *owner, m) {
                fill_media(report, &received_ref(m));
            }
        }
    }
    Ok(())
}

#[async_trait]
impl MediaRecords for Backend {
    async fn upload_create(&self, u: &UploadRow, now: DateTime<Utc>, quota: Option<&Charge>) -> StoreResult<UploadRow> {
        let (u, quota) = (u.clone(), quota.cloned());
        self.grouped.write(move |tx| Box::pin(async move {
            let (u, quota) = (&u, quota.as_ref());
            if let Some(existing) = fetch_upload(tx, u.id).await? {
                return if existing.owner == u.owner && existing.length == u.length && existing.kind == u.kind {
                    Ok(existing)
                } else {
                    Err(StoreError::Taken("an upload with this id exists".into()))
                };
            }
            let media_owner: Option<String> = sqlx::query_scalar("SELECT owner FROM media WHERE id = $1")
                .bind(u.id.to_string())
                .fetch_optional(&mut **tx)
                .await?;
            if media_owner.is_some() {
                return Err(StoreError::Taken("a media file with this id is already stored".into()));
            }
            // Only a new upload counts, with every byte it declares, before any byte is accepted.
            if let Some(quota) = quota
                && !charge_in(tx, quota).await?
            {
                return Err(StoreError::QuotaExceeded { message: quota.message(), retry_after_s: quota.retry_after_s });
            }
            sqlx::query(
                "INSERT INTO uploads (id, owner, kind, length, \"offset\", sha256, created_at, expires_at) VALUES ($1, $2, $3, $4, 0, $5, $6, $7)",
            )
            .bind(u.id.to_string())
            .bind(u.owner.to_string())
            .bind(u.kind.as_str())
            .bind(u.length as i64)
            .bind(&u.sha256)
            .bind(ts(now))
            .bind(ts(u.expires_at))
            .execute(&mut **tx)
            .await?;
            let stored = fetch_upload(tx, u.id).await?.ok_or_else(|| StoreError::Corrupt("upload vanished".into()))?;
            Ok(stored)
        })).await
    }

    async fn upload(&self, id: Uuid) -> StoreResult<Option<UploadRow>> {
        let mut conn = self.read.acquire().await?;
        fetch_upload(&mut conn, id).await
    }

    async fn open_uploads(&self, owner: Uuid) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM uploads WHERE owner = $1 AND expires_at >= $2")
            .bind(owner.to_string())
            .bind(ts(chrono::Utc::now()))
            .fetch_one(&self.read)
            .await?;
        Ok(n as u32)
    }

    async fn upload_advance(&self, id: Uuid, from: u64, to: u64, expires_at: DateTime<Utc>) -> StoreResult<bool> {
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE uploads SET \"offset\" = $1, expires_at = $2 WHERE id = $3 AND \"offset\" = $4",
                    )
                    .bind(to as i64)
                    .bind(ts(expires_at))
                    .bind(id.to_string())
                    .bind(from as i64)
                    .execute(&mut **tx)
                    .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn upload_delete(&self, id: Uuid) -> StoreResult<()> {
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM uploads WHERE id = $1").bind(id.to_string()).execute(&mut **tx).await?;
                    Ok(())
                })
            })
            .await
    }

    async fn upload_delete_expired(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    let gone = sqlx::query("DELETE FROM uploads WHERE id = $1 AND expires_at < $2")
                        .bind(id.to_string())
                        .bind(ts(now))
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                    Ok(gone > 0)
                })
            })
            .await
    }

    async fn uploads_expired(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Uuid>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM uploads WHERE expires_at < $1 LIMIT $2")
            .bind(ts(now))
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await?;
        ids.iter().map(|s| parse_uuid(s)).collect()
    }

    async fn media_complete(&self, m: &MediaRow) -> StoreResult<()> {
        let now = m.created_at;
        let m = m.clone();
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    let m = &m;
                    sqlx::query(
                "INSERT INTO media (id, owner, owner_role, kind, content_type, size, sha256, upload_length, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(m.id.to_string())
            .bind(m.owner.to_string())
            .bind(m.owner_role.as_str())
            .bind(m.kind.as_str())
            .bind(&m.content_type)
            .bind(m.size as i64)
            .bind(&m.sha256)
            .bind(m.upload_length as i64)
            .bind(ts(m.created_at))
            .execute(&mut **tx)
            .await?;
                    sqlx::query("DELETE FROM uploads WHERE id = $1").bind(m.id.to_string()).execute(&mut **tx).await?;
                    let reports: Vec<String> =
                        sqlx::query_scalar("SELECT report_id FROM report_media WHERE media_id = $1")
                            .bind(m.id.to_string())
                            .fetch_all(&mut **tx)
                            .await?;
                    for rid in reports {
                        if let Some((mut report, owner)) = load_report(tx, parse_uuid(&rid)?).await?
                            && may_fill(&report, owner, m)
                            && fill_media(&mut report, &received_ref(m))
                        {
                            save_report(tx, &report, owner, false, now).await?;
                        }
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn media(&self, id: Uuid) -> StoreResult<Option<MediaRow>> {
        let row =
            sqlx::query("SELECT * FROM media WHERE id = $1").bind(id.to_string()).fetch_optional(&self.read).await?;
        row.as_ref().map(media_row).transpose()
    }

    async fn media_links(&self, id: Uuid) -> StoreResult<Vec<MediaLink>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT r.owner, r.agency, rm.in_answer FROM report_media rm JOIN reports r ON r.id = rm.report_id WHERE rm.media_id = $1",
        )
        .bind(id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|(o, a, ans)| Ok(MediaLink { report_owner: parse_uuid(&o)?, agency: a, in_answer: ans != 0 }))
            .collect()
    }

    async fn media_sweep(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<MediaSweep> {
        let mut tx = self.begin().await?;
        let mark: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(SWEEP_MARK)
            .fetch_optional(&mut *tx)
            .await?;
        let (after_at, after_id) = match mark.as_deref().and_then(|m| m.split_once('|')) {
            Some((at, id)) => (at.to_string(), id.to_string()),
            None => (String::new(), String::new()),
        };
        // The next slice in storing order, through the (created_at, id) index: a bounded read
        // however many files there are, and never the files an earlier pass has looked at.
        let slice: Vec<(String, String)> = sqlx::query_as(
            "SELECT created_at, id FROM media WHERE (created_at, id) > ($1, $2) AND created_at < $3
             ORDER BY created_at, id LIMIT $4",
        )
        .bind(&after_at)
        .bind(&after_id)
        .bind(ts(before))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let Some((last_at, last_id)) = slice.last().cloned() else {
            return Ok(MediaSweep::default());
        };
        // Whether a report refers to a file is decided here, in the write transaction, so a report
        // stored at the same moment either keeps its file or arrives after it is gone (then it
        // shows the file as still awaited).
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM media WHERE id IN (");
        let mut ids = qb.separated(", ");
        for (_, id) in &slice {
            ids.push_bind(id.clone());
        }
        qb.push(") AND NOT EXISTS (SELECT 1 FROM report_media rm WHERE rm.media_id = media.id) RETURNING id");
        let deleted: Vec<String> = qb.build_query_scalar().fetch_all(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(SWEEP_MARK)
        .bind(format!("{last_at}|{last_id}"))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(MediaSweep {
            deleted: deleted.iter().map(|s| parse_uuid(s)).collect::<StoreResult<_>>()?,
            more: slice.len() as u64 >= u64::from(limit),
        })
    }
}

pub(super) async fn fetch_upload(conn: &mut DbConnection, id: Uuid) -> StoreResult<Option<UploadRow>> {
    let row = sqlx::query("SELECT id, owner, kind, length, \"offset\", sha256, expires_at FROM uploads WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| -> StoreResult<UploadRow> {
        Ok(UploadRow {
            id: parse_uuid(r.get("id"))?,
            owner: parse_uuid(r.get("owner"))?,
            kind: parse_kind(r.get("kind"))?,
            length: r.get::<i64, _>("length") as u64,
            offset: r.get::<i64, _>("offset") as u64,
            sha256: r.get("sha256"),
            expires_at: parse_ts(r.get("expires_at"))?,
        })
    })
    .transpose()
}
