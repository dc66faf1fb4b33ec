//! Group commit for the store's small writes: a sign-in, a session, an upload's progress.
//!
//! Each such write is a job handed to one task, which takes whatever has queued up, runs every
//! job inside one write transaction — each within its own savepoint, so that a job that fails
//! takes back only its own statements — and commits once. A commit costs a disk flush (SQLite:
//! an fsync of the WAL; PostgreSQL: of its log) and, one writer at a time, makes every other
//! writer wait for it: a hundred phones signing in together were three hundred flushes in a row
//! (measured: 190 ms at the median for the code check). Grouped, they are a handful.
//!
//! What a caller sees is what its own transaction gave it: the answer arrives only once the
//! commit holding it is durable, and a job that fails has written nothing. A failed commit fails
//! every job in it: each caller answers with a server error, as it would have for a commit of its
//! own that failed, and nothing of the job is kept. A job alone runs without a savepoint: one
//! phone on a quiet server pays no extra statements.
//!
//! A job must only use the transaction it is given: one that opened another write transaction,
//! or waited for another grouped write, would wait for itself.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use sqlx::{Database, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::error::{StoreError, StoreResult};

/// Most jobs in one commit: bounds how long the last of a group waits for the others.
const MAX_JOBS_PER_COMMIT: usize = 128;
/// Jobs waiting for the committer; a caller past this waits to hand its job over.
const QUEUE: usize = 1024;

/// Opens the backend's write transaction (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: with the
/// writers' advisory lock).
pub type Begin<DB> = Arc<dyn Fn() -> BoxFuture<'static, StoreResult<Transaction<'static, DB>>> + Send + Sync>;

/// Answers a job's caller, given the commit's failure if the commit failed.
type Answer = Box<dyn FnOnce(Option<&StoreError>) + Send>;

/// What a job leaves behind once it has run. `kept` says whether its statements stay (the job
/// succeeded).
struct Ran {
    kept: bool,
    answer: Answer,
}

type Job<DB> = Box<dyn for<'t> FnOnce(&'t mut Transaction<'static, DB>) -> BoxFuture<'t, Ran> + Send>;

/// The queue of small writes of one store, and its committer task.
pub struct GroupCommit<DB: Database> {
    jobs: mpsc::Sender<Job<DB>>,
}

impl<DB: Database> GroupCommit<DB>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    /// Starts the committer. It stops when the store (this value) is dropped.
    pub fn start(begin: Begin<DB>) -> Self {
        let (jobs, queued) = mpsc::channel(QUEUE);
        tokio::spawn(commit_groups(begin, queued));
        GroupCommit { jobs }
    }

    /// Runs `work` in a shared write transaction and returns its answer once that transaction
    /// has committed. If `work` fails, none of its statements are kept, and its error is the answer.
    pub async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Transaction<'static, DB>) -> BoxFuture<'t, StoreResult<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<StoreResult<T>>();
        let job: Job<DB> = Box::new(move |tx| {
            Box::pin(async move {
                // The caller has gone (its request was cancelled, or timed out) while the job
                // waited: it is not run, as a transaction of its own would have been rolled back.
                // One already running commits with its group.
                if reply.is_closed() {
                    return Ran { kept: false, answer: Box::new(|_| {}) };
                }
                match work(tx).await {
                    Ok(value) => Ran {
                        kept: true,
                        answer: Box::new(move |failed| {
                            let _ = reply.send(match failed {
                                None => Ok(value),
                                Some(e) => Err(StoreError::NotApplied(format!("the commit failed: {e}"))),
                            });
                        }),
                    },
                    Err(e) => Ran {
                        kept: false,
                        answer: Box::new(move |_| {
                            let _ = reply.send(Err(e));
                        }),
                    },
                }
            })
        });
        self.jobs.send(job).await.map_err(|_| StoreError::NotApplied("the store's writer has stopped".into()))?;
        // Dropped unanswered: the job panicked, or its group could not start or keep a transaction
        // (the committer logged why). Nothing of it was committed.
        answer.await.map_err(|_| StoreError::NotApplied("the write failed; see the server's log".into()))?
    }
}

async fn commit_groups<DB: Database>(begin: Begin<DB>, mut queued: mpsc::Receiver<Job<DB>>)
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    while let Some(first) = queued.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_JOBS_PER_COMMIT {
            match queued.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(&begin, group).await;
    }
}

