//! Every bad input gets a clear 4xx (or a per-op rejection) with our error body — never a 500 —
//! and leaves nothing half-written.

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;
use uuid::Uuid;

async fn status_and_body(r: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let s = r.status();
    let body = r.json().await.unwrap_or(serde_json::Value::Null);
    (s, body)
}

#[tokio::test]
async fn malformed_and_oversized_requests() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(60)).await;
    let push = |body: Vec<u8>, ct: &'static str| {
        c.request(reqwest::Method::POST, "/sync/push").header("Content-Type", ct).body(body).send()
    };
    let (s, b) = status_and_body(push(b"{not json".to_vec(), "application/json").await.unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&b), "bad_request");
    assert!(!b["message"].as_str().unwrap().is_empty());
    let (s, b) =
        status_and_body(push(br#"{"ops": [{"id": "nope"}]}"#.to_vec(), "application/json").await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&b), "validation");
    let (s, _) = status_and_body(push(b"{}".to_vec(), "text/plain").await.unwrap()).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!(r#"{{"ops": [], "pad": "{}"}}"#, "x".repeat(5 * 1024 * 1024));
    // The server answers 413 before reading the body and closes that connection: use its own client.
    let own = Client { http: http(), ..c.clone() };
    let r = own
        .request(reqwest::Method::POST, "/sync/push")
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await;
    let (s, b) = status_and_body(r.unwrap()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&b), "payload_too_large");
    let ops: Vec<Op> = (0..101).map(|_| create_op(new_report("sidewalks", vec![]))).collect();
    let (s, b) = status_and_body(c.post("/sync/push", &PushRequest { ops }).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["field"], "ops");
    // Unknown routes and methods answer in the same shape.
    let (s, b) = status_and_body(c.get("/no/such/route").await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&b), "not_found");
    let (s, b) = status_and_body(c.request(reqwest::Method::DELETE, "/sync/push").send().await.unwrap()).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(&b), "method_not_allowed");
    // Nothing of it was stored.
    let (changes, _) = c.pull_all("", 1000).await;
    assert!(!changes.iter().any(|c| c.kind == EntityKind::Report));
}

#[tokio::test]
async fn bad_reports_are_rejected_per_op_and_the_good_one_lands() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(61)).await;
    let mut unknown = new_report("unicorns", vec![]);
    unknown.category = "unicorns".into();
    let mut far = new_report("sidewalks", vec![]);
    far.location.lat = 123.0;
    let mut zero = new_report("sidewalks", vec![]);
    zero.location.lat = 0.0;
    zero.location.lon = 0.0;
    let mut long = new_report("sidewalks", vec![]);
    long.description = "ы".repeat(DESCRIPTION_MAX_CHARS + 1);
    let mut many = new_report("sidewalks", vec![]);
    many.media = (0..6).map(|_| DeclaredMedia { id: Uuid::now_v7(), kind: MediaKind::Photo }).collect();
    let good = new_report("sidewalks", vec![]);
    let bad_rating =
        Op { id: Uuid::now_v7(), op: OpBody::Rate(NewRating { report_id: good.id, stars: 9, comment: None }) };
    let res = c
        .push(vec![
            create_op(unknown),
            create_op(far),
            create_op(zero),
            create_op(long),
            create_op(many),
            create_op(good.clone()),
            bad_rating,
        ])
        .await;
    let codes: Vec<String> = res
        .results
        .iter()
        .map(|r| match &r.outcome {
            OpOutcome::Rejected { code, reason } => {
                assert!(!reason.is_empty());
                code.clone()
            }
            OpOutcome::Applied => "applied".into(),
            OpOutcome::Duplicate => "duplicate".into(),
        })
        .collect();
    assert_eq!(
        codes,
        ["unknown_category", "validation", "validation", "validation", "validation", "applied", "validation"]
    );
    let (changes, _) = c.pull_all("", 1000).await;
    let mine: Vec<_> = changes.iter().filter(|c| c.kind == EntityKind::Report).collect();
    assert_eq!(mine.len(), 1);
    // The long description reason names the field.
    if let OpOutcome::Rejected { reason, .. } = &res.results[3].outcome {
        assert!(reason.starts_with("description"), "{reason}");
    }
}

