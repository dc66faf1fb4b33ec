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

/// The last change to the public copy of report `id` among `changes`: `Some(None)` is a deletion.
fn public_copy(changes: &[Change], id: uuid::Uuid) -> Option<Option<PublicReport>> {
    changes.iter().rfind(|c| c.id == id.to_string() && c.kind == EntityKind::PublicReport).map(|c| match &c.entity {
        Some(Entity::PublicReport(p)) => Some(p.clone()),
        _ => None,
    })
}

/// The public copy of report `id` that a new phone following `district` gets, if any.
async fn held(reader: &Client, district: &str, id: uuid::Uuid) -> Option<PublicReport> {
    public_copy(&reader.pull_all_in("", &[district], 1000).await.0, id).flatten()
}

#[tokio::test]
async fn a_report_rejected_as_private_property_is_published_nowhere() {
    let server = TestServer::start();
    let roads_pw = add_staff(server.dir.path(), "roads.private", "operator", Some("mobility"));
    let author = Client::resident(&server, &phone(64)).await;
    let reader = Client::resident(&server, &phone(65)).await;
    let d = districts::find("medeu").unwrap();
    let mut r = new_report("road_repair", vec![]);
    (r.location.lat, r.location.lon) = (d.lat, d.lon);
    r.description = "Сосед поставил машину у моего подъезда".into();
    let id = r.id;
    author.push(vec![create_op(r)]).await;
    let (first, cursor) = reader.pull_all_in("", &["medeu"], 1000).await;
    assert!(public_copy(&first, id).flatten().is_some(), "public while it is worked");
    let roads = Client::staff(&server, "roads.private", &roads_pw).await;
    let reject = RejectRequest {
        reason: RejectReason::PrivateProperty, text: "Придомовая территория".into()
    };
    assert_eq!(roads.post(&format!("/operator/reports/{id}/reject"), &reject).await.status(), StatusCode::OK);
    // Gone from the phones that held it, from a new phone's first sync, and from the online reads.
    let (next, _) = reader.pull_all_in(&cursor, &["medeu"], 1000).await;
    assert_eq!(public_copy(&next, id), Some(None), "a deletion for the phones that held it");
    assert!(held(&reader, "medeu", id).await.is_none());
    assert_eq!(reader.get(&format!("/reports/{id}")).await.status(), StatusCode::NOT_FOUND);
    let number = author.my_report(id).await.registration_number;
    let found: Vec<PublicReport> = reader.get(&format!("/reports?number={number}")).await.json().await.unwrap();
    assert!(found.is_empty());
    let feed: Vec<PublicReport> = reader.get("/reports?districts=medeu").await.json().await.unwrap();
    assert!(feed.iter().all(|p| p.id != id));
    // The author still has it, with the reason.
    let mine = author.my_report(id).await;
    assert_eq!(mine.rejection.map(|j| j.reason), Some(RejectReason::PrivateProperty));
}

#[tokio::test]
async fn an_operator_redacts_what_the_public_sees_and_the_author_keeps_the_original() {
    let server = TestServer::start_with(&["--open311-key", "ikomek:0123456789abcdef"]);
    let roads_pw = add_staff(server.dir.path(), "roads.redact", "operator", Some("mobility"));
    let author = Client::resident(&server, &phone(66)).await;
    let reader = Client::resident(&server, &phone(67)).await;
    let d = districts::find("almaly").unwrap();
    let mut r = new_report("road_repair", vec![]);
    (r.location.lat, r.location.lon) = (d.lat + 0.000_07, d.lon + 0.000_03);
    let original = "Яма у дома 5, звоните Айгуль 8 701 555 12 34";
    r.description = original.into();
    let id = r.id;
    // A phone that synced before the report existed, and streams on from there.
    let (_, before) = reader.pull_all_in("", &["almaly"], 1000).await;
    author.push(vec![create_op(r.clone())]).await;
    let roads = Client::staff(&server, "roads.redact", &roads_pw).await;
    let redact = RedactRequest { public_description: Some("Яма у дома 5".into()) };
    let resp = roads.post(&format!("/operator/reports/{id}/redact"), &redact).await;
    assert_eq!(resp.status(), StatusCode::OK);
    // Every public view carries the redaction, and the point on the public grid; a phone that
    // streams from before never sees the original pass by.
    let (streamed, _) = reader.pull_all_in(&before, &["almaly"], 1000).await;
    assert!(!serde_json::to_string(&streamed).unwrap().contains("8 701"), "{streamed:?}");
    assert_eq!(public_copy(&streamed, id).flatten().map(|p| p.description), Some("Яма у дома 5".to_string()));
    let copy = held(&reader, "almaly", id).await.unwrap();
    assert_eq!(copy.description, "Яма у дома 5");
    assert_eq!((copy.lat, copy.lon), (public_coord(r.location.lat), public_coord(r.location.lon)));
    assert_ne!(copy.lat, r.location.lat);
    let whole: PublicReport = reader.get(&format!("/reports/{id}")).await.json().await.unwrap();
    assert_eq!(whole.description, "Яма у дома 5");
    let number = author.my_report(id).await.registration_number;
    let answer = http().get(server.url(&format!("/open311/v2/requests/{number}.json"))).send().await.unwrap();
    let open311: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(open311[0]["description"], "Яма у дома 5");
    assert!(!open311.to_string().contains("8 701"), "{open311}");
    // The author (and the agency) keep the original.
    let mine = author.my_report(id).await;
    assert_eq!((mine.description.as_str(), mine.public_description.as_deref()), (original, Some("Яма у дома 5")));
    // A resident cannot redact.
    let by_author = author.post(&format!("/operator/reports/{id}/redact"), &redact).await;
    assert_eq!(by_author.status(), StatusCode::FORBIDDEN);
    // A text longer than any description, or a body that is not the request, is refused, and
    // the redaction stays as it was.
    let long = RedactRequest { public_description: Some("я".repeat(DESCRIPTION_MAX_CHARS + 1)) };
    let r = roads.post(&format!("/operator/reports/{id}/redact"), &long).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = roads.post(&format!("/operator/reports/{id}/redact"), &serde_json::json!({"public_description": 5})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = roads.post("/operator/reports/not-a-uuid/redact", &redact).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(author.my_report(id).await.public_description.as_deref(), Some("Яма у дома 5"));
    // An empty redaction publishes the original again.
    let clear = RedactRequest { public_description: Some("  ".into()) };
    assert_eq!(roads.post(&format!("/operator/reports/{id}/redact"), &clear).await.status(), StatusCode::OK);
    assert_eq!(held(&reader, "almaly", id).await.unwrap().description, original);
}