/// Runs one group and answers each of its jobs. Jobs that never ran (the transaction could not
/// start, or broke under an earlier job) are dropped, which answers their callers with an error.
async fn commit_group<DB: Database>(begin: &Begin<DB>, group: Vec<Job<DB>>)
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut tx = match begin().await {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, jobs = group.len(), "a group of writes could not start a transaction");
            return;
        }
    };
    let many = group.len() > 1;
    let mut kept: Vec<Ran> = Vec::with_capacity(group.len());
    // Set when a savepoint statement fails: the transaction can no longer be trusted, so the jobs
    // still waiting are dropped and the ones that ran are not committed.
    let mut broken: Option<StoreError> = None;
    // A job alone that failed: its transaction is rolled back whole.
    let mut undo_all = false;
    if many && let Err(e) = statement(&mut tx, "SAVEPOINT grouped").await {
        broken = Some(e);
    }
    let mut jobs = group.into_iter().peekable();
    while let Some(job) = jobs.next() {
        if broken.is_some() {
            break;
        }
        let ran = AssertUnwindSafe(job(&mut tx)).catch_unwind().await;
        let succeeded = matches!(&ran, Ok(ran) if ran.kept);
        // One statement closes a job's savepoint and opens the next one's (each a round trip to
        // the database, under the write lock); the last job's stays open and COMMIT keeps it. A
        // job that failed (its own error, or a panic, which dropped its caller's answer) is
        // rolled back to its savepoint: its statements go, the others' stay.
        let close = match (succeeded, jobs.peek().is_some()) {
            (true, true) => Some("RELEASE SAVEPOINT grouped; SAVEPOINT grouped"),
            (false, true) => Some("ROLLBACK TO SAVEPOINT grouped; RELEASE SAVEPOINT grouped; SAVEPOINT grouped"),
            (true, false) => None,
            (false, false) if many => Some("ROLLBACK TO SAVEPOINT grouped; RELEASE SAVEPOINT grouped"),
            (false, false) => {
                undo_all = true;
                None
            }
        };
        if let Some(sql) = close
            && let Err(e) = statement(&mut tx, sql).await
        {
            broken = Some(e);
        }
        match ran {
            Ok(ran) if ran.kept => kept.push(ran),
            Ok(failed) => (failed.answer)(None),
            Err(_) => tracing::error!("a grouped write panicked; its statements were taken back"),
        }
    }
    // Jobs that never ran are dropped here, which answers their callers with an error.
    drop(jobs);
    let failure = match broken {
        Some(e) => {
            let _ = tx.rollback().await;
            Some(e)
        }
        None if undo_all => {
            let _ = tx.rollback().await;
            None
        }
        None => tx.commit().await.err().map(StoreError::from),
    };
    if let Some(e) = &failure {
        tracing::error!(error = %e, jobs = kept.len(), "a group of writes was not committed");
    }
    for ran in kept {
        (ran.answer)(failure.as_ref());
    }
}

