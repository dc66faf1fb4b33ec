// News, city projects and comments.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qala_protocol::{
    AdminNews, Comment, Entity, EntityKind, FlagComment, NewComment, NewsInput, NewsItem, OpOutcome, Project,
    ProjectStatus,
};
use sqlx::Row;
use uuid::Uuid;

use super::quotas::charge_in;
use super::{Backend, Tx, op_record, op_seen, ts, write_change};
use crate::domain::quota::Charge;
use crate::store::error::StoreResult;
use crate::store::{CivicStore, ModerationItem, OpKey};

#[async_trait]
impl CivicStore for Backend {
    async fn add_comment(
        &self,
        op: &OpKey,
        author: &str,
        comment: &NewComment,
        now: DateTime<Utc>,
    ) -> StoreResult<OpOutcome> {
        let mut tx = self.begin().await?;
        let outcome = comment_in(&mut tx, op, author, comment, now, None).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn hide_comment(&self, id: Uuid, reason: &str) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let hidden: Option<i64> = sqlx::query_scalar("SELECT hidden FROM comments WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(hidden) = hidden else {
            return Ok(false);
        };
        sqlx::query("UPDATE comments SET hidden = 1, hidden_reason = $1, reviewed = 1 WHERE id = $2")
            .bind(reason)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if hidden == 0 {
            write_change(&mut tx, EntityKind::Comment, &id.to_string(), None, Utc::now()).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn restore_comment(&self, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        // A comment whose author deleted their account is gone for good.
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT hidden, data FROM comments WHERE id = $1 AND (hidden_reason IS NULL OR hidden_reason <> 'author_deleted')",
        )
        .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some((hidden, data)) = row else {
            return Ok(false);
        };
        sqlx::query("UPDATE comments SET hidden = 0, hidden_reason = NULL, reviewed = 1 WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if hidden != 0 {
            let comment: Comment = serde_json::from_str(&data)?;
            write_change(&mut tx, EntityKind::Comment, &id.to_string(), Some(&Entity::Comment(comment)), Utc::now())
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn flag_comment(
        &self,
        op: &OpKey,
        flag: &FlagComment,
        threshold: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<OpOutcome> {
        let mut tx = self.begin().await?;
        let outcome = flag_in(&mut tx, op, flag, threshold, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn comments_for_review(&self, limit: u32) -> StoreResult<Vec<ModerationItem>> {
        let rows = sqlx::query(
            "SELECT data, hidden, hidden_reason, reviewed, flags FROM (
                 SELECT c.id, c.data, c.hidden, c.hidden_reason, c.reviewed,
                        (SELECT COUNT(*) FROM comment_flags f WHERE f.comment_id = c.id) AS flags
                 FROM comments c) t
             ORDER BY CASE WHEN reviewed = 0 AND hidden = 1 THEN 0 WHEN reviewed = 0 AND flags > 0 THEN 1 ELSE 2 END,
                      id DESC
             LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ModerationItem {
                    comment: serde_json::from_str(r.get::<&str, _>("data"))?,
                    hidden: r.get::<i64, _>("hidden") != 0,
                    hidden_reason: r.get("hidden_reason"),
                    flags: r.get::<i64, _>("flags") as u32,
                    reviewed: r.get::<i64, _>("reviewed") != 0,
                })
            })
            .collect()
    }

    async fn put_news(&self, id: Uuid, input: &NewsInput, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let old: Option<(String, i64)> = sqlx::query_as("SELECT data, published FROM news WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        // Keep the first publication time across edits.
        let published_at = match &old {
            Some((data, 1)) => serde_json::from_str::<NewsItem>(data)?.published_at,
            _ => now,
        };
        let item = NewsItem { id, title: input.title.clone(), body: input.body.clone(), published_at };
        sqlx::query(
            "INSERT INTO news (id, published, data) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET published = excluded.published, data = excluded.data",
        )
        .bind(id.to_string())
        .bind(input.published as i64)
        .bind(serde_json::to_string(&item)?)
        .execute(&mut *tx)
        .await?;
        let was_public = matches!(old, Some((_, 1)));
        if input.published {
            write_change(&mut tx, EntityKind::News, &id.to_string(), Some(&Entity::News(item)), now).await?;
        } else if was_public {
            write_change(&mut tx, EntityKind::News, &id.to_string(), None, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn delete_news(&self, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM news WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?;
        if done.rows_affected() == 1 {
            write_change(&mut tx, EntityKind::News, &id.to_string(), None, Utc::now()).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn news_all(&self) -> StoreResult<Vec<AdminNews>> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT data, published FROM news").fetch_all(&self.read).await?;
        let mut all = rows
            .iter()
            .map(|(d, p)| Ok(AdminNews { item: serde_json::from_str(d)?, published: *p != 0 }))
            .collect::<StoreResult<Vec<_>>>()?;
        all.sort_by_key(|a| std::cmp::Reverse(a.item.published_at));
        Ok(all)
    }

    async fn projects_all(&self) -> StoreResult<Vec<Project>> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM projects").fetch_all(&self.read).await?;
        let mut all = rows.iter().map(|d| serde_json::from_str(d)).collect::<Result<Vec<Project>, _>>()?;
        all.sort_by_key(|p| std::cmp::Reverse(p.created_at));
        Ok(all)
    }

    async fn put_project(&self, project: &Project) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO projects (id, data) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
        )
        .bind(project.id.to_string())
        .bind(serde_json::to_string(project)?)
        .execute(&mut *tx)
        .await?;
        write_change(
            &mut tx,
            EntityKind::Project,
            &project.id.to_string(),
            Some(&Entity::Project(project.clone())),
            Utc::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn project(&self, id: Uuid) -> StoreResult<Option<Project>> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM projects WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?;
        data.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
    }

    async fn delete_project(&self, id: Uuid) -> StoreResult<bool> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let comments: Vec<(String, i64)> = sqlx::query_as("SELECT id, hidden FROM comments WHERE project_id = $1")
            .bind(id.to_string())
            .fetch_all(&mut *tx)
            .await?;
        for (cid, hidden) in &comments {
            if *hidden == 0 {
                write_change(&mut tx, EntityKind::Comment, cid, None, now).await?;
            }
        }
        sqlx::query("DELETE FROM comments WHERE project_id = $1").bind(id.to_string()).execute(&mut *tx).await?;
        let done = sqlx::query("DELETE FROM projects WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?;
        if done.rows_affected() == 1 {
            write_change(&mut tx, EntityKind::Project, &id.to_string(), None, now).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Adds a comment in the caller's transaction, charging `quota` when it is new and allowed.
/// Writes nothing unless the outcome is `Applied`.
pub(super) async fn comment_in(
    tx: &mut Tx,
    op: &OpKey,
    author: &str,
    c: &NewComment,
    now: DateTime<Utc>,
    quota: Option<&Charge>,
) -> StoreResult<OpOutcome> {
    if let Some(seen) = op_seen(tx, op).await? {
        return Ok(seen);
    }
    let reject = |code: &str, reason: &str| OpOutcome::Rejected { code: code.into(), reason: reason.into() };
    let exists: Option<String> = sqlx::query_scalar("SELECT author_id FROM comments WHERE id = $1")
        .bind(c.id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(by) = exists {
        return Ok(if by == op.user_id.to_string() {
            OpOutcome::Duplicate
        } else {
            reject("id_conflict", "this comment id belongs to someone else")
        });
    }
    let project: Option<String> = sqlx::query_scalar("SELECT data FROM projects WHERE id = $1")
        .bind(c.project_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(project) = project else {
        return Ok(reject("unknown_project", "no such project"));
    };
    let project: Project = serde_json::from_str(&project)?;
    let open = project.status == ProjectStatus::Discussion && project.discussion_until.is_none_or(|until| now <= until);
    if !open {
        return Ok(reject("discussion_closed", "the discussion of this project is closed"));
    }
    if let Some(parent) = c.parent_id {
        let ok: Option<i64> = sqlx::query_scalar("SELECT hidden FROM comments WHERE id = $1 AND project_id = $2")
            .bind(parent.to_string())
            .bind(c.project_id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        if ok.is_none() {
            return Ok(reject("unknown_parent", "the comment answered does not exist in this project"));
        }
    }
    // Last of the checks: a comment refused for another reason costs nothing.
    if let Some(quota) = quota
        && !charge_in(tx, quota).await?
    {
        return Ok(quota.refused());
    }
    let comment = Comment {
        id: c.id,
        project_id: c.project_id,
        parent_id: c.parent_id,
        author: author.to_string(),
        body: c.body.trim().to_string(),
        position: c.position,
        created_at: c.created_at.min(now),
    };
    sqlx::query("INSERT INTO comments (id, project_id, parent_id, author_id, data) VALUES ($1, $2, $3, $4, $5)")
        .bind(c.id.to_string())
        .bind(c.project_id.to_string())
        .bind(c.parent_id.map(|p| p.to_string()))
        .bind(op.user_id.to_string())
        .bind(serde_json::to_string(&comment)?)
        .execute(&mut **tx)
        .await?;
    write_change(tx, EntityKind::Comment, &c.id.to_string(), Some(&Entity::Comment(comment)), now).await?;
    op_record(tx, op, now).await?;
    Ok(OpOutcome::Applied)
}

/// Why a comment hidden by residents' flags is hidden, until a moderator decides.
pub(super) const FLAGGED_REASON: &str = "flagged by residents; waiting for a moderator";

/// Records a flag in the caller's transaction and hides the comment at the threshold, unless a
/// moderator has already reviewed it. Writes nothing unless the outcome is `Applied`.
pub(super) async fn flag_in(
    tx: &mut Tx,
    op: &OpKey,
    flag: &FlagComment,
    threshold: u32,
    now: DateTime<Utc>,
) -> StoreResult<OpOutcome> {
    if let Some(seen) = op_seen(tx, op).await? {
        return Ok(seen);
    }
    let row: Option<(String, i64, i64)> =
        sqlx::query_as("SELECT author_id, hidden, reviewed FROM comments WHERE id = $1")
            .bind(flag.comment_id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    let Some((author, hidden, reviewed)) = row else {
        return Ok(OpOutcome::Rejected { code: "unknown_comment".into(), reason: "no such comment".into() });
    };
    if author == op.user_id.to_string() {
        return Ok(OpOutcome::Rejected { code: "own_comment".into(), reason: "you cannot flag your own comment".into() });
    }
    let added = sqlx::query(
        "INSERT INTO comment_flags (comment_id, user_id, reason, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(flag.comment_id.to_string())
    .bind(op.user_id.to_string())
    .bind(flag.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()))
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    op_record(tx, op, now).await?;
    if added.rows_affected() == 0 {
        return Ok(OpOutcome::Duplicate);
    }
    let flags: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comment_flags WHERE comment_id = $1")
        .bind(flag.comment_id.to_string())
        .fetch_one(&mut **tx)
        .await?;
    if hidden == 0 && reviewed == 0 && flags >= i64::from(threshold) {
        sqlx::query("UPDATE comments SET hidden = 1, hidden_reason = $1 WHERE id = $2")
            .bind(FLAGGED_REASON)
            .bind(flag.comment_id.to_string())
            .execute(&mut **tx)
            .await?;
        write_change(tx, EntityKind::Comment, &flag.comment_id.to_string(), None, now).await?;
        tracing::info!(comment = %flag.comment_id, flags, "comment hidden by residents' flags until reviewed");
    }
    Ok(OpOutcome::Applied)
}
