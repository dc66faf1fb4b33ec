//! A resident's rights over their data, end to end on the server: the export, a report made
//! anonymous, the account deleted — and what a second resident and an anonymous Open311 caller
//! see afterwards.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::common::*;
use qala_protocol::*;

/// A demo project in discussion, as a phone pulls it.
async fn project(c: &Client) -> Project {
    let (changes, _) = c.pull_all("", 1000).await;
    changes
        .iter()
        .find_map(|ch| match &ch.entity {
            Some(Entity::Project(p)) if p.status == ProjectStatus::Discussion => Some(p.clone()),
            _ => None,
        })
        .expect("a demo project in discussion")
}

fn comment_op(project: Uuid, body: &str) -> (Uuid, Op) {
    let id = Uuid::now_v7();
    let c = NewComment {
        id,
        project_id: project,
        parent_id: None,
        body: body.into(),
        position: Position::For,
        created_at: chrono::Utc::now(),
    };
    (id, Op { id: Uuid::now_v7(), op: OpBody::Comment(c) })
}

/// The last change to `id` of `kind` among `changes`: `Some(None)` is a deletion.
fn last_change(changes: &[Change], kind: EntityKind, id: Uuid) -> Option<Option<Entity>> {
    changes.iter().rfind(|c| c.kind == kind && c.id == id.to_string()).map(|c| c.entity.clone())
}

