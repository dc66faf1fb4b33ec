//! The storage conformance suite on the embedded SQLite store (a real file in a temp folder).

use crate::upgrade::{LEGACY_HISTORY, UNDO_4, answered_report, assert_upgraded};

async fn sqlite() -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
    let dir = tempfile::tempdir().unwrap();
    let store = qala_server::store::sqlite::SqliteStore::open(&dir.path().join("qala.db")).await.unwrap();
    (Arc::new(store), Box::new(dir))
}

store_suite!(sqlite());

#[tokio::test]
async fn upgrading_an_older_database_fills_the_answer_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qala.db");
    let store = qala_server::store::sqlite::SqliteStore::open(&path).await.unwrap();
    answered_report(&store).await;
    drop(store);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    for sql in UNDO_4 {
        sqlx::query(*sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = qala_server::store::sqlite::SqliteStore::open(&path).await.unwrap();
    assert_upgraded(&store).await;
}

#[tokio::test]
async fn a_database_from_before_sqlx_migrations_is_adopted_not_migrated_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qala.db");
    let store = qala_server::store::sqlite::SqliteStore::open(&path).await.unwrap();
    answered_report(&store).await;
    drop(store);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    for sql in LEGACY_HISTORY {
        sqlx::query(*sql).execute(&pool).await.unwrap();
    }
    // Running 0001 again would fail on its tables: opening must only record the history.
    let store = qala_server::store::sqlite::SqliteStore::open(&path).await.unwrap();
    assert_upgraded(&store).await;
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&pool).await.unwrap();
    assert_eq!(applied, 5);
    assert!(sqlx::query("SELECT 1 FROM schema_migrations").fetch_optional(&pool).await.is_err(), "the old table went");
    pool.close().await;
}
