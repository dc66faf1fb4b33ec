//! The storage conformance suite on PostgreSQL (the server that runs on 127.0.0.1:5432; a fresh
//! schema per test). Point QALA_TEST_DATABASE_URL elsewhere if needed.

#[path = "common/store_suite.rs"]
mod store_suite;

fn database_url() -> String {
    std::env::var("QALA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

async fn postgres() -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
    let schema = format!("qala_t_{}", Uuid::now_v7().simple());
    let store = qala_server::store::postgres::PgStore::connect(&database_url(), Some(&schema)).await.unwrap();
    (Arc::new(store), Box::new(schema))
}

store_suite!(postgres());