async fn open311_numbers(server: &TestServer) -> Vec<String> {
    let v: serde_json::Value =
        http().get(server.url("/open311/v2/requests.json")).send().await.unwrap().json().await.unwrap();
    v.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn download_my_data_holds_everything_kept_about_me_and_nothing_of_others() {
    let server = TestServer::start_with(&["--demo"]);
    let me = Client::resident(&server, &phone(120)).await;
    let other = Client::resident(&server, &phone(121)).await;
    let photo = Uuid::now_v7();
    let report = new_report("road_repair", vec![DeclaredMedia { id: photo, kind: MediaKind::Photo }]);
    me.push(vec![create_op(report.clone())]).await;
    me.upload(photo, "photo", &jpeg(30_000, 7), 64 << 10).await;
    let p = project(&me).await;
    let (comment, op) = comment_op(p.id, "Поддерживаю, но нужен пандус");
    me.push(vec![op]).await;
    other.push(vec![create_op(new_report("street_lighting", vec![]))]).await;

    let r = me.get("/me/export").await;
    assert_eq!(r.status(), StatusCode::OK);
    let data: PersonalData = r.json().await.unwrap();
    let session = me.session.as_ref().unwrap();
    assert_eq!((data.account.user_id, data.account.phone.as_deref()), (session.user_id, Some(phone(120).as_str())));
    assert_eq!(data.devices.len(), 1);
    assert_eq!(data.sessions.len(), 1);
    assert_eq!(data.reports.iter().map(|r| r.id).collect::<Vec<_>>(), vec![report.id]);
    assert_eq!(data.reports[0].description, report.description);
    assert_eq!(data.comments.iter().map(|c| c.comment.id).collect::<Vec<_>>(), vec![comment]);
    assert_eq!(data.media.len(), 1);
    // The listed file is the stored one, and mine to fetch.
    let bytes = me.get(&format!("/media/{photo}")).await.bytes().await.unwrap();
    assert_eq!(sha_hex(&bytes), data.media[0].sha256);
    // Staff data is the administrators' to manage.
    let pw = add_staff(server.dir.path(), "rights.op", "operator", Some("mobility"));
    let op = Client::staff(&server, "rights.op", &pw).await;
    assert_eq!(op.get("/me/export").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(Client::anonymous(&server).get("/me/export").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_anonymised_report_loses_its_author_and_keeps_its_story() {
    let server = TestServer::start();
    let me = Client::resident(&server, &phone(122)).await;
    let other = Client::resident(&server, &phone(123)).await;
    let report = new_report("road_repair", vec![]);
    me.push(vec![create_op(report.clone())]).await;
    let number = me.my_report(report.id).await.registration_number;
    let (_, my_cursor) = me.pull_all("", 1000).await;

    assert_eq!(other.post(&format!("/me/reports/{}/anonymise", report.id), &()).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(me.post(&format!("/me/reports/{}/anonymise", report.id), &()).await.status(), StatusCode::NO_CONTENT);
    // It leaves my phone and my data…
    let (changes, _) = me.pull_all(&my_cursor, 1000).await;
    assert_eq!(last_change(&changes, EntityKind::Report, report.id), Some(None));
    let data: PersonalData = me.get("/me/export").await.json().await.unwrap();
    assert!(data.reports.is_empty());
    assert_eq!(me.post(&format!("/me/reports/{}/anonymise", report.id), &()).await.status(), StatusCode::NOT_FOUND);
    // …and stays for everyone else: the public copy, Open311, the agency.
    let public: PublicReport = other.get(&format!("/reports/{}", report.id)).await.json().await.unwrap();
    assert_eq!(public.registration_number, number);
    assert!(open311_numbers(&server).await.contains(&number));
    let pw = add_staff(server.dir.path(), "rights.roads", "operator", Some("mobility"));
    let op = Client::staff(&server, "rights.roads", &pw).await;
    let worked: Report = op.get(&format!("/operator/reports/{}", report.id)).await.json().await.unwrap();
    assert_eq!(worked.description, report.description, "the agency keeps what it needs");
}

#[tokio::test]
async fn deleting_my_account_erases_me_and_keeps_the_city_history() {
    let server = TestServer::start_with(&["--demo"]);
    let me = Client::resident(&server, &phone(124)).await;
    let other = Client::resident(&server, &phone(125)).await;
    let (open, settled) = (new_report("road_repair", vec![]), new_report("road_repair", vec![]));
    me.push(vec![create_op(open.clone()), create_op(settled.clone())]).await;
    let pw = add_staff(server.dir.path(), "rights.answer", "operator", Some("mobility"));
    let op = Client::staff(&server, "rights.answer", &pw).await;
    let answer = AnswerRequest { text: "Отремонтировано".into(), media: vec![] };
    assert_eq!(op.post(&format!("/operator/reports/{}/answer", settled.id), &answer).await.status(), StatusCode::OK);
    let p = project(&me).await;
    let (comment, c) = comment_op(p.id, "Мой телефон 8 701 000 01 24, звоните");
    me.push(vec![c]).await;
    let (_, other_cursor) = other.pull_all("", 1000).await;
    let settled_no = me.my_report(settled.id).await.registration_number;
    let open_no = me.my_report(open.id).await.registration_number;

    // A choice that is not one of the two is refused, and nothing is lost.
    let bad = me.request(reqwest::Method::DELETE, "/me").json(&serde_json::json!({"reports": "keep"})).send().await;
    assert_eq!(bad.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(me.get("/me").await.status(), StatusCode::OK);
    let body = DeleteAccount { reports: ReportsOnDeletion::Withdraw };
    let r = me.request(reqwest::Method::DELETE, "/me").json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // Every session of mine has ended.
    assert_eq!(me.get("/me").await.status(), StatusCode::UNAUTHORIZED);
    let s = me.session.as_ref().unwrap();
    let refresh = RefreshRequest { refresh_token: s.refresh_token.clone(), device_id: "dev-whatever".into() };
    assert_eq!(Client::anonymous(&server).post("/auth/refresh", &refresh).await.status(), StatusCode::UNAUTHORIZED);
    // The report still worked was withdrawn: gone from the public view; the settled one stays, anonymous.
    assert_eq!(other.get(&format!("/reports/{}", open.id)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/reports/{}", settled.id)).await.status(), StatusCode::OK);
    let listed = open311_numbers(&server).await;
    assert!(listed.contains(&settled_no) && !listed.contains(&open_no), "{listed:?}");
    // My comment is hidden from the others' phones.
    let (changes, _) = other.pull_all(&other_cursor, 1000).await;
    assert_eq!(last_change(&changes, EntityKind::Comment, comment), Some(None));
    // The agency keeps the settled report, with nobody's name on it.
    let worked: Report = op.get(&format!("/operator/reports/{}", settled.id)).await.json().await.unwrap();
    assert_eq!(worked.status, ReportStatus::Done);
    // Signing in with my number again is a new account, with nothing of the old one.
    let again = Client::resident(&server, &phone(124)).await;
    let fresh: PersonalData = again.get("/me/export").await.json().await.unwrap();
    assert_ne!(fresh.account.user_id, s.user_id);
    assert!(fresh.reports.is_empty() && fresh.comments.is_empty());
}

#[tokio::test]
async fn only_a_resident_deletes_only_their_own_account() {
    let server = TestServer::start();
    let pw = add_staff(server.dir.path(), "rights.staff", "operator", Some("mobility"));
    let op = Client::staff(&server, "rights.staff", &pw).await;
    let body = DeleteAccount { reports: ReportsOnDeletion::Anonymise };
    let r = op.request(reqwest::Method::DELETE, "/me").json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let anon = Client::anonymous(&server).request(reqwest::Method::DELETE, "/me").json(&body).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    // Anonymise keeps a report still worked public and worked.
    let me = Client::resident(&server, &phone(126)).await;
    let report = new_report("road_repair", vec![]);
    me.push(vec![create_op(report.clone())]).await;
    let r = me.request(reqwest::Method::DELETE, "/me").json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let stranger = Client::resident(&server, &phone(127)).await;
    let public: PublicReport = stranger.get(&format!("/reports/{}", report.id)).await.json().await.unwrap();
    assert_eq!(public.status, ReportStatus::Registered);
    assert_eq!(op.get(&format!("/operator/reports/{}", report.id)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn files_past_their_retention_are_deleted() {
    let server = TestServer::start_with(&["--personal-data-days", "0"]);
    let me = Client::resident(&server, &phone(128)).await;
    let photo = Uuid::now_v7();
    let report = new_report("road_repair", vec![DeclaredMedia { id: photo, kind: MediaKind::Photo }]);
    me.push(vec![create_op(report.clone())]).await;
    me.upload(photo, "photo", &jpeg(30_000, 9), 64 << 10).await;
    assert_eq!(me.get(&format!("/media/{photo}")).await.status(), StatusCode::OK);
    let pw = add_staff(server.dir.path(), "rights.retention", "operator", Some("mobility"));
    let op = Client::staff(&server, "rights.retention", &pw).await;
    let answer = AnswerRequest { text: "Готово".into(), media: vec![] };
    assert_eq!(op.post(&format!("/operator/reports/{}/answer", report.id), &answer).await.status(), StatusCode::OK);
    // The hourly upkeep runs at start: restart the server to run it now.
    let server = TestServer::start_in(server.stop(), &["--personal-data-days", "0"]);
    let me = Client { base: server.api(""), ..me };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while me.get(&format!("/media/{photo}")).await.status() != StatusCode::NOT_FOUND {
        assert!(std::time::Instant::now() < deadline, "the file is still served");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(server.stored_media().is_empty(), "and its bytes are gone: {:?}", server.stored_media());
    let mine = me.my_report(report.id).await;
    assert!(mine.media.is_empty() && mine.status == ReportStatus::Done, "the report stays, without the file");
}
