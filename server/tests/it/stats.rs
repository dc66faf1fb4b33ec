//! Public statistics equal the counts computed from what the test itself did.

use std::collections::BTreeMap;

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;
use uuid::Uuid;

#[tokio::test]
async fn statistics_match_the_reports() {
    let server = TestServer::start();
    let roads_pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let light_pw = add_staff(server.dir.path(), "light", "operator", Some("energy_utilities"));
    let resident = Client::resident(&server, &phone(95)).await;
    let roads = Client::staff(&server, "roads", &roads_pw).await;
    let light = Client::staff(&server, "light", &light_pw).await;

    // (category, agency) of each report, and the status the test drives it to.
    let plan = [
        ("road_repair", "mobility", "answer"),
        ("road_repair", "mobility", "answer"),
        ("road_repair", "mobility", "none"),
        ("sidewalks", "mobility", "reject"),
        ("street_lighting", "energy_utilities", "answer"),
        ("street_lighting", "energy_utilities", "withdraw"),
    ];
    let mut expected: Vec<(&str, &str, ReportStatus)> = Vec::new();
    for (category, agency, action) in plan {
        let r = new_report(category, vec![]);
        resident.push(vec![create_op(r.clone())]).await;
        let op = if agency == "mobility" { &roads } else { &light };
        let status = match action {
            "answer" => {
                let res = op
                    .post(
                        &format!("/operator/reports/{}/answer", r.id),
                        &AnswerRequest { text: "ok".into(), media: vec![] },
                    )
                    .await;
                assert_eq!(res.status(), StatusCode::OK);
                ReportStatus::Done
            }
            "reject" => {
                let body = RejectRequest { reason: RejectReason::Duplicate, text: "дубль".into() };
                assert_eq!(
                    op.post(&format!("/operator/reports/{}/reject", r.id), &body).await.status(),
                    StatusCode::OK
                );
                ReportStatus::Rejected
            }
            "withdraw" => {
                let w = Op {
                    id: Uuid::now_v7(),
                    op: OpBody::WithdrawReport(WithdrawReport { report_id: r.id, reason: None }),
                };
                resident.push(vec![w]).await;
                ReportStatus::Withdrawn
            }
            _ => ReportStatus::Registered,
        };
        expected.push((category, agency, status));
    }

    let anon = Client::anonymous(&server);
    let r = anon.get("/stats").await;
    assert_eq!(r.status(), StatusCode::OK, "no sign-in needed");
    let text = r.text().await.unwrap();
    assert!(!text.contains("+7701"), "no personal data");
    let stats: PublicStats = serde_json::from_str(&text).unwrap();
    assert_eq!(stats.last_30_days, stats.all_time, "everything happened today");

    let tally = |filter: &dyn Fn(&(&str, &str, ReportStatus)) -> bool| {
        let rows: Vec<_> = expected.iter().filter(|e| filter(e)).collect();
        let count = |s: &[ReportStatus]| rows.iter().filter(|e| s.contains(&e.2)).count() as u64;
        (
            rows.len() as u64,
            count(&[ReportStatus::Registered]),
            count(&[ReportStatus::Done]),
            count(&[ReportStatus::Rejected]),
            count(&[ReportStatus::Withdrawn]),
        )
    };
    let got = |c: &StatsCounts| (c.received, c.in_progress, c.done, c.rejected, c.withdrawn);
    assert_eq!(got(&stats.all_time.total), tally(&|_| true));
    assert_eq!(stats.all_time.total.done_on_time_share, Some(1.0));
    assert!(stats.all_time.total.median_hours_to_answer.unwrap() < 1.0);
    let by_cat: BTreeMap<_, _> = stats.all_time.by_category.iter().map(|g| (g.code.as_str(), got(&g.counts))).collect();
    let by_agency: BTreeMap<_, _> =
        stats.all_time.by_agency.iter().map(|g| (g.code.as_str(), got(&g.counts))).collect();
    for code in ["road_repair", "sidewalks", "street_lighting"] {
        assert_eq!(by_cat[code], tally(&|e| e.0 == code), "{code}");
    }
    for code in ["mobility", "energy_utilities"] {
        assert_eq!(by_agency[code], tally(&|e| e.1 == code), "{code}");
    }
    assert_eq!(by_cat.len(), 3);

    // The page shows the same, in the language asked for.
    let page = anon.http.get(server.url("/stats?lang=kk")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Жол жөндеу") && page.contains("Барлығы"));
    assert!(page.contains(&format!("<td>{}</td>", stats.all_time.total.received)));
}
