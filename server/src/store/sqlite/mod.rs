//! The embedded default store: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection and start with `BEGIN IMMEDIATE`: SQLite
//! serialises writers anyway, and queueing them in the pool (instead of letting several connections
//! spin on the busy handler) keeps latency flat under load. It also means change-log `seq` values
//! commit in order, so a pull cursor can never step over a row that commits later. Reads use a
//! separate pool and see the last committed state.

mod accounts;
mod changes;
mod civic;
mod media;
mod meta;
mod push;
mod reports;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use qala_protocol::{Entity, EntityKind, MediaKind, OpOutcome, Role};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use uuid::Uuid;

use super::OpKey;
use crate::error::{AppError, AppResult};

pub(super) type Tx = sqlx::Transaction<'static, Sqlite>;

/// Schema migrations, applied in order, each once.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../../migrations/sqlite/0001_init.sql"))];

pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
}

/// Sortable text form of a time.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(super) fn parse_ts(s: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| AppError::Internal(format!("bad stored time {s:?}: {e}")))
}

pub(super) fn parse_uuid(s: &str) -> AppResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| AppError::Internal(format!("bad stored id {s:?}: {e}")))
}

pub(super) fn parse_role(s: &str) -> AppResult<Role> {
    Role::parse(s).ok_or_else(|| AppError::Internal(format!("bad stored role {s:?}")))
}

pub(super) fn parse_kind(s: &str) -> AppResult<MediaKind> {
    MediaKind::parse(s).ok_or_else(|| AppError::Internal(format!("bad stored media kind {s:?}")))
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> AppResult<Self> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new().max_connections(1).connect_with(opts.clone()).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(opts.read_only(true)).await?;
        let store = SqliteStore { write, read };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> AppResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        for (version, sql) in MIGRATIONS {
            let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = ?")
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
            if done.is_none() {
                sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                    .bind(version)
                    .bind(ts(Utc::now()))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn begin(&self) -> AppResult<Tx> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// Appends a change row in the caller's transaction.
pub(super) async fn write_change(
    tx: &mut Tx,
    kind: EntityKind,
    id: &str,
    owner: Option<Uuid>,
    entity: Option<&Entity>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let payload = entity.map(serde_json::to_string).transpose()?;
    write_changes(tx, &[(kind, id, owner, payload)], now).await
}

/// Appends change rows whose payloads are already serialised, in one statement, in order.
pub(super) async fn write_changes(
    tx: &mut Tx,
    rows: &[(EntityKind, &str, Option<Uuid>, Option<String>)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = ts(now);
    let mut qb = sqlx::QueryBuilder::<Sqlite>::new("INSERT INTO changes (kind, entity_id, owner, payload, at) ");
    qb.push_values(rows, |mut row, (kind, id, owner, payload)| {
        row.push_bind(kind.as_str())
            .push_bind(id.to_string())
            .push_bind(owner.map(|o| o.to_string()))
            .push_bind(payload.clone())
            .push_bind(at.clone());
    });
    qb.build().execute(&mut **tx).await?;
    Ok(())
}

/// Has this op been applied? `Some(outcome)` when the ledger already knows it.
pub(super) async fn op_seen(tx: &mut Tx, op: &OpKey) -> AppResult<Option<OpOutcome>> {
    let user: Option<String> = sqlx::query_scalar("SELECT user_id FROM applied_ops WHERE op_id = ?")
        .bind(op.op_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(user.map(|u| ledger_outcome(&u, op)))
}

/// What a ledger entry by `user` means for `op`: a duplicate of one's own op, or someone else's id.
pub(super) fn ledger_outcome(user: &str, op: &OpKey) -> OpOutcome {
    if user == op.user_id.to_string() {
        OpOutcome::Duplicate
    } else {
        OpOutcome::Rejected { code: "id_conflict".into(), reason: "this op id belongs to someone else".into() }
    }
}

pub(super) async fn op_record(tx: &mut Tx, op: &OpKey, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query("INSERT INTO applied_ops (op_id, user_id, kind, at) VALUES (?, ?, ?, ?)")
        .bind(op.op_id.to_string())
        .bind(op.user_id.to_string())
        .bind(op.kind)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
