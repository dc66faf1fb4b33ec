//! Open311 GeoReport v2: every method in both formats, checked against the spec's field lists.

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;
use serde_json::Value;

const KEY: &str = "ikomek-0123456789abcdef";

const SERVICE_FIELDS: [&str; 7] =
    ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"];
const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

async fn json(c: &reqwest::Client, url: String) -> (StatusCode, Value) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    (s, r.json().await.unwrap())
}

async fn xml(c: &reqwest::Client, url: String) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));
    (s, r.text().await.unwrap())
}

fn has_fields(v: &Value, fields: &[&str]) {
    for f in fields {
        assert!(v.get(f).is_some(), "field {f} missing in {v}");
    }
}

/// Each `<item>` element carries every field, as `<f>…</f>` or `<f/>`.
fn xml_items_have(doc: &str, item: &str, fields: &[&str]) -> usize {
    let open = format!("<{item}>");
    let close = format!("</{item}>");
    let items: Vec<&str> = doc.split(&open).skip(1).map(|rest| rest.split(&close).next().unwrap()).collect();
    for it in &items {
        for f in fields {
            assert!(it.contains(&format!("<{f}>")) || it.contains(&format!("<{f}/>")), "{f} missing in <{item}>{it}");
        }
    }
    items.len()
}

#[tokio::test]
async fn every_method_in_both_formats() {
    let server = TestServer::start_with(&["--open311-key", &format!("ikomek:{KEY}")]);
    let roads_pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let resident = Client::resident(&server, &phone(97)).await;
    let road = new_report("road_repair", vec![]);
    let light = new_report("street_lighting", vec![]);
    let yard = new_report("road_repair", vec![]);
    resident.push(vec![create_op(road.clone()), create_op(light.clone()), create_op(yard.clone())]).await;
    let roads = Client::staff(&server, "roads", &roads_pw).await;
    let reject = RejectRequest { reason: RejectReason::Duplicate, text: "Дубль заявки соседа".into() };
    assert_eq!(roads.post(&format!("/operator/reports/{}/reject", road.id), &reject).await.status(), StatusCode::OK);
    let road_no = resident.my_report(road.id).await.registration_number;
    // A report rejected as private property is not published at all: it is in none of the lists below.
    let private =
        RejectRequest { reason: RejectReason::PrivateProperty, text: "Двор жилого дома".into() };
    assert_eq!(roads.post(&format!("/operator/reports/{}/reject", yard.id), &private).await.status(), StatusCode::OK);
    let yard_no = resident.my_report(yard.id).await.registration_number;
    let http = http();
    let u = |p: &str| server.url(&format!("/open311/v2/{p}"));

    // services
    let (s, v) = json(&http, u("services.json")).await;
    assert_eq!(s, StatusCode::OK);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 21);
    list.iter().for_each(|x| has_fields(x, &SERVICE_FIELDS));
    assert_eq!(list[0]["metadata"], Value::Bool(false));
    assert_eq!(list[0]["type"], "realtime");
    let (_, doc) = xml(&http, u("services.xml")).await;
    assert!(doc.starts_with("<?xml") && doc.contains("<services>"));
    assert_eq!(xml_items_have(&doc, "service", &SERVICE_FIELDS), 21);

    // service definition
    let (s, v) = json(&http, u("services/road_repair.json")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, serde_json::json!({"service_code": "road_repair", "attributes": []}));
    let (_, doc) = xml(&http, u("services/road_repair.xml")).await;
    assert!(
        doc.contains("<service_definition><service_code>road_repair</service_code><attributes/></service_definition>")
    );
    let (s, v) = json(&http, u("services/unicorns.json")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    has_fields(&v[0], &["code", "description"]);
    assert_eq!(v[0]["code"], 404);

    // requests, with the standard filters
    let (s, v) = json(&http, u("requests.json")).await;
    assert_eq!(s, StatusCode::OK);
    let reqs = v.as_array().unwrap();
    assert_eq!(reqs.len(), 2);
    reqs.iter().for_each(|x| has_fields(x, &REQUEST_FIELDS));
    let text = v.to_string();
    assert!(!text.contains("+7701") && !text.contains("Qala-"), "no personal data");
    let rejected = reqs.iter().find(|x| x["service_request_id"] == road_no.as_str()).unwrap();
    assert_eq!(rejected["status"], "closed");
    assert_eq!(rejected["status_notes"], "rejected: duplicate", "a reason code, never the free text");
    assert!(!text.contains("Дубль заявки соседа"));
    assert_eq!(rejected["agency_responsible"], "Department of Urban Mobility");
    // The point on the public grid (about 20 m), as residents' phones get it; not where the author stood.
    let lat = rejected["lat"].as_f64().unwrap();
    assert_eq!(lat, public_coord(road.location.lat));
    assert!(((lat / PUBLIC_COORD_STEP) - (lat / PUBLIC_COORD_STEP).round()).abs() < 1e-6);
    let count = |v: &Value| v.as_array().unwrap().len();
    assert_eq!(count(&json(&http, u("requests.json?service_code=road_repair")).await.1), 1);
    assert_eq!(count(&json(&http, u("requests.json?service_code=road_repair,street_lighting")).await.1), 2);
    assert_eq!(count(&json(&http, u("requests.json?status=open")).await.1), 1);
    assert_eq!(count(&json(&http, u("requests.json?status=closed")).await.1), 1);
    assert_eq!(count(&json(&http, u(&format!("requests.json?service_request_id={road_no}"))).await.1), 1);
    assert_eq!(count(&json(&http, u("requests.json?start_date=2099-01-01T00:00:00Z")).await.1), 0);
    assert_eq!(count(&json(&http, u("requests.json?end_date=2000-01-01T00:00:00Z")).await.1), 0);
    // An unencoded `+05:00` (read as a space) is understood.
    assert_eq!(count(&json(&http, u("requests.json?start_date=2000-01-01T00:00:00+05:00")).await.1), 2);
    // Ids override the other filters.
    assert_eq!(count(&json(&http, u(&format!("requests.json?service_request_id={road_no}&status=open"))).await.1), 1);
    let (s, _) = json(&http, u("requests.json?start_date=yesterday")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, doc) = xml(&http, u("requests.xml?status=closed")).await;
    assert_eq!(xml_items_have(&doc, "request", &REQUEST_FIELDS), 1);
    assert!(doc.contains("<status>closed</status>"));

    // one request
    let (s, v) = json(&http, u(&format!("requests/{road_no}.json"))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(count(&v), 1);
    has_fields(&v[0], &REQUEST_FIELDS);
    let (_, doc) = xml(&http, u(&format!("requests/{road_no}.xml"))).await;
    assert_eq!(xml_items_have(&doc, "request", &REQUEST_FIELDS), 1);
    let (s, doc) = xml(&http, u("requests/ALA-1999-000001.xml")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(json(&http, u(&format!("requests/{yard_no}.json"))).await.0, StatusCode::NOT_FOUND, "not published");
    assert!(doc.contains("<errors><error><code>404</code>"));

    // POST: the intake for other channels
    let form = |key: Option<&str>, lat: &str| {
        let mut f = vec![
            ("service_code", "illegal_dump"),
            ("lat", lat),
            ("long", "76.95"),
            ("description", "Свалка за гаражами"),
        ];
        if let Some(k) = key {
            f.push(("api_key", k));
        }
        f.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>()
    };
    let post = |fmt: &str, body: Vec<(String, String)>| http.post(u(&format!("requests.{fmt}"))).form(&body).send();
    let r = post("json", form(None, "43.25")).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v: Value = r.json().await.unwrap();
    has_fields(&v[0], &["code", "description"]);
    let r = post("xml", form(Some("wrong-key-0000000000"), "43.25")).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("<errors>"));
    let r = post("json", form(Some(KEY), "north")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post("json", form(Some(KEY), "43.25")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    has_fields(&v[0], &["service_request_id", "service_notice", "account_id"]);
    let number = v[0]["service_request_id"].as_str().unwrap().to_string();
    let r = post("xml", form(Some(KEY), "43.26")).await.unwrap();
    assert!(r.text().await.unwrap().contains("<service_request_id>ALA-"));
    // Operators of the routed agency see it at once; it is open data like the others.
    let pw = add_staff(server.dir.path(), "green", "operator", Some("green_economy"));
    let green = Client::staff(&server, "green", &pw).await;
    let list: ReportList = green.get("/operator/reports").await.json().await.unwrap();
    assert_eq!(list.total, 2);
    assert!(list.items.iter().any(|r| r.registration_number == number));
    assert_eq!(count(&json(&http, u(&format!("requests/{number}.json"))).await.1), 1);
}
