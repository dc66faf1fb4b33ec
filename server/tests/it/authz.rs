//! Who may see and do what.

use crate::common::*;
use qala_protocol::*;
use reqwest::{Method, StatusCode};
use uuid::Uuid;

#[tokio::test]
async fn another_resident_cannot_see_my_report_media_or_phone() {
    let server = TestServer::start();
    let me = Client::resident(&server, &phone(40)).await;
    let stranger = Client::resident(&server, &phone(41)).await;
    let photo = Uuid::now_v7();
    me.upload(photo, "photo", &jpeg(30_000, 1), 1 << 20).await;
    let report = new_report("open_manhole", vec![DeclaredMedia { id: photo, kind: MediaKind::Photo }]);
    me.push(vec![create_op(report.clone())]).await;

    let (changes, _) = stranger.pull_all("", 1000).await;
    assert!(!changes.iter().any(|c| matches!(&c.entity, Some(Entity::Report(_)))), "no full reports of others");
    // The public view is there, without media or author.
    let public = changes
        .iter()
        .find_map(|c| match &c.entity {
            Some(Entity::PublicReport(p)) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(public.id, report.id);
    let raw = serde_json::to_string(&changes).unwrap();
    assert!(!raw.contains(&phone(40)) && !raw.contains("7010000040"), "my phone number never travels to others");
    assert!(!raw.contains(&photo.to_string()), "nor my photo's id");

    assert_eq!(stranger.get(&format!("/media/{photo}")).await.status(), StatusCode::NOT_FOUND);
    // Declaring my photo in their own report does not open it either.
    let sneaky = new_report("open_manhole", vec![DeclaredMedia { id: photo, kind: MediaKind::Photo }]);
    stranger.push(vec![create_op(sneaky.clone())]).await;
    assert_eq!(stranger.get(&format!("/media/{photo}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(stranger.my_report(sneaky.id).await.media[0].state, MediaState::Pending);
    // They cannot rate, complain about or withdraw my report.
    let ops = vec![
        Op { id: Uuid::now_v7(), op: OpBody::WithdrawReport(WithdrawReport { report_id: report.id, reason: None }) },
        Op { id: Uuid::now_v7(), op: OpBody::Complain(NewComplaint { report_id: report.id, text: "x".into() }) },
    ];
    for r in stranger.push(ops).await.results {
        assert!(matches!(&r.outcome, OpOutcome::Rejected { code, .. } if code == "not_found"), "{r:?}");
    }
    // /me gives my phone to me only.
    let my: Me = me.get("/me").await.json().await.unwrap();
    assert_eq!(my.phone.as_deref(), Some(phone(40).as_str()));
    let theirs: Me = stranger.get("/me").await.json().await.unwrap();
    assert_ne!(theirs.phone, my.phone);
    assert_eq!(me.get(&format!("/media/{photo}")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_operator_of_one_agency_cannot_touch_another_agencys_reports() {
    let server = TestServer::start();
    let roads_pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let parks_pw = add_staff(server.dir.path(), "parks", "operator", Some("green_economy"));
    let resident = Client::resident(&server, &phone(42)).await;
    let photo = Uuid::now_v7();
    resident.upload(photo, "photo", &jpeg(20_000, 2), 1 << 20).await;
    let report = new_report("road_repair", vec![DeclaredMedia { id: photo, kind: MediaKind::Photo }]);
    resident.push(vec![create_op(report.clone())]).await;
    let roads = Client::staff(&server, "roads", &roads_pw).await;
    let parks = Client::staff(&server, "parks", &parks_pw).await;

    let list: ReportList = parks.get("/operator/reports").await.json().await.unwrap();
    assert_eq!(list.total, 0);
    assert_eq!(parks.get(&format!("/operator/reports/{}", report.id)).await.status(), StatusCode::NOT_FOUND);
    let actions: Vec<(&str, serde_json::Value)> = vec![
        ("assign", serde_json::json!({"executor": "x"})),
        ("start", serde_json::json!({})),
        ("answer", serde_json::json!({"text": "done"})),
        ("reject", serde_json::json!({"reason": "other", "text": "no"})),
    ];
    for (action, body) in &actions {
        let r = parks.post(&format!("/operator/reports/{}/{action}", report.id), body).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(parks.get(&format!("/media/{photo}")).await.status(), StatusCode::NOT_FOUND);
    // The right agency can.
    assert_eq!(roads.get(&format!("/media/{photo}")).await.status(), StatusCode::OK);
    let r = roads.post(&format!("/operator/reports/{}/reject", report.id), &actions[3].1).await;
    assert_eq!(r.status(), StatusCode::OK);
    let mine = resident.my_report(report.id).await;
    assert_eq!(mine.status, ReportStatus::Rejected);
    assert_eq!(mine.rejection.unwrap().reason, RejectReason::Other);
    // Residents are not operators; operators are not admins; operators do not push.
    assert_eq!(resident.get("/operator/reports").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(roads.get("/admin/news").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(roads.post("/sync/push", &PushRequest { ops: vec![] }).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn anonymous_gets_401_everywhere_but_public_routes() {
    let server = TestServer::start();
    let anon = Client::anonymous(&server);
    let id = Uuid::now_v7();
    let protected: Vec<(Method, String)> = vec![
        (Method::POST, "/sync/push".into()),
        (Method::GET, "/sync/pull".into()),
        (Method::GET, "/me".into()),
        (Method::POST, "/auth/logout".into()),
        (Method::GET, format!("/media/{id}")),
        (Method::GET, "/operator/reports".into()),
        (Method::GET, format!("/operator/reports/{id}")),
        (Method::POST, format!("/operator/reports/{id}/answer")),
        (Method::GET, "/admin/news".into()),
        (Method::POST, "/admin/projects".into()),
        (Method::POST, "/uploads".into()),
    ];
    for (m, path) in protected {
        let r = anon
            .request(m.clone(), &path)
            .header("Tus-Resumable", "1.0.0")
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{m} {path}");
    }
    let bogus = Client { token: "not-a-token".into(), ..anon.clone() };
    assert_eq!(bogus.get("/sync/pull").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anon.get("/catalog").await.status(), StatusCode::OK);
    assert_eq!(anon.http.get(server.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_rotates_and_is_bound_to_the_device() {
    let server = TestServer::start();
    let anon = Client::anonymous(&server);
    let dev = device();
    anon.post("/auth/otp/request", &OtpRequest { phone: phone(43), device_id: dev.clone() }).await;
    let code = server.last_code(&phone(43));
    let s: Session = anon
        .post("/auth/otp/verify", &OtpVerify { phone: phone(43), device_id: dev.clone(), code })
        .await
        .json()
        .await
        .unwrap();
    let r = anon
        .post("/auth/refresh", &RefreshRequest { refresh_token: s.refresh_token.clone(), device_id: dev.clone() })
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let s2: Session = r.json().await.unwrap();
    assert_eq!(s2.user_id, s.user_id);
    // The old access token is dead; the new one works.
    let old = Client { token: s.access_token.clone(), ..anon.clone() };
    assert_eq!(old.get("/me").await.status(), StatusCode::UNAUTHORIZED);
    let new = Client { token: s2.access_token.clone(), ..anon.clone() };
    assert_eq!(new.get("/me").await.status(), StatusCode::OK);
    // Another device cannot use my refresh token: it is a copy, and the session ends with it.
    let r = anon
        .post("/auth/refresh", &RefreshRequest { refresh_token: s2.refresh_token.clone(), device_id: device() })
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(new.get("/me").await.status(), StatusCode::UNAUTHORIZED);
    // Sign-out ends a session.
    let s3 = Client::resident(&server, &phone(44)).await;
    assert_eq!(s3.post("/auth/logout", &serde_json::json!({})).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(s3.get("/me").await.status(), StatusCode::UNAUTHORIZED);
    // Wrong staff password.
    add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let r = anon
        .post("/auth/login", &StaffLogin { login: "roads".into(), password: "guess".into(), device_id: dev.clone() })
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = anon
        .post("/auth/login", &StaffLogin { login: "nobody".into(), password: "guess".into(), device_id: dev })
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn staff_password_guessing_is_stopped() {
    let server = TestServer::start();
    let password = add_staff(server.dir.path(), "Roads", "operator", Some("mobility"));
    let anon = Client::anonymous(&server);
    let login = |pw: &str| StaffLogin { login: "ROADS".into(), password: pw.into(), device_id: device() };
    // Logins are case-insensitive.
    assert_eq!(anon.post("/auth/login", &login(&password)).await.status(), StatusCode::OK);
    for i in 0..10 {
        let r = anon.post("/auth/login", &login(&format!("guess-{i}"))).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = anon.post("/auth/login", &login(&password)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits after 10 failures");
    assert!(r.headers().contains_key("retry-after"));
}
