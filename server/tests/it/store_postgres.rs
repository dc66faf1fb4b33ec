//! The storage conformance suite on PostgreSQL (the server that runs on 127.0.0.1:5432; a fresh
//! schema per test). Point QALA_TEST_DATABASE_URL elsewhere if needed.

use crate::upgrade::{UNDO_4, UNDO_6, UNDO_7, answered_report, assert_filed, assert_upgraded, legacy_history};

fn database_url() -> String {
    std::env::var("QALA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

async fn postgres() -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
    let schema = format!("qala_t_{}", Uuid::now_v7().simple());
    let store = qala_server::store::postgres::PgStore::connect(&database_url(), Some(&schema)).await.unwrap();
    (Arc::new(store), Box::new(schema))
}

store_suite!(postgres());

/// A database with an answered report, changed by `sql` behind the store's back (as an older
/// version left it), and opened again; with a pool on the same schema to look inside.
async fn reopened_after(sql: &[&'static str]) -> (qala_server::store::postgres::PgStore, sqlx::PgPool) {
    let schema = format!("qala_t_{}", Uuid::now_v7().simple());
    let store = qala_server::store::postgres::PgStore::connect(&database_url(), Some(&schema)).await.unwrap();
    answered_report(&store).await;
    drop(store);
    let opts: sqlx::postgres::PgConnectOptions = database_url().parse().unwrap();
    let pool = sqlx::PgPool::connect_with(opts.options([("search_path", schema.as_str())])).await.unwrap();
    for statement in sql {
        sqlx::query(*statement).execute(&pool).await.unwrap();
    }
    let store = qala_server::store::postgres::PgStore::connect(&database_url(), Some(&schema)).await.unwrap();
    (store, pool)
}

#[tokio::test]
async fn upgrading_an_older_database_fills_the_answer_columns() {
    let (store, pool) = reopened_after(UNDO_4).await;
    assert_upgraded(&store).await;
    pool.close().await;
}

#[tokio::test]
async fn a_database_from_before_scopes_has_its_reports_filed_under_their_districts() {
    let (store, pool) = reopened_after(&[UNDO_7, UNDO_6].concat()).await;
    assert_filed(&store).await;
    pool.close().await;
}

#[tokio::test]
async fn a_database_from_before_sqlx_migrations_is_adopted_not_migrated_again() {
    // Running 0001 again would fail on its tables: opening must only record the history.
    let (store, pool) = reopened_after(&legacy_history()).await;
    assert_upgraded(&store).await;
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&pool).await.unwrap();
    assert_eq!(applied, 7);
    assert_filed(&store).await;
    assert!(sqlx::query("SELECT 1 FROM schema_migrations").fetch_optional(&pool).await.is_err(), "the old table went");
    pool.close().await;
}
