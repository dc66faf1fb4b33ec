//! The administrators' capabilities through the API: the same service functions as the console's
//! pages (catalogue, staff, holidays, moderation), so a script or a future front end can do all
//! that an administrator does in the browser.

use qala_protocol::*;
use reqwest::{Method, StatusCode};

use crate::common::*;

async fn admin(server: &TestServer) -> Client {
    let password = add_staff(server.dir.path(), "chief", "admin", None);
    Client::staff(server, "chief", &password).await
}

async fn send(c: &Client, method: Method, path: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
    let r = c.request(method, path).json(&body).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn staff_accounts_are_created_reset_and_disabled_through_the_api() {
    let server = TestServer::start();
    let chief = admin(&server).await;
    let input = serde_json::json!({"login": " Api.Op ", "display_name": "Api operator", "role": "operator", "agency": "mobility"});
    let (status, body) = send(&chief, Method::POST, "/admin/staff", input.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let issued: IssuedPassword = serde_json::from_value(body).unwrap();
    assert_eq!(issued.login, "api.op", "logins are kept in lower case");
    let op = Client::staff(&server, "api.op", &issued.password).await;
    assert_eq!(op.get("/operator/reports").await.status(), StatusCode::OK);

    // The same login again is a conflict; an operator without an agency is refused by field.
    let (status, body) = send(&chief, Method::POST, "/admin/staff", input).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "conflict"), "{body}");
    let lost = serde_json::json!({"login": "lost", "display_name": "Lost", "role": "operator"});
    let (status, body) = send(&chief, Method::POST, "/admin/staff", lost).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agency")), "{body}");
    let nowhere =
        serde_json::json!({"login": "nowhere", "display_name": "N", "role": "operator", "agency": "atlantis"});
    let (status, body) = send(&chief, Method::POST, "/admin/staff", nowhere).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agency")), "{body}");

    let r = chief.get("/admin/staff").await;
    let all: Vec<StaffAccount> = r.json().await.unwrap();
    assert!(all.iter().any(|s| s.login == "api.op" && s.active && s.agency.as_deref() == Some("mobility")));
    assert!(!all.iter().any(|s| s.login == "lost" || s.login == "nowhere"), "nothing of a refused account is kept");

    // A new password ends the old sessions; disabling ends everything.
    let path = format!("/admin/staff/{}/password", issued.user_id);
    let (status, body) = send(&chief, Method::POST, &path, serde_json::Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh: IssuedPassword = serde_json::from_value(body).unwrap();
    assert_ne!(fresh.password, issued.password);
    assert_eq!(op.get("/operator/reports").await.status(), StatusCode::UNAUTHORIZED, "the old session ended");
    let op = Client::staff(&server, "api.op", &fresh.password).await;
    let path = format!("/admin/staff/{}/disable", issued.user_id);
    assert_eq!(send(&chief, Method::POST, &path, serde_json::Value::Null).await.0, StatusCode::NO_CONTENT);
    assert_eq!(op.get("/operator/reports").await.status(), StatusCode::UNAUTHORIZED);
    let r = chief
        .post("/auth/login", &StaffLogin { login: "api.op".into(), password: fresh.password, device_id: device() })
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a disabled account cannot sign in");

    // An administrator cannot lock themselves out.
    let me: Me = chief.get("/me").await.json().await.unwrap();
    let (status, _) =
        send(&chief, Method::POST, &format!("/admin/staff/{}/disable", me.user_id), serde_json::Value::Null).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_catalogue_and_the_calendar_are_edited_through_the_api() {
    let server = TestServer::start();
    let chief = admin(&server).await;
    let agency = serde_json::json!({"code": "parks", "name": {"kk": "Саябақтар", "ru": "Парки", "en": " Parks "}});
    assert_eq!(send(&chief, Method::PUT, "/admin/agencies", agency).await.0, StatusCode::NO_CONTENT);
    let category = serde_json::json!({"code": "benches", "name": {"kk": "", "ru": "Скамейки", "en": "Benches"},
        "agency": "parks", "deadline_days": 3, "icon": "other"});
    assert_eq!(send(&chief, Method::PUT, "/admin/categories", category).await.0, StatusCode::NO_CONTENT);
    let catalog: CatalogResponse = Client::anonymous(&server).get("/catalog").await.json().await.unwrap();
    assert!(catalog.agencies.iter().any(|a| a.code == "parks" && a.name.en == "Parks"), "names are trimmed");
    assert!(catalog.categories.iter().any(|c| c.code == "benches" && c.agency == "parks" && c.deadline_days == 3));

    // Each rule answers by field, as in the console.
    for (body, field) in [
        (serde_json::json!({"code": "Bad Code", "name": {"kk": "", "ru": "", "en": "X"}}), "code"),
        (serde_json::json!({"code": "blank", "name": {"kk": "", "ru": " ", "en": ""}}), "name"),
    ] {
        let (status, b) = send(&chief, Method::PUT, "/admin/agencies", body).await;
        assert_eq!((status, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{b}");
    }
    let orphan = serde_json::json!({"code": "orphan", "name": {"kk": "", "ru": "", "en": "Orphan"},
        "agency": "atlantis", "deadline_days": 3, "icon": "other"});
    let (status, b) = send(&chief, Method::PUT, "/admin/categories", orphan).await;
    assert_eq!((status, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agency")), "{b}");
    let slow = serde_json::json!({"code": "slow", "name": {"kk": "", "ru": "", "en": "Slow"},
        "agency": "parks", "deadline_days": 61, "icon": "other"});
    let (status, b) = send(&chief, Method::PUT, "/admin/categories", slow).await;
    assert_eq!((status, b["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("deadline_days")), "{b}");

    // The calendar: a day added, listed, and taken out again (twice does no harm).
    let year = chrono::Datelike::year(&chrono::Utc::now()) + 1;
    let date = format!("{year}-02-03");
    let day = serde_json::json!({"date": date, "name": " Test day "});
    assert_eq!(send(&chief, Method::PUT, "/admin/holidays", day).await.0, StatusCode::NO_CONTENT);
    let days: Vec<Holiday> = chief.get("/admin/holidays").await.json().await.unwrap();
    assert!(days.iter().any(|h| h.date.to_string() == date && h.name == "Test day" && !h.working));
    for _ in 0..2 {
        let (status, _) =
            send(&chief, Method::DELETE, &format!("/admin/holidays/{date}"), serde_json::Value::Null).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let days: Vec<Holiday> = chief.get("/admin/holidays").await.json().await.unwrap();
    assert!(!days.iter().any(|h| h.date.to_string() == date));
    let (status, _) = send(&chief, Method::DELETE, "/admin/holidays/not-a-date", serde_json::Value::Null).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
