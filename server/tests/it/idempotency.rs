//! Sending the same thing twice has the effect of sending it once.

use std::io::Write;
use std::time::Duration;

use crate::common::*;
use qala_protocol::*;
use uuid::Uuid;

fn reports_in(changes: &[Change]) -> Vec<Report> {
    let mut latest = std::collections::BTreeMap::new();
    for c in changes {
        if let Some(Entity::Report(r)) = &c.entity {
            latest.insert(r.id, (**r).clone());
        }
    }
    latest.into_values().collect()
}

#[tokio::test]
async fn the_same_push_twice_makes_one_report() {
    let server = TestServer::start();
    let resident = Client::resident(&server, &phone(10)).await;
    let op = create_op(new_report("street_lighting", vec![]));
    let first = resident.push(vec![op.clone()]).await;
    let second = resident.push(vec![op.clone()]).await;
    assert_eq!(first.results[0].outcome, OpOutcome::Applied);
    assert_eq!(second.results[0].outcome, OpOutcome::Duplicate);
    // A new op id for the same report id is a duplicate too (the phone re-queued it).
    let again = Op { id: Uuid::now_v7(), op: op.op.clone() };
    assert_eq!(resident.push(vec![again]).await.results[0].outcome, OpOutcome::Duplicate);
    let (changes, _) = resident.pull_all("", 1000).await;
    let reports = reports_in(&changes);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].registration_number.rsplit('-').next(), Some("000001"));
}

#[tokio::test]
async fn a_push_whose_response_is_lost_is_retried_safely() {
    let server = TestServer::start();
    let resident = Client::resident(&server, &phone(11)).await;
    let ops: Vec<Op> = (0..5).map(|_| create_op(new_report("waste_removal", vec![]))).collect();
    let body = serde_json::to_vec(&PushRequest { ops: ops.clone() }).unwrap();
    // Send the whole request over a raw socket and hang up without reading the answer.
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut sock = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        sock,
        "POST /api/v1/sync/push HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        resident.token,
        body.len()
    )
    .unwrap();
    sock.write_all(&body).unwrap();
    sock.flush().unwrap();
    drop(sock);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The phone never saw an answer, so it sends the same batch again.
    let retry = resident.push(ops.clone()).await;
    for r in &retry.results {
        assert!(matches!(r.outcome, OpOutcome::Applied | OpOutcome::Duplicate), "{r:?}");
    }
    let (changes, _) = resident.pull_all("", 1000).await;
    let reports = reports_in(&changes);
    assert_eq!(reports.len(), 5, "exactly one report per op");
    let mut numbers: Vec<_> = reports.iter().map(|r| r.registration_number.clone()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 5);
    // And a third time, everything is a duplicate.
    let third = resident.push(ops).await;
    assert!(third.results.iter().all(|r| r.outcome == OpOutcome::Duplicate));
}

#[tokio::test]
async fn a_rating_is_applied_once() {
    let server = TestServer::start();
    let pw = add_staff(server.dir.path(), "light", "operator", Some("energy_utilities"));
    let resident = Client::resident(&server, &phone(12)).await;
    let report = new_report("street_lighting", vec![]);
    resident.push(vec![create_op(report.clone())]).await;
    let op = Client::staff(&server, "light", &pw).await;
    let r = op
        .post(
            &format!("/operator/reports/{}/answer", report.id),
            &AnswerRequest { text: "Лампа заменена".into(), media: vec![] },
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let rate = Op { id: Uuid::now_v7(), op: OpBody::Rate(NewRating { report_id: report.id, stars: 5, comment: None }) };
    assert_eq!(resident.push(vec![rate.clone()]).await.results[0].outcome, OpOutcome::Applied);
    assert_eq!(resident.push(vec![rate]).await.results[0].outcome, OpOutcome::Duplicate);
    let other =
        Op { id: Uuid::now_v7(), op: OpBody::Rate(NewRating { report_id: report.id, stars: 1, comment: None }) };
    let res = resident.push(vec![other]).await;
    assert!(matches!(&res.results[0].outcome, OpOutcome::Rejected { code, .. } if code == "wrong_status"));
    let mine = resident.my_report(report.id).await;
    assert_eq!(mine.status, ReportStatus::Closed);
    assert_eq!(mine.history.iter().filter(|h| h.status == ReportStatus::Closed).count(), 1);
}

#[tokio::test]
async fn a_crash_mid_sync_loses_nothing_and_duplicates_nothing() {
    // 800 reports from one phone: far past a resident's daily quota.
    let quota = ["--quota-reports-per-day", "1000"];
    let server = TestServer::start_with(&quota);
    let resident = Client::resident(&server, &phone(13)).await;
    let batches: Vec<Vec<Op>> =
        (0..8).map(|_| (0..100).map(|_| create_op(new_report("snow_removal", vec![]))).collect()).collect();
    // Push in the background and kill the server while batches are in flight.
    let pusher = {
        let c = resident.clone();
        let batches = batches.clone();
        tokio::spawn(async move {
            for b in batches {
                let r = c.request(reqwest::Method::POST, "/sync/push").json(&PushRequest { ops: b }).send().await;
                if r.is_err() {
                    return;
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let dir = server.crash();
    let _ = pusher.await;
    // Restart on the same data and resend everything, as the phone's outbox would.
    let again = TestServer::start_in(dir, &quota);
    let c = Client { base: again.api(""), ..resident };
    for b in &batches {
        for r in c.push(b.clone()).await.results {
            assert!(matches!(r.outcome, OpOutcome::Applied | OpOutcome::Duplicate), "{r:?}");
        }
    }
    let (changes, _) = c.pull_all("", 1000).await;
    let reports = reports_in(&changes);
    assert_eq!(reports.len(), 800, "every report exactly once");
    // Numbers are taken in the report's own transaction: a crash leaves no gap and no repeat.
    let mut numbers: Vec<u32> =
        reports.iter().map(|r| r.registration_number.rsplit('-').next().unwrap().parse().unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, (1..=800).collect::<Vec<u32>>());
}

#[tokio::test]
async fn concurrent_resends_of_the_same_ops_apply_each_once() {
    let server = TestServer::start_with(&["--quota-reports-per-day", "30"]);
    let resident = Client::resident(&server, &phone(14)).await;
    let ops: Vec<Op> = (0..30).map(|_| create_op(new_report("heating", vec![]))).collect();
    // Twenty copies of the same outbox race each other, one op per request, in shuffled orders.
    let mut tasks = Vec::new();
    for k in 0..20 {
        let c = resident.clone();
        let mut mine = ops.clone();
        mine.rotate_left(k % ops.len());
        tasks.push(tokio::spawn(async move {
            let mut applied = Vec::new();
            for op in mine {
                let res = c.push(vec![op.clone()]).await;
                if res.results[0].outcome == OpOutcome::Applied {
                    applied.push(op.id);
                }
            }
            applied
        }));
    }
    let mut applied = Vec::new();
    for t in tasks {
        applied.extend(t.await.unwrap());
    }
    applied.sort();
    let mut expected: Vec<Uuid> = ops.iter().map(|o| o.id).collect();
    expected.sort();
    assert_eq!(applied, expected, "each op reported applied exactly once");
    let (changes, _) = resident.pull_all("", 1000).await;
    assert_eq!(reports_in(&changes).len(), 30);
}
