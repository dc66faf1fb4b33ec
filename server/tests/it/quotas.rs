//! Daily quotas per account, seen from a phone: an op over a quota is rejected on its own (the rest
//! of the push goes on) with a reason and a wait; an upload over the media quota gets 429 with
//! Retry-After. Staff have no quotas. And media no report uses are collected after the grace period.

use std::time::Duration;

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

fn is_over_quota(o: &OpOutcome) -> bool {
    matches!(o, OpOutcome::Rejected { code, .. } if code == "quota_exceeded")
}

#[tokio::test]
async fn a_push_over_the_report_quota_rejects_only_the_extra_ops() {
    let server = TestServer::start_with(&["--quota-reports-per-day", "2"]);
    let c = Client::resident(&server, &phone(1)).await;
    let first = create_op(new_report("road_repair", vec![]));
    let report_id = match &first.op {
        OpBody::CreateReport(r) => r.id,
        _ => unreachable!(),
    };
    let res = c.push(vec![first.clone(), create_op(new_report("road_repair", vec![]))]).await;
    assert!(res.results.iter().all(|r| r.outcome == OpOutcome::Applied), "{res:?}");
    assert_eq!(res.retry_after_s, None, "no wait when nothing is over a quota");

    // The third report of the day is refused; a duplicate and a change to an existing report in
    // the same push still go through.
    let third = create_op(new_report("road_repair", vec![]));
    let withdraw = Op {
        id: Uuid::now_v7(),
        op: OpBody::WithdrawReport(WithdrawReport { report_id, reason: Some("fixed already".into()) }),
    };
    let r = c.post("/sync/push", &PushRequest { ops: vec![third.clone(), first.clone(), withdraw] }).await;
    assert_eq!(r.status(), StatusCode::OK, "a quota never refuses the whole push");
    let raw: Value = r.json().await.unwrap();
    assert_eq!(raw["results"][0]["status"], "rejected");
    assert_eq!(raw["results"][0]["code"], "quota_exceeded");
    assert!(raw["results"][0]["reason"].as_str().unwrap().contains("2 new reports"), "{raw}");
    let wait = raw["retry_after_s"].as_u64().expect("the wait travels with the response");
    assert!((1..=86_400).contains(&wait), "until local midnight: {wait}");
    let res: PushResponse = serde_json::from_value(raw).unwrap();
    assert!(is_over_quota(&res.results[0].outcome));
    assert_eq!(res.results[1].outcome, OpOutcome::Duplicate);
    assert_eq!(res.results[2].outcome, OpOutcome::Applied);

    // Sent again the same day it is refused again, and nothing of it was stored.
    let again = c.push(vec![third.clone()]).await;
    assert!(is_over_quota(&again.results[0].outcome));
    let (changes, _) = c.pull_all("", 1000).await;
    let third_id = match &third.op {
        OpBody::CreateReport(r) => r.id,
        _ => unreachable!(),
    };
    assert!(!changes.iter().any(|ch| ch.id == third_id.to_string()), "a refused report leaves no trace");

    // Another resident has a quota of their own.
    let other = Client::resident(&server, &phone(2)).await;
    let res = other.push(vec![create_op(new_report("road_repair", vec![]))]).await;
    assert_eq!(res.results[0].outcome, OpOutcome::Applied);
}

#[tokio::test]
async fn comments_over_the_daily_quota_are_rejected() {
    let server = TestServer::start_with(&["--demo", "--quota-comments-per-day", "1"]);
    let c = Client::resident(&server, &phone(3)).await;
    let (changes, _) = c.pull_all("", 1000).await;
    let project = changes
        .iter()
        .find_map(|ch| match &ch.entity {
            Some(Entity::Project(p)) if p.status == ProjectStatus::Discussion => Some(p.clone()),
            _ => None,
        })
        .expect("a demo project in discussion");
    let comment = |body: &str| Op {
        id: Uuid::now_v7(),
        op: OpBody::Comment(NewComment {
            id: Uuid::now_v7(),
            project_id: project.id,
            parent_id: None,
            body: body.into(),
            position: Position::For,
            created_at: chrono::Utc::now(),
        }),
    };
    let res = c.push(vec![comment("Поддерживаю"), comment("И ещё раз")]).await;
    assert_eq!(res.results[0].outcome, OpOutcome::Applied);
    assert!(is_over_quota(&res.results[1].outcome), "{res:?}");
    assert!(res.retry_after_s.is_some());
}

