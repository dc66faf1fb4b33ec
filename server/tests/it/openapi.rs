//! The OpenAPI document matches the router: every documented operation is routed, and the
//! documented request schemas are the ones the handlers parse.

use crate::common::*;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(70)).await;
    let doc: serde_json::Value = c.http.get(server.api("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        let concrete = path.replace("{id}", "0190a1b2-0000-7000-8000-000000000000");
        for (method, _) in item.as_object().unwrap() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let url = server.url(&concrete);
            let r = c
                .http
                .request(m.clone(), &url)
                .bearer_auth(&c.token)
                .header("Tus-Resumable", "1.0.0")
                .send()
                .await
                .unwrap();
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is documented but not routed");
            assert!(!body.contains("no route for"), "{method} {path} is documented but not routed");
            assert!(!status.is_server_error(), "{method} {path} answered {status}: {body}");
            operations += 1;
        }
    }
    assert!(operations >= 30, "documented operations: {operations}");
    // Request bodies name the real types.
    let push = &paths["/api/v1/sync/push"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(push, "#/components/schemas/PushRequest");
    let schema = &doc["components"]["schemas"]["PushRequest"];
    assert_eq!(schema["required"], serde_json::json!(["ops"]));
    let op_body = &doc["components"]["schemas"]["OpBody"];
    let text = op_body.to_string();
    for kind in ["create_report", "withdraw_report", "comment", "rate", "complain"] {
        assert!(text.contains(kind), "OpBody documents {kind}");
    }
}
