//! The storage conformance suite on the embedded SQLite store (a real file in a temp folder).

use crate::upgrade::{UNDO_4, UNDO_6, UNDO_7, answered_report, assert_filed, assert_upgraded, legacy_history};

async fn sqlite() -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
    let dir = tempfile::tempdir().unwrap();
    let store = qala_server::store::sqlite::SqliteStore::open(&dir.path().join("qala.db")).await.unwrap();
    (Arc::new(store), Box::new(dir))
}

store_suite!(sqlite());

/// A database with an answered report, changed by `sql` behind the store's back (as an older
/// version left it), and opened again; with a pool on the same file to look inside.
async fn reopened_after(
    sql: &[&'static str],
) -> (qala_server::store::sqlite::SqliteStore, sqlx::SqlitePool, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qala.db");
    let store = qala_server::store::sqlite::SqliteStore::open(&path).await.unwrap();
    answered_report(&store).await;
    drop(store);
    // One connection: another one would keep a stale copy of the schema the statements change.
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    for statement in sql {
        sqlx::query(*statement).execute(&pool).await.unwrap();
    }
    let store = qala_server::store::sqlite::SqliteStore::open(&path).await.unwrap();
    (store, pool, dir)
}

/// Committed pages reach the database file through a checkpoint of its own, soon after they are
/// written, not through the commit that crosses the writer's much higher limit (which 30 reports
/// are far from).
#[tokio::test]
async fn committed_pages_are_checkpointed_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qala.db");
    let store = qala_server::store::sqlite::SqliteStore::open(&path).await.unwrap();
    let size = || std::fs::metadata(&path).unwrap().len();
    // The migrations' pages settle first: the same size five times in a row, 100 ms apart.
    let mut before = size();
    let mut same = 0;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let now = size();
        same = if now == before { same + 1 } else { 0 };
        before = now;
        if same == 5 {
            break;
        }
    }
    for _ in 0..30 {
        answered_report(&store).await;
    }
    let mut grown = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if size() > before {
            grown = true;
            break;
        }
    }
    assert!(grown, "the database file stayed at {before} bytes: nothing was checkpointed");
}

#[tokio::test]
async fn upgrading_an_older_database_fills_the_answer_columns() {
    let (store, pool, _dir) = reopened_after(UNDO_4).await;
    assert_upgraded(&store).await;
    pool.close().await;
}

#[tokio::test]
async fn a_database_from_before_scopes_has_its_reports_filed_under_their_districts() {
    let (store, pool, _dir) = reopened_after(&[UNDO_7, UNDO_6].concat()).await;
    assert_filed(&store).await;
    pool.close().await;
}

#[tokio::test]
async fn a_database_from_before_sqlx_migrations_is_adopted_not_migrated_again() {
    // Running 0001 again would fail on its tables: opening must only record the history.
    let (store, pool, _dir) = reopened_after(&legacy_history()).await;
    assert_upgraded(&store).await;
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&pool).await.unwrap();
    assert_eq!(applied, 7);
    assert_filed(&store).await;
    assert!(sqlx::query("SELECT 1 FROM schema_migrations").fetch_optional(&pool).await.is_err(), "the old table went");
    pool.close().await;
}

#[tokio::test]
async fn another_programs_schema_history_is_not_taken_for_qalas() {
    let (_store, pool, dir) = reopened_after(&[]).await;
    for statement in [
        "DROP TABLE _sqlx_migrations",
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        "INSERT INTO schema_migrations (version, applied_at) VALUES (20240101, 'x')",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    let refused = qala_server::store::sqlite::SqliteStore::open(&dir.path().join("qala.db")).await;
    let e = refused.err().expect("a history Qala never wrote is refused, not skipped past").to_string();
    assert!(e.contains("20240101"), "{e}");
    pool.close().await;
}
