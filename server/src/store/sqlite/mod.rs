//! The embedded default store: one SQLite file in WAL mode.
//!
//! Commits are synchronous (fsync), so what the server acknowledged survives a power cut.
//! Writes go through a pool of exactly one connection and start with `BEGIN IMMEDIATE`: SQLite
//! serialises writers anyway, and queueing them in the pool (instead of letting several connections
//! spin on the busy handler) keeps latency flat under load. It also means change-log `seq` values
//! commit in order, so a pull cursor can never step over a row that commits later. Reads use a
//! separate pool and see the last committed state. The queries themselves live in `../sql`.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use crate::store::error::StoreResult;
use crate::store::group_commit::GroupCommit;

type Db = Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type DbConnection = sqlx::SqliteConnection;
type Tx = sqlx::Transaction<'static, Sqlite>;
type Backend = SqliteStore;

super::sql::sql_store_modules!();

mod checkpoint;

/// Schema migrations (`migrations/sqlite`, one file each), embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
    /// The small writes, committed in groups on the same one write connection.
    grouped: GroupCommit<Sqlite>,
    _checkpoints: checkpoint::Checkpointer,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss, and a
            // phone deletes an op as soon as the server acknowledges it. Group commit (one commit per
            // batch of pushes) keeps the extra fsync affordable.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                opts.clone()
                    .pragma("wal_autocheckpoint", checkpoint::WRITER_CHECKPOINT_PAGES)
                    .pragma("journal_size_limit", checkpoint::WAL_KEPT_BYTES)
                    // 32 MiB of page cache, on this one connection: the index pages every report
                    // touches stay in memory instead of being read back from the file each commit.
                    .pragma("cache_size", "-32768")
                    // The writer's statement journals in memory: a group commit's multi-row
                    // statements spilled them (past 64 KiB) into a temporary file created and
                    // deleted every commit. Readers keep the default, so a large sort can spill.
                    .pragma("temp_store", "memory"),
            )
            .await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(opts.clone().read_only(true)).await?;
        // Same options as the writer's, synchronous=FULL above all: the checkpoint fsyncs the WAL
        // before it copies and the database file before the WAL may be reused.
        let checkpoints = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await?;
        let pool = write.clone();
        let grouped = GroupCommit::start(Arc::new(move || Box::pin(begin_write(pool.clone()))));
        let store = SqliteStore { write, read, grouped, _checkpoints: checkpoint::Checkpointer::start(checkpoints) };
        migrate(
            &store.write,
            &MIGRATOR,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        )
        .await?;
        store.file_all().await?;
        Ok(store)
    }

    async fn begin(&self) -> StoreResult<Tx> {
        begin_write(self.write.clone()).await
    }

    /// A read transaction: every statement in it sees the same committed state (WAL snapshot).
    async fn begin_read(&self) -> StoreResult<Tx> {
        Ok(self.read.begin().await?)
    }
}

/// A write transaction: `BEGIN IMMEDIATE` takes SQLite's write lock at once, so a writer never
/// fails half-way for want of it.
async fn begin_write(pool: SqlitePool) -> StoreResult<Tx> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}
