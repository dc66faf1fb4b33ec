//! The resident's whole loop against the real server: sign in, upload two photos, push a report,
//! pull its number and deadline, get an answer with a photo report, rate it 2 → reopened.

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;
use uuid::Uuid;

#[tokio::test]
async fn report_answer_rate_reopen() {
    let server = TestServer::start();
    let password = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let resident = Client::resident(&server, &phone(1)).await;

    // Two photos, uploaded by tus in uneven chunks, declared by the report.
    let photos = [jpeg(180_000, 1), jpeg(95_000, 2)];
    let ids = [Uuid::now_v7(), Uuid::now_v7()];
    for (id, data) in ids.iter().zip(&photos) {
        resident.upload(*id, "photo", data, 64 * 1024 + 7).await;
    }
    let report =
        new_report("road_repair", ids.iter().map(|id| DeclaredMedia { id: *id, kind: MediaKind::Photo }).collect());
    let res = resident.push(vec![create_op(report.clone())]).await;
    assert_eq!(res.results[0].outcome, OpOutcome::Applied);

    // Pull: registration number, deadline, status, both photos received with their checksums.
    let mine = resident.my_report(report.id).await;
    let year = qala_server::domain::reports::registration_year(chrono::Utc::now());
    assert_eq!(mine.registration_number, format!("ALA-{year}-000001"));
    assert_eq!(mine.status, ReportStatus::Registered);
    assert_eq!(mine.agency, "mobility");
    assert!(mine.deadline > mine.registered_at + chrono::Duration::days(10), "10 working days are more than 10 days");
    assert_eq!(
        mine.history.iter().map(|h| h.status).collect::<Vec<_>>(),
        [ReportStatus::Submitted, ReportStatus::Registered]
    );
    for (m, data) in mine.media.iter().zip(&photos) {
        assert_eq!(m.state, MediaState::Received);
        assert_eq!(m.sha256.as_deref(), Some(sha_hex(data).as_str()));
    }
    let got = resident.get(&format!("/media/{}", ids[0])).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), photos[0].as_slice());

    // The operator sees it, assigns, starts, answers with a photo report.
    let op = Client::staff(&server, "roads", &password).await;
    let list: ReportList = op.get("/operator/reports").await.json().await.unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.items[0].id, report.id);
    let r = op
        .post(
            &format!("/operator/reports/{}/assign", report.id),
            &AssignRequest { executor: "Бригада №3".into(), note: None },
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = op.post(&format!("/operator/reports/{}/start", report.id), &NoteRequest::default()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let after = Uuid::now_v7();
    let after_photo = jpeg(120_000, 3);
    op.upload(after, "photo", &after_photo, 1 << 20).await;
    let r = op
        .post(
            &format!("/operator/reports/{}/answer", report.id),
            &AnswerRequest { text: "Яма заделана".into(), media: vec![after] },
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // The resident pulls the answer and can open its photo; rates 2 → reopened with a new deadline.
    let mine = resident.my_report(report.id).await;
    assert_eq!(mine.status, ReportStatus::Done);
    let answer = mine.answer.clone().expect("answer");
    assert_eq!(answer.text, "Яма заделана");
    assert_eq!(answer.media[0].state, MediaState::Received);
    let got = resident.get(&format!("/media/{after}")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), after_photo.as_slice());

    let rate = Op {
        id: Uuid::now_v7(),
        op: OpBody::Rate(NewRating { report_id: report.id, stars: 2, comment: Some("Яма осталась".into()) }),
    };
    assert_eq!(resident.push(vec![rate]).await.results[0].outcome, OpOutcome::Applied);
    let mine = resident.my_report(report.id).await;
    assert_eq!(mine.status, ReportStatus::Reopened);
    assert_eq!(mine.complaints.len(), 1);
    let statuses: Vec<_> = mine.history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [
            ReportStatus::Submitted,
            ReportStatus::Registered,
            ReportStatus::Assigned,
            ReportStatus::InProgress,
            ReportStatus::Done,
            ReportStatus::Reopened
        ]
    );
    // The operator sees the reopened report again.
    let list: ReportList = op.get("/operator/reports?status=reopened").await.json().await.unwrap();
    assert_eq!(list.total, 1);
}

#[tokio::test]
async fn a_report_sent_before_its_photos_fills_in_as_they_arrive() {
    let server = TestServer::start();
    let resident = Client::resident(&server, &phone(2)).await;
    let id = Uuid::now_v7();
    let report = new_report("illegal_dump", vec![DeclaredMedia { id, kind: MediaKind::Photo }]);
    resident.push(vec![create_op(report.clone())]).await;
    assert_eq!(resident.my_report(report.id).await.media[0].state, MediaState::Pending);
    resident.upload(id, "photo", &jpeg(50_000, 9), 65_536).await;
    let mine = resident.my_report(report.id).await;
    assert_eq!(mine.media[0].state, MediaState::Received);
    assert_eq!(mine.agency, "green_economy");
}

