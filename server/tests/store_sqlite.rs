//! The storage conformance suite on the embedded SQLite store (a real file in a temp folder).

#[path = "common/store_suite.rs"]
mod store_suite;

async fn sqlite() -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
    let dir = tempfile::tempdir().unwrap();
    let store = qala_server::store::sqlite::SqliteStore::open(&dir.path().join("qala.db")).await.unwrap();
    (Arc::new(store), Box::new(dir))
}

store_suite!(sqlite());
