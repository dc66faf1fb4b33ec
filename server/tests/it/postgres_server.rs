//! The same binary on PostgreSQL: `--database-url postgres://…` (a fresh schema of the test
//! database on 127.0.0.1:5432).

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_server_runs_the_resident_loop_on_postgres() {
    let base =
        std::env::var("QALA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("qala_t_{}", uuid::Uuid::now_v7().simple());
    // Creating the store once creates the schema; the server then migrates nothing new.
    drop(qala_server::store::postgres::PgStore::connect(&base, Some(&schema)).await.unwrap());
    let url = format!("{base}?options=-c%20search_path%3D{schema}");
    let server = TestServer::start_with(&["--database-url", &url]);
    let password = add_staff_pg(&server, &url);
    let resident = Client::resident(&server, &phone(90)).await;
    let report = new_report("road_repair", vec![]);
    assert_eq!(resident.push(vec![create_op(report.clone())]).await.results[0].outcome, OpOutcome::Applied);
    let mine = resident.my_report(report.id).await;
    assert!(mine.registration_number.starts_with("ALA-"));
    let op = Client::staff(&server, "roads", &password).await;
    let r = op
        .post(
            &format!("/operator/reports/{}/answer", report.id),
            &AnswerRequest { text: "Готово".into(), media: vec![] },
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(resident.my_report(report.id).await.status, ReportStatus::Done);
    // It really lives in PostgreSQL, and no SQLite file was made.
    let store = qala_server::store::postgres::PgStore::connect(&base, Some(&schema)).await.unwrap();
    use qala_server::store::ReportStore;
    let (stored, _) = store.report(report.id).await.unwrap().expect("the report is in PostgreSQL");
    assert_eq!(stored.status, ReportStatus::Done);
    assert!(!server.dir.path().join("qala.db").exists());
}

/// `staff add` against the same PostgreSQL schema.
fn add_staff_pg(server: &TestServer, url: &str) -> String {
    let out = std::process::Command::new(&*BIN)
        .args(["staff", "add", "--database-url", url, "--data-dir"])
        .arg(server.dir.path())
        .args(["--login", "roads", "--role", "operator", "--agency", "mobility"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split("password=").nth(1).unwrap().trim().to_string()
}