#[tokio::test]
async fn demo_mode_seeds_news_projects_comments_and_prints_passwords_once() {
    let server = TestServer::start_with(&["--demo"]);
    let resident = Client::resident(&server, &phone(3)).await;
    let (changes, _) = resident.pull_all("", 50).await;
    let count = |k: EntityKind| changes.iter().filter(|c| c.kind == k).count();
    assert_eq!(count(EntityKind::Category), 21);
    assert_eq!(count(EntityKind::News), 3);
    assert_eq!(count(EntityKind::Project), 2);
    assert_eq!(count(EntityKind::Comment), 3);
    // Comments carry pseudonyms, never phone numbers.
    for c in &changes {
        if let Some(Entity::Comment(c)) = &c.entity {
            assert!(c.author.starts_with("Qala-") && !c.author.contains("+7"));
        }
    }
    // A restart does not seed again.
    let dir = server.stop();
    let again = TestServer::start_in(dir, &["--demo"]);
    let resident = Client::resident(&again, &phone(4)).await;
    let (changes, _) = resident.pull_all("", 1000).await;
    assert_eq!(changes.iter().filter(|c| c.kind == EntityKind::News).count(), 3);
}

#[tokio::test]
async fn comments_queue_like_reports_and_moderation_hides_them() {
    let server = TestServer::start_with(&["--demo"]);
    let admin_pw = add_staff(server.dir.path(), "chief", "admin", None);
    let admin = Client::staff(&server, "chief", &admin_pw).await;
    let resident = Client::resident(&server, &phone(5)).await;
    let (changes, cursor) = resident.pull_all("", 1000).await;
    let project = changes
        .iter()
        .find_map(|c| match &c.entity {
            Some(Entity::Project(p)) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    let comment = NewComment {
        id: Uuid::now_v7(),
        project_id: project.id,
        parent_id: None,
        body: "Поддерживаю".into(),
        position: Position::For,
        created_at: chrono::Utc::now(),
    };
    let op = Op { id: Uuid::now_v7(), op: OpBody::Comment(comment.clone()) };
    assert_eq!(resident.push(vec![op.clone()]).await.results[0].outcome, OpOutcome::Applied);
    assert_eq!(resident.push(vec![op]).await.results[0].outcome, OpOutcome::Duplicate);
    let reply = NewComment { id: Uuid::now_v7(), parent_id: Some(Uuid::now_v7()), ..comment.clone() };
    let res = resident.push(vec![Op { id: Uuid::now_v7(), op: OpBody::Comment(reply) }]).await;
    assert!(matches!(&res.results[0].outcome, OpOutcome::Rejected { code, .. } if code == "unknown_parent"));

    let r = admin
        .post(&format!("/admin/comments/{}/hide", comment.id), &HideCommentRequest { reason: "spam".into() })
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (changes, _) = resident.pull_all(&cursor, 1000).await;
    let last = changes.iter().rev().find(|c| c.id == comment.id.to_string()).unwrap();
    assert!(last.entity.is_none(), "hidden comment arrives as a tombstone");
}

#[tokio::test]
async fn admin_news_crud_reaches_the_public_log() {
    let server = TestServer::start();
    let pw = add_staff(server.dir.path(), "chief", "admin", None);
    let admin = Client::staff(&server, "chief", &pw).await;
    let resident = Client::resident(&server, &phone(6)).await;
    let (_, cursor) = resident.pull_all("", 1000).await;
    let input = NewsInput {
        title: LocalizedText::new("Жаңалық", "Новость", "News"),
        body: LocalizedText::new("", "Текст", ""),
        published: false,
    };
    let r = admin.post("/admin/news", &input).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let Created { id } = r.json().await.unwrap();
    assert!(resident.pull_all(&cursor, 100).await.0.is_empty(), "unpublished news is not public");
    let r = admin
        .request(reqwest::Method::PUT, &format!("/admin/news/{id}"))
        .json(&NewsInput { published: true, ..input.clone() })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (changes, cursor) = resident.pull_all(&cursor, 100).await;
    assert!(matches!(&changes[..], [Change { entity: Some(Entity::News(n)), .. }] if n.id == id));
    let r = admin.request(reqwest::Method::DELETE, &format!("/admin/news/{id}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (changes, _) = resident.pull_all(&cursor, 100).await;
    assert!(matches!(&changes[..], [Change { entity: None, kind: EntityKind::News, .. }]));
    // Residents cannot use the admin API.
    let r = resident.post("/admin/news", &input).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
