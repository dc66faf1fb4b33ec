// A resident's rights over their data: what is kept about them, reports made anonymous, an
// account erased.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qala_protocol::{
    AccountRecord, CommentRecord, DeviceRecord, EntityKind, FlagRecord, MediaKind, MediaRecord, PersonalData,
    SessionRecord,
};
use sqlx::Row;
use uuid::Uuid;

use super::{Backend, ChangeRow, Db, ROWS_PER_STATEMENT, To, Tx, parse_ts, parse_uuid, ts, write_changes};
use crate::store::{PrivacyStore, Unlinked};
use crate::store::error::{StoreError, StoreResult};

/// Why a resident's comment is hidden, blanked, for good: its author deleted their account.
pub const AUTHOR_DELETED: &str = "author_deleted";

#[async_trait]
impl PrivacyStore for Backend {
    async fn personal_data(&self, user: Uuid, now: DateTime<Utc>) -> StoreResult<Option<PersonalData>> {
        let id = user.to_string();
        // One read transaction (on SQLite, one snapshot).
        let mut tx = self.read.begin().await?;
        let account = sqlx::query("SELECT phone, display_name, created_at FROM users WHERE id = $1 AND role = 'resident'")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(account) = account else { return Ok(None) };
        let devices = sqlx::query("SELECT device_id, last_seen FROM known_devices WHERE user_id = $1 ORDER BY last_seen")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
        let sessions = sqlx::query(
            "SELECT device_id, created_at, refresh_expires_at FROM sessions WHERE user_id = $1 AND state = 'live'
             ORDER BY created_at",
        )
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
        let reports: Vec<String> =
            sqlx::query_scalar("SELECT view FROM reports WHERE owner = $1 ORDER BY registered_at, id")
                .bind(&id)
                .fetch_all(&mut *tx)
                .await?;
        let comments = sqlx::query("SELECT data, hidden FROM comments WHERE author_id = $1 ORDER BY id")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
        let flags = sqlx::query("SELECT comment_id, reason, at FROM comment_flags WHERE user_id = $1 ORDER BY at")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
        let media = sqlx::query(
            "SELECT id, kind, content_type, size, sha256, created_at FROM media WHERE owner = $1 ORDER BY created_at, id",
        )
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(PersonalData {
            generated_at: now,
            account: AccountRecord {
                user_id: user,
                phone: account.get("phone"),
                display_name: account.get("display_name"),
                created_at: parse_ts(account.get("created_at"))?,
            },
            devices: devices
                .iter()
                .map(|r| Ok(DeviceRecord { device_id: r.get("device_id"), last_seen: parse_ts(r.get("last_seen"))? }))
                .collect::<StoreResult<_>>()?,
            sessions: sessions
                .iter()
                .map(|r| {
                    Ok(SessionRecord {
                        device_id: r.get("device_id"),
                        created_at: parse_ts(r.get("created_at"))?,
                        refresh_expires_at: parse_ts(r.get("refresh_expires_at"))?,
                    })
                })
                .collect::<StoreResult<_>>()?,
            reports: reports.iter().map(|v| Ok(serde_json::from_str(v)?)).collect::<StoreResult<_>>()?,
            comments: comments
                .iter()
                .map(|r| {
                    Ok(CommentRecord {
                        comment: serde_json::from_str(r.get("data"))?,
                        hidden: r.get::<i64, _>("hidden") != 0,
                    })
                })
                .collect::<StoreResult<_>>()?,
            flags: flags
                .iter()
                .map(|r| {
                    Ok(FlagRecord {
                        comment_id: parse_uuid(r.get("comment_id"))?,
                        reason: r.get("reason"),
                        at: parse_ts(r.get("at"))?,
                    })
                })
                .collect::<StoreResult<_>>()?,
            media: media
                .iter()
                .map(|r| {
                    let kind: String = r.get("kind");
                    Ok(MediaRecord {
                        id: parse_uuid(r.get("id"))?,
                        kind: serde_json::from_value::<MediaKind>(serde_json::Value::String(kind.clone()))
                            .map_err(|_| StoreError::Corrupt(format!("media kind {kind:?}")))?,
                        content_type: r.get("content_type"),
                        size: r.get::<i64, _>("size").max(0) as u64,
                        sha256: r.get("sha256"),
                        created_at: parse_ts(r.get("created_at"))?,
                    })
                })
                .collect::<StoreResult<_>>()?,
        }))
    }

    async fn anonymise_reports(
        &self,
        owner: Uuid,
        ids: Option<&[Uuid]>,
        to: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let n = hand_over_reports(&mut tx, owner, ids, to, now).await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn unlink_old_files(&self, before: DateTime<Utc>, now: DateTime<Utc>, limit: u32) -> StoreResult<Unlinked> {
        let mut tx = self.begin().await?;
        let due: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, owner, view FROM reports WHERE personal_cleared = 0 AND settled_at IS NOT NULL AND settled_at < $1
             ORDER BY settled_at LIMIT $2",
        )
        .bind(ts(before))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let mut media = Vec::new();
        for (id, owner, view) in &due {
            let mut report: qala_protocol::Report = serde_json::from_str(view)?;
            if !report.media.is_empty() {
                sqlx::query("DELETE FROM report_media WHERE report_id = $1 AND in_answer = 0")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // The files no other report or answer refers to go now (their objects are the
                // caller's to delete).
                for m in &report.media {
                    let gone: Option<String> = sqlx::query_scalar(
                        "DELETE FROM media WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM report_media WHERE media_id = $1)
                         RETURNING id",
                    )
                    .bind(m.id.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                    if gone.is_some() {
                        media.push(m.id);
                    }
                }
                report.media.clear();
                // Only the author's view changes: the public copy has no files, and a report
                // long off the phones stays off them.
                let view = serde_json::to_string(&report)?;
                sqlx::query("UPDATE reports SET view = $1 WHERE id = $2").bind(&view).bind(id).execute(&mut *tx).await?;
                let own = Some(format!("{{\"report\":{view}}}"));
                let row: ChangeRow<'_> = (EntityKind::Report, id.as_str(), To::Owner(parse_uuid(owner)?), own);
                write_changes(&mut tx, &[row], now).await?;
            }
            sqlx::query("UPDATE reports SET personal_cleared = 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Unlinked { reports: due.len() as u32, media })
    }

    async fn forget_idle_accounts(&self, before: DateTime<Utc>, now: DateTime<Utc>, limit: u32) -> StoreResult<u32> {
        let mut tx = self.begin().await?;
        // Expired sign-in records first: what is left says who was active lately.
        sqlx::query("DELETE FROM sessions WHERE refresh_expires_at < $1").bind(ts(now)).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM otp_codes WHERE expires_at < $1")
            .bind(ts(now - chrono::Duration::days(1)))
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM known_devices WHERE last_seen < $1").bind(ts(before)).execute(&mut *tx).await?;
        let phones = sqlx::query(
            "UPDATE users SET phone = NULL WHERE id IN (
               SELECT u.id FROM users u WHERE u.role = 'resident' AND u.phone IS NOT NULL AND u.created_at < $1
                 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id)
                 AND NOT EXISTS (SELECT 1 FROM known_devices k WHERE k.user_id = u.id)
                 AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.owner = u.id AND (r.settled_at IS NULL OR r.settled_at >= $1))
               LIMIT $2)",
        )
        .bind(ts(before))
        .bind(i64::from(limit))
        .execute(&mut *tx)
        .await?
        .rows_affected() as u32;
        tx.commit().await?;
        Ok(phones)
    }

    async fn erase_account(&self, user: Uuid, to: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
        let id = user.to_string();
        let mut tx = self.begin().await?;
        let phone: Option<Option<String>> =
            sqlx::query_scalar("SELECT phone FROM users WHERE id = $1 AND role = 'resident'")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(phone) = phone else { return Ok(false) };
        // Every report, in the same transaction: nothing of the resident is left half done.
        hand_over_reports(&mut tx, user, None, to, now).await?;
        // Comments lose their text and author and are hidden for good (a moderator cannot restore
        // them); every phone that held one gets a deletion.
        let comments: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT id, data, hidden FROM comments WHERE author_id = $1").bind(&id).fetch_all(&mut *tx).await?;
        let mut deleted = Vec::new();
        for (cid, data, hidden) in &comments {
            let mut c: qala_protocol::Comment = serde_json::from_str(data)?;
            c.body.clear();
            c.author.clear();
            sqlx::query(
                "UPDATE comments SET hidden = 1, hidden_reason = $1, reviewed = 1, author_id = $2, data = $3 WHERE id = $4",
            )
            .bind(AUTHOR_DELETED)
            .bind(to.to_string())
            .bind(serde_json::to_string(&c)?)
            .bind(cid)
            .execute(&mut *tx)
            .await?;
            if *hidden == 0 {
                deleted.push(cid.as_str());
            }
        }
        for chunk in deleted.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<ChangeRow<'_>> = chunk.iter().map(|c| (EntityKind::Comment, *c, To::City, None)).collect();
            write_changes(&mut tx, &rows, now).await?;
        }
        for sql in [
            "DELETE FROM comment_flags WHERE user_id = $1",
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM known_devices WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(&id).execute(&mut *tx).await?;
        }
        // The ledger of applied ops would tie op times to the resident.
        sqlx::query("UPDATE applied_ops SET user_id = $1 WHERE user_id = $2")
            .bind(to.to_string())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        // The own bucket held the resident's view of their reports: nobody pulls it any more.
        sqlx::query("DELETE FROM changes WHERE bucket = $1")
            .bind(qala_protocol::scope::own_key(user))
            .execute(&mut *tx)
            .await?;
        if let Some(phone) = &phone {
            for sql in ["DELETE FROM otp_codes WHERE phone = $1", "DELETE FROM otp_requests WHERE phone = $1"] {
                sqlx::query(sql).bind(phone).execute(&mut *tx).await?;
            }
        }
        sqlx::query("UPDATE users SET phone = NULL WHERE id = $1").bind(&id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Hands reports of `owner` (those of `ids`, or all) to `to`; answers how many were `owner`'s.
async fn hand_over_reports(tx: &mut Tx, owner: Uuid, ids: Option<&[Uuid]>, to: Uuid, now: DateTime<Utc>) -> StoreResult<u64> {
    let mine: Vec<(String, String)> = match ids {
        None => {
            sqlx::query_as("SELECT id, registered_at FROM reports WHERE owner = $1")
                .bind(owner.to_string())
                .fetch_all(&mut **tx)
                .await?
        }
        Some(ids) => {
            let mut found = Vec::new();
            for chunk in ids.chunks(ROWS_PER_STATEMENT) {
                let mut qb = sqlx::QueryBuilder::<Db>::new("SELECT id, registered_at FROM reports WHERE owner = ");
                qb.push_bind(owner.to_string()).push(" AND id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.to_string());
                }
                qb.push(")");
                found.extend(qb.build_query_as::<(String, String)>().fetch_all(&mut **tx).await?);
            }
            found
        }
    };
    for chunk in mine.chunks(ROWS_PER_STATEMENT) {
        let ids: Vec<String> = chunk.iter().map(|(id, _)| id.clone()).collect();
        hand_over(tx, owner, to, &ids, now).await?;
        // The ledger entry of each report's creation carries its registration time and the
        // author: it goes to `to` as well, or the time would name the author.
        for (_, registered_at) in chunk {
            sqlx::query("UPDATE applied_ops SET user_id = $1 WHERE user_id = $2 AND kind = 'create_report' AND at = $3")
                .bind(to.to_string())
                .bind(owner.to_string())
                .bind(registered_at)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(mine.len() as u64)
}

/// Moves reports `ids` (all `owner`'s) and the files the author uploaded for them to `to`, and
/// sends the author's phone a deletion for each.
async fn hand_over(tx: &mut Tx, owner: Uuid, to: Uuid, ids: &[String], now: DateTime<Utc>) -> StoreResult<()> {
    let in_list = |qb: &mut sqlx::QueryBuilder<Db>| {
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(id.clone());
        }
    };
    let mut qb = sqlx::QueryBuilder::<Db>::new("UPDATE media SET owner = ");
    qb.push_bind(to.to_string()).push(" WHERE owner = ").push_bind(owner.to_string());
    qb.push(" AND id IN (SELECT media_id FROM report_media WHERE report_id IN (");
    in_list(&mut qb);
    qb.push("))");
    qb.build().execute(&mut **tx).await?;
    let mut qb = sqlx::QueryBuilder::<Db>::new("UPDATE reports SET owner = ");
    qb.push_bind(to.to_string()).push(" WHERE owner = ").push_bind(owner.to_string()).push(" AND id IN (");
    in_list(&mut qb);
    qb.push(")");
    qb.build().execute(&mut **tx).await?;
    let rows: Vec<ChangeRow<'_>> = ids.iter().map(|id| (EntityKind::Report, id.as_str(), To::Owner(owner), None)).collect();
    write_changes(tx, &rows, now).await
}