#[tokio::test]
async fn an_overlong_withdraw_reason_is_rejected_per_op() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(64)).await;
    let report = new_report("sidewalks", vec![]);
    c.push(vec![create_op(report.clone())]).await;
    let withdraw = |reason: String| Op {
        id: Uuid::now_v7(),
        op: OpBody::WithdrawReport(WithdrawReport { report_id: report.id, reason: Some(reason) }),
    };
    let res = c.push(vec![withdraw("ы".repeat(NOTE_MAX_CHARS + 1)), withdraw("a\0b".into())]).await;
    for r in &res.results {
        match &r.outcome {
            OpOutcome::Rejected { code, reason } => {
                assert_eq!(code, "validation");
                assert!(reason.starts_with("reason"), "{reason}");
            }
            other => panic!("an unchecked withdraw reason was taken: {other:?}"),
        }
    }
    assert_eq!(c.my_report(report.id).await.status, ReportStatus::Registered);
    // Within the limit it goes through.
    let res = c.push(vec![withdraw("ы".repeat(NOTE_MAX_CHARS))]).await;
    assert_eq!(res.results[0].outcome, OpOutcome::Applied);
    assert_eq!(c.my_report(report.id).await.status, ReportStatus::Withdrawn);
}

#[tokio::test]
async fn operator_inputs_are_checked() {
    let server = TestServer::start();
    let pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let resident = Client::resident(&server, &phone(62)).await;
    let report = new_report("road_repair", vec![]);
    resident.push(vec![create_op(report.clone())]).await;
    let op = Client::staff(&server, "roads", &pw).await;
    let path = |a: &str| format!("/operator/reports/{}/{a}", report.id);
    let (s, b) =
        status_and_body(op.post(&path("answer"), &AnswerRequest { text: "  ".into(), media: vec![] }).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["field"], "text");
    let (s, _) =
        status_and_body(op.post(&path("reject"), &serde_json::json!({"reason": "because", "text": "x"})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) =
        status_and_body(op.post(&path("answer"), &AnswerRequest { text: "ok".into(), media: vec![] }).await).await;
    assert_eq!(s, StatusCode::OK);
    // Answering twice is a status conflict, not a second answer.
    let (s, b) =
        status_and_body(op.post(&path("answer"), &AnswerRequest { text: "again".into(), media: vec![] }).await).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(b["message"].as_str().unwrap().contains("done"));
    let (s, _) = status_and_body(op.get("/operator/reports?status=flying").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = status_and_body(op.get("/operator/reports?limit=0").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = status_and_body(op.get("/operator/reports/not-a-uuid").await).await;
    assert!(s.is_client_error());
}

#[tokio::test]
async fn a_full_push_of_the_longest_reports_fits() {
    let server = TestServer::start_with(&["--quota-reports-per-day", "100"]);
    let c = Client::resident(&server, &phone(63)).await;
    let ops: Vec<Op> = (0..PUSH_MAX_OPS)
        .map(|_| {
            let mut r = new_report("utilities", vec![]);
            r.description = "Ж".repeat(DESCRIPTION_MAX_CHARS);
            create_op(r)
        })
        .collect();
    let body = serde_json::to_vec(&PushRequest { ops: ops.clone() }).unwrap();
    assert!(body.len() > 800_000, "the body is {} bytes", body.len());
    let res = c.push(ops).await;
    assert!(res.results.iter().all(|r| r.outcome == OpOutcome::Applied));
}

#[tokio::test]
async fn an_id_that_is_not_a_uuid_gets_the_json_error_body() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(9401)).await;
    for path in ["/media/null,null", "/media/42", "/media/%00"] {
        let r = c.get(path).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"], "bad_request", "{path}");
    }
}
