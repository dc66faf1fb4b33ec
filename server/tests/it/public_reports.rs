//! Reports read online (`/reports`): what a phone does not hold — a report outside its scope, the
//! whole description behind a summary, a registration number, older pages of the city feed.

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;

async fn report_in(c: &Client, district: &str, description: &str) -> uuid::Uuid {
    let d = districts::find(district).unwrap();
    let mut r = new_report("sidewalks", vec![]);
    r.location.lat = d.lat;
    r.location.lon = d.lon;
    r.description = description.into();
    let id = r.id;
    c.push(vec![create_op(r)]).await;
    id
}

#[tokio::test]
async fn one_report_whole_by_id_and_by_number() {
    let server = TestServer::start();
    let author = Client::resident(&server, &phone(60)).await;
    let reader = Client::resident(&server, &phone(61)).await;
    let long = "Разбитый тротуар на всём квартале, люди ходят по проезжей части. ".repeat(10);
    let id = report_in(&author, "medeu", &long).await;
    let r = reader.get(&format!("/reports/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let whole: PublicReport = r.json().await.unwrap();
    assert_eq!(whole.description, long.trim());
    assert!(!whole.more);
    assert_eq!(whole.district, "medeu");
    // The pulled copy is the summary of the same report.
    let (changes, _) = reader.pull_all_in("", &["medeu"], 100).await;
    let pulled = changes
        .iter()
        .find_map(|c| match &c.entity {
            Some(Entity::PublicReport(p)) if p.id == id => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert!(pulled.more && whole.description.starts_with(&pulled.description));
    let found: Vec<PublicReport> =
        reader.get(&format!("/reports?number={}", whole.registration_number)).await.json().await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, id);
    let none: Vec<PublicReport> = reader.get("/reports?number=ALA-1999-000001").await.json().await.unwrap();
    assert!(none.is_empty());
    assert_eq!(reader.get(&format!("/reports/{}", uuid::Uuid::now_v7())).await.status(), StatusCode::NOT_FOUND);
    // A withdrawn report is not public any more.
    let w = Op { id: uuid::Uuid::now_v7(), op: OpBody::WithdrawReport(WithdrawReport { report_id: id, reason: None }) };
    author.push(vec![w]).await;
    assert_eq!(reader.get(&format!("/reports/{id}")).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_feed_pages_newest_first_by_district() {
    let server = TestServer::start();
    let author = Client::resident(&server, &phone(62)).await;
    let reader = Client::resident(&server, &phone(63)).await;
    let mut medeu = Vec::new();
    for i in 0..5 {
        medeu.push(report_in(&author, "medeu", &format!("Медеу {i}")).await);
        report_in(&author, "almaly", &format!("Алмалы {i}")).await;
    }
    let mut seen = Vec::new();
    let mut before: Option<(String, uuid::Uuid)> = None;
    loop {
        let q = match &before {
            Some((at, id)) => format!("/reports?districts=medeu&limit=2&before={}&before_id={id}", urlencode(at)),
            None => "/reports?districts=medeu&limit=2".to_string(),
        };
        let page: Vec<PublicReport> = reader.get(&q).await.json().await.unwrap();
        assert!(page.len() <= 2);
        if page.is_empty() {
            break;
        }
        let last = page.last().unwrap();
        before = Some((last.registered_at.to_rfc3339(), last.id));
        seen.extend(page);
    }
    assert_eq!(seen.iter().map(|r| r.id).collect::<Vec<_>>(), medeu.iter().rev().copied().collect::<Vec<_>>());
    // Two districts, or the whole city: merged, newest first.
    let both: Vec<PublicReport> =
        reader.get("/reports?districts=medeu,almaly,medeu&limit=100").await.json().await.unwrap();
    assert_eq!(both.len(), 10);
    assert!(both.windows(2).all(|w| w[0].registered_at >= w[1].registered_at));
    let city: Vec<PublicReport> = reader.get("/reports?districts=*&limit=3").await.json().await.unwrap();
    assert_eq!(city.len(), 3);
    let none: Vec<PublicReport> = reader.get("/reports?limit=3").await.json().await.unwrap();
    assert!(none.is_empty(), "no district named: none, as in the pull");
    for q in ["districts=atlantis", "limit=0", "limit=101", "before=yesterday"] {
        let r = reader.get(&format!("/reports?{q}")).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    }
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn a_malformed_id_is_a_json_400() {
    let server = TestServer::start();
    let reader = Client::resident(&server, &phone(64)).await;
    let r = reader.get("/reports/00").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(!error_code(&body).is_empty());
}