#[tokio::test]
async fn an_upload_over_the_media_quota_gets_429_with_retry_after() {
    let server = TestServer::start_with(&["--quota-media-mb-per-day", "1"]);
    let c = Client::resident(&server, &phone(4)).await;
    let first = Uuid::now_v7();
    assert_eq!(c.tus_create(first, "photo", 700_000, None).await.status(), StatusCode::CREATED);
    assert_eq!(
        c.tus_create(first, "photo", 700_000, None).await.status(),
        StatusCode::CREATED,
        "creating the same upload again costs nothing"
    );
    let second = Uuid::now_v7();
    let r = c.tus_create(second, "photo", 400_000, None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["tus-resumable"], "1.0.0");
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&wait), "until local midnight: {wait}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "quota_exceeded");
    assert!(body["message"].as_str().unwrap().contains("1 MB"), "{body}");
    assert_eq!(c.tus_head(second).await.status(), StatusCode::NOT_FOUND, "nothing was created");
    // What is left of the day still fits.
    assert_eq!(c.tus_create(Uuid::now_v7(), "photo", 300_000, None).await.status(), StatusCode::CREATED);

    // Staff have no quota.
    let password = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let op = Client::staff(&server, "roads", &password).await;
    assert_eq!(op.tus_create(Uuid::now_v7(), "photo", 2_000_000, None).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn media_no_report_uses_are_collected_after_the_grace_period() {
    // Upkeep runs when the server starts: a restart with no grace period collects at once.
    let flags = ["--media-gc-grace-hours", "0"];
    let server = TestServer::start_with(&flags);
    // Let the upkeep of this first start pass (its sweep follows compaction at once) before
    // anything is uploaded, so that only the restart collects.
    server.wait_log(|v| v["message"] == "change log compacted", Duration::from_secs(20));
    let c = Client::resident(&server, &phone(5)).await;
    let used = Uuid::now_v7();
    let unused = Uuid::now_v7();
    let report = new_report("road_repair", vec![DeclaredMedia { id: used, kind: MediaKind::Photo }]);
    let report_id = report.id;
    assert_eq!(c.push(vec![create_op(report)]).await.results[0].outcome, OpOutcome::Applied);
    let (a, b) = (jpeg(100_000, 1), jpeg(100_000, 2));
    c.upload(used, "photo", &a, a.len()).await;
    c.upload(unused, "photo", &b, b.len()).await;
    assert_eq!(c.get(&format!("/media/{unused}")).await.status(), StatusCode::OK);
    let mut stored = server.stored_media();
    stored.sort();
    let mut both = vec![used.to_string(), unused.to_string()];
    both.sort();
    assert_eq!(stored, both);

    let dir = server.stop();
    let server = TestServer::start_in(dir, &flags);
    let line = server.wait_log(|v| v["message"] == "unused media deleted", Duration::from_secs(20));
    assert_eq!(line["collected"], 1, "{line}");
    assert_eq!(server.stored_media(), vec![used.to_string()], "the object went with its row");
    let c = Client::resident(&server, &phone(5)).await;
    assert_eq!(c.get(&format!("/media/{unused}")).await.status(), StatusCode::NOT_FOUND);
    let got = c.get(&format!("/media/{used}")).await;
    assert_eq!(got.status(), StatusCode::OK, "a file a report uses is kept");
    assert_eq!(sha_hex(&got.bytes().await.unwrap()), sha_hex(&a));
    assert_eq!(c.my_report(report_id).await.media[0].state, MediaState::Received);
}
