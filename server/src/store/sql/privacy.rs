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

use super::{Backend, ChangeRow, Db, ROWS_PER_STATEMENT, To, Tx, parse_ts, parse_uuid, write_changes};
use crate::store::PrivacyStore;
use crate::store::error::{StoreError, StoreResult};

/// Why a resident's comment is hidden after they deleted their account.
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
        let mine: Vec<String> = match ids {
            None => {
                sqlx::query_scalar("SELECT id FROM reports WHERE owner = $1")
                    .bind(owner.to_string())
                    .fetch_all(&mut *tx)
                    .await?
            }
            Some(ids) => {
                let mut found = Vec::new();
                for chunk in ids.chunks(ROWS_PER_STATEMENT) {
                    let mut qb = sqlx::QueryBuilder::<Db>::new("SELECT id FROM reports WHERE owner = ");
                    qb.push_bind(owner.to_string()).push(" AND id IN (");
                    let mut list = qb.separated(", ");
                    for id in chunk {
                        list.push_bind(id.to_string());
                    }
                    qb.push(")");
                    found.extend(qb.build_query_scalar::<String>().fetch_all(&mut *tx).await?);
                }
                found
            }
        };
        for chunk in mine.chunks(ROWS_PER_STATEMENT) {
            hand_over(&mut tx, owner, to, chunk, now).await?;
        }
        tx.commit().await?;
        Ok(mine.len() as u64)
    }

    async fn erase_account(&self, user: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
        let id = user.to_string();
        let mut tx = self.begin().await?;
        let phone: Option<Option<String>> =
            sqlx::query_scalar("SELECT phone FROM users WHERE id = $1 AND role = 'resident'")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(phone) = phone else { return Ok(false) };
        // Comments are hidden the way a moderator hides them: every phone gets a deletion.
        let hidden: Vec<String> = sqlx::query_scalar(
            "UPDATE comments SET hidden = 1, hidden_reason = $1, reviewed = 1 WHERE author_id = $2 AND hidden = 0
             RETURNING id",
        )
        .bind(AUTHOR_DELETED)
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
        for chunk in hidden.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<ChangeRow<'_>> = chunk.iter().map(|c| (EntityKind::Comment, c.as_str(), To::City, None)).collect();
            write_changes(&mut tx, &rows, now).await?;
        }
        for sql in [
            "DELETE FROM comment_flags WHERE user_id = $1",
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM known_devices WHERE user_id = $1",
            "DELETE FROM quota_usage WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(&id).execute(&mut *tx).await?;
        }
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