async fn statement<DB: Database>(tx: &mut Transaction<'static, DB>, sql: &'static str) -> StoreResult<()>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    sqlx::raw_sql(sql).execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use sqlx::Sqlite;
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

    use super::*;

    /// A one-connection SQLite file with a table of names, and a committer on it that counts
    /// the transactions it opens.
    async fn setup() -> (tempfile::TempDir, SqlitePool, GroupCommit<Sqlite>, Arc<AtomicUsize>) {
        let dir = tempfile::tempdir().unwrap();
        let opts = SqliteConnectOptions::new().filename(dir.path().join("t.db")).create_if_missing(true);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
        sqlx::query("CREATE TABLE names (name TEXT PRIMARY KEY)").execute(&pool).await.unwrap();
        let begun = Arc::new(AtomicUsize::new(0));
        let (p, b) = (pool.clone(), begun.clone());
        let grouped = GroupCommit::start(Arc::new(move || {
            b.fetch_add(1, Ordering::SeqCst);
            let p = p.clone();
            Box::pin(async move { Ok(p.begin_with("BEGIN IMMEDIATE").await?) })
        }));
        (dir, pool, grouped, begun)
    }

    /// Inserts `name`; fails (after inserting) when it starts with `bad`, panics when it is `panic`.
    async fn insert(grouped: &GroupCommit<Sqlite>, name: &str) -> StoreResult<usize> {
        let name = name.to_string();
        grouped
            .write(move |tx| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO names (name) VALUES ($1)").bind(&name).execute(&mut **tx).await?;
                    if name == "panic" {
                        panic!("a rule panicked");
                    }
                    if name.starts_with("bad") {
                        return Err(StoreError::Corrupt(format!("{name} refused")));
                    }
                    Ok(name.len())
                })
            })
            .await
    }

    async fn names(pool: &SqlitePool) -> Vec<String> {
        sqlx::query_scalar("SELECT name FROM names ORDER BY name").fetch_all(pool).await.unwrap()
    }

    #[tokio::test]
    async fn writes_queued_together_share_one_commit_and_a_failure_takes_back_only_its_own() {
        let (_dir, pool, grouped, begun) = setup().await;
        // On this one-thread runtime every job is queued before the committer first runs.
        let names_in = ["a", "bad-b", "c", "panic", "d", "e", "bad-last"];
        let answers = futures_util::future::join_all(names_in.iter().map(|n| insert(&grouped, n))).await;
        assert_eq!(begun.load(Ordering::SeqCst), 1, "one transaction for the whole group");
        assert_eq!(answers[0].as_ref().unwrap(), &1);
        assert!(matches!(&answers[1], Err(StoreError::Corrupt(m)) if m == "bad-b refused"), "{:?}", answers[1]);
        assert!(matches!(&answers[3], Err(StoreError::NotApplied(_))), "{:?}", answers[3]);
        assert!(answers[5].is_ok());
        assert!(matches!(&answers[6], Err(StoreError::Corrupt(_))), "{:?}", answers[6]);
        assert_eq!(names(&pool).await, ["a", "c", "d", "e"]);
    }

    #[tokio::test]
    async fn a_write_alone_that_fails_leaves_nothing_and_the_next_one_commits() {
        let (_dir, pool, grouped, begun) = setup().await;
        assert!(matches!(insert(&grouped, "bad").await, Err(StoreError::Corrupt(_))));
        assert!(matches!(insert(&grouped, "panic").await, Err(StoreError::NotApplied(_))));
        assert_eq!(insert(&grouped, "ok").await.unwrap(), 2);
        assert_eq!(begun.load(Ordering::SeqCst), 3);
        assert_eq!(names(&pool).await, ["ok"]);
    }

    #[tokio::test]
    async fn a_failed_commit_fails_every_write_in_it() {
        let (_dir, pool, grouped, _) = setup().await;
        // A deferred foreign key fails at COMMIT, after every job has succeeded.
        sqlx::query("PRAGMA foreign_keys = ON").execute(&pool).await.unwrap();
        sqlx::query("CREATE TABLE refs (name TEXT REFERENCES names (name) DEFERRABLE INITIALLY DEFERRED)")
            .execute(&pool)
            .await
            .unwrap();
        let dangling = grouped.write(|tx| {
            Box::pin(async move {
                sqlx::query("INSERT INTO refs (name) VALUES ('nobody')").execute(&mut **tx).await?;
                Ok(())
            })
        });
        let (a, b) = tokio::join!(insert(&grouped, "a"), dangling);
        assert!(matches!(a, Err(StoreError::NotApplied(_))), "{a:?}");
        assert!(matches!(b, Err(StoreError::NotApplied(_))), "{b:?}");
        assert!(names(&pool).await.is_empty());
    }

    #[tokio::test]
    async fn a_write_whose_caller_has_gone_before_it_runs_is_not_run() {
        let (_dir, pool, grouped, _) = setup().await;
        // Handed over, then given up (a request cancelled) before the committer took it.
        assert!(insert(&grouped, "gone").now_or_never().is_none());
        assert_eq!(insert(&grouped, "here").await.unwrap(), 4);
        assert_eq!(names(&pool).await, ["here"]);
    }

    #[tokio::test]
    async fn more_jobs_than_a_group_holds_take_several_commits_and_all_land() {
        let (_dir, pool, grouped, begun) = setup().await;
        let many: Vec<String> = (0..MAX_JOBS_PER_COMMIT * 2 + 1).map(|i| format!("n{i:04}")).collect();
        let answers = futures_util::future::join_all(many.iter().map(|n| insert(&grouped, n))).await;
        assert!(answers.iter().all(|a| a.is_ok()));
        assert_eq!(begun.load(Ordering::SeqCst), 3);
        assert_eq!(names(&pool).await, many);
    }
}
