//! Checkpoints in the background: committed pages are copied from the WAL back into the database
//! file on a connection and a thread of their own.
//!
//! Why: SQLite otherwise checkpoints inside whichever commit takes the WAL past its size limit,
//! so that commit (and every push waiting on its group) writes up to a thousand pages and fsyncs
//! the database file before it answers; on the push bench those commits made the slowest answers.
//! A passive checkpoint takes no lock the writer or the readers wait for. Its cost: an fsync of
//! the database file each time it catches up (at most every [`BUSY`] while writes go on).
//!
//! Only the writer can start the WAL again from its beginning, and only when everything was
//! copied and no reader still uses the old frames; under a steady stream of commits that may not
//! happen for a while, and the WAL file grows. The writer's own automatic checkpoint stays as the
//! ceiling ([`WRITER_CHECKPOINT_PAGES`]): past it, commits checkpoint in their own path again, as
//! before, until the WAL starts over; [`WAL_KEPT_BYTES`] then gives the file back.

use std::time::Duration;

use sqlx::SqlitePool;

/// The wait between checkpoints while pages are being written: short, so each copies a few
/// hundred pages rather than bursts of thousands that would starve the writer of CPU.
const BUSY: Duration = Duration::from_millis(25);
/// The longest wait when nothing has been written: an idle server asks a few times a second.
const IDLE: Duration = Duration::from_millis(400);
/// The longest wait after a failed checkpoint (a full disk, a damaged file): the writer's own
/// checkpoint still runs, and the log is not flooded.
const FAILING: Duration = Duration::from_secs(60);

/// The writer's own automatic checkpoint, at 64 MiB of WAL (4 KiB pages) instead of SQLite's 4 MiB.
pub const WRITER_CHECKPOINT_PAGES: &str = "16384";
/// The size the WAL file is cut back to when it starts over.
pub const WAL_KEPT_BYTES: &str = "67108864";

/// The background task; it stops when the store is dropped.
pub struct Checkpointer(tokio::task::JoinHandle<()>);

impl Checkpointer {
    /// Starts checkpointing through `pool` (one connection, with the writer's durability).
    pub fn start(pool: SqlitePool) -> Self {
        Checkpointer(tokio::spawn(async move {
            let mut wait = BUSY;
            let mut last = (-1, -1);
            let mut failing = false;
            loop {
                tokio::time::sleep(wait).await;
                // (busy, frames in the WAL, frames copied): unchanged means nothing was written.
                match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&pool).await {
                    Ok((_, frames, copied)) => {
                        if failing {
                            tracing::info!("background checkpoints work again");
                            failing = false;
                        }
                        let seen = (frames, copied);
                        wait = if seen == last { (wait * 2).min(IDLE) } else { BUSY };
                        last = seen;
                    }
                    Err(e) => {
                        if !failing {
                            tracing::warn!(error = %e, "background checkpoint failed; commits will checkpoint themselves");
                            failing = true;
                        }
                        wait = (wait * 2).clamp(Duration::from_secs(1), FAILING);
                    }
                }
            }
        }))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}
