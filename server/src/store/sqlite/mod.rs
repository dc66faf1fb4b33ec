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
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use crate::store::error::StoreResult;

type Db = Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type DbConnection = sqlx::SqliteConnection;
type Tx = sqlx::Transaction<'static, Sqlite>;
type Backend = SqliteStore;

super::sql::sql_store_modules!();

/// Schema migrations (`migrations/sqlite`, one file each), embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
    _checkpoints: Checkpointer,
}

/// Copies committed pages from the WAL back into the database file, on a connection and a thread
/// of its own. SQLite would otherwise do it inside whichever commit crosses the WAL's size limit:
/// that commit (and every push waiting on it) would write a thousand pages and fsync the
/// database file before answering. A passive checkpoint never blocks the writer or the readers.
/// The writer's own automatic checkpoint stays, at a higher limit, as a backstop should this
/// task fall behind.
struct Checkpointer(tokio::task::JoinHandle<()>);

/// How often the background checkpoint looks at a busy WAL: often, so each checkpoint copies a
/// few hundred pages rather than bursts of thousands that would starve the writer of CPU.
const CHECKPOINT_BUSY: Duration = Duration::from_millis(25);
/// The longest wait when nothing has been written: an idle server asks a few times a second.
const CHECKPOINT_IDLE: Duration = Duration::from_millis(400);
/// The writer's backstop: a checkpoint in the commit path only once the WAL holds this many pages
/// (64 MiB at 4 KiB a page), which the background checkpoint never lets it reach.
const WRITER_CHECKPOINT_PAGES: &str = "16384";

impl Checkpointer {
    fn start(pool: SqlitePool) -> Self {
        Checkpointer(tokio::spawn(async move {
            let mut wait = CHECKPOINT_BUSY;
            let mut last = (-1, -1);
            loop {
                tokio::time::sleep(wait).await;
                // (busy, frames in the WAL, frames copied): unchanged means nothing was written.
                let seen =
                    match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&pool).await
                    {
                        Ok((_, frames, copied)) => (frames, copied),
                        Err(e) => {
                            tracing::warn!(error = %e, "background checkpoint failed; the writer's own will run");
                            last
                        }
                    };
                wait = if seen == last { (wait * 2).min(CHECKPOINT_IDLE) } else { CHECKPOINT_BUSY };
                last = seen;
            }
        }))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
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
            .busy_timeout(Duration::from_secs(10))
            // Statement journals and sort space in memory, not in temporary files created and
            // deleted for a multi-row statement of every group commit.
            .pragma("temp_store", "memory");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // 32 MiB of page cache: the index pages every report touches stay in memory instead
            // of being read back from the file for each commit.
            .connect_with(
                opts.clone().pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES).pragma("cache_size", "-32768"),
            )
            .await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(opts.clone().read_only(true)).await?;
        let checkpoint = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await?;
        let store = SqliteStore { write, read, _checkpoints: Checkpointer::start(checkpoint) };
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
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A read transaction: every statement in it sees the same committed state (WAL snapshot).
    async fn begin_read(&self) -> StoreResult<Tx> {
        Ok(self.read.begin().await?)
    }
}
