//! The administrators' console pages, driven through their HTML forms over HTTP (as a browser
//! without script would post them) against the real server: catalogue edits that reach phones and
//! routing at once, staff accounts, the holiday calendar moving deadlines, news, projects, and
//! comment moderation with residents' flags.

use crate::common::*;
use chrono::Datelike;
use qala_protocol::{
    Comment, Entity, EntityKind, FlagComment, NewComment, Op, OpBody, OpOutcome, Position, Project, Report,
};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use uuid::Uuid;

/// A console session over plain HTTP: the cookie, and the CSRF token read off a page.
struct Console {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Console {
    async fn sign_in(server: &TestServer, login: &str, password: &str) -> Console {
        // reqwest speaks TLS through rustls in this workspace; one crypto provider per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = http
            .post(server.url("/console/login"))
            .form(&[("login", login), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        let set = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
        assert!(!set.contains("Secure"), "plain HTTP on loopback: not Secure");
        let cookie = set.split(';').next().unwrap().to_string();
        // English pages for the assertions.
        Console { http, base: server.url(""), cookie: format!("{cookie}; qala_lang=en") }
    }

    async fn page(&self, path: &str) -> (StatusCode, String) {
        let r = self.http.get(format!("{}{path}", self.base)).header(COOKIE, &self.cookie).send().await.unwrap();
        let status = r.status();
        let csp = r.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_string());
        if !status.is_redirection() {
            assert!(csp.is_some_and(|c| c.contains("frame-ancestors 'none'")), "{path} may not be framed");
        }
        let html = r.text().await.unwrap();
        assert!(!html.contains('⟦'), "a text is missing on {path}");
        (status, html)
    }

    /// Posts a form from page `from` (whose CSRF token it carries) and returns the status and body.
    async fn post(&self, from: &str, action: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let (_, html) = self.page(from).await;
        let token = html.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
        let mut form: Vec<(&str, &str)> = vec![("csrf", token)];
        form.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}{action}", self.base))
            .header(COOKIE, &self.cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

fn entities_of(changes: &[qala_protocol::Change], kind: EntityKind) -> Vec<&qala_protocol::Change> {
    changes.iter().filter(|c| c.kind == kind).collect()
}

/// The local date of a deadline.
fn due_day(r: &Report) -> chrono::NaiveDate {
    r.deadline.with_timezone(&chrono::FixedOffset::east_opt(5 * 3600).unwrap()).date_naive()
}

async fn report_in(resident: &Client, category: &str) -> (Uuid, Option<Report>, OpOutcome) {
    let r = new_report(category, vec![]);
    let id = r.id;
    let out = resident.push(vec![create_op(r)]).await.results.remove(0).outcome;
    let report = if out == OpOutcome::Applied { Some(resident.my_report(id).await) } else { None };
    (id, report, out)
}

#[tokio::test]
async fn catalogue_staff_and_calendar_edits_take_effect_at_once() {
    let server = TestServer::start();
    let admin_pw = add_staff(server.dir.path(), "chief", "admin", None);
    let op_pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    // A wrong password gets the login page again, with the reason, and no cookie.
    let wrong = http()
        .post(server.url("/console/login"))
        .header("accept-language", "en")
        .form(&[("login", "chief"), ("password", "not-the-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    assert!(wrong.text().await.unwrap().contains("Wrong login or password."));
    let admin = Console::sign_in(&server, "chief", &admin_pw).await;
    let resident = Client::resident(&server, &phone(8101)).await;
    let (_, cursor) = resident.pull_all("", 1000).await;

    // Operators are kept out of the administrator's pages and forms.
    let roads = Console::sign_in(&server, "roads", &op_pw).await;
    let (status, _) = roads.page("/console/admin/catalog").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = roads.post("/console", "/console/admin/agencies", &[("code", "evil"), ("name_en", "Evil")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A new agency and a category routed to it, with a 1-working-day deadline.
    let (status, body) = admin
        .post(
            "/console/admin/catalog",
            "/console/admin/agencies",
            &[("code", "parks"), ("name_kk", "Саябақтар"), ("name_ru", "Парки"), ("name_en", "Parks")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let bench = [
        ("code", "park_benches"),
        ("name_kk", "Орындықтар"),
        ("name_ru", "Скамейки"),
        ("name_en", "Benches"),
        ("agency", "parks"),
        ("deadline_days", "1"),
        ("icon", "bench"),
        ("active", "1"),
    ];
    let (status, body) = admin.post("/console/admin/catalog", "/console/admin/categories", &bench).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // Bad input gets a clear error and changes nothing.
    let mut bad = bench;
    bad[5] = ("deadline_days", "0");
    let (status, body) = admin.post("/console/admin/catalog", "/console/admin/categories", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("1 to 60 working days"), "{body}");
    let mut bad = bench;
    bad[4] = ("agency", "nobody");
    let (status, body) = admin.post("/console/admin/catalog", "/console/admin/categories", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Phones pull the new catalogue entries...
    let (changes, _) = resident.pull_all(&cursor, 1000).await;
    assert!(entities_of(&changes, EntityKind::Agency).iter().any(|c| c.id == "parks"));
    let cat = entities_of(&changes, EntityKind::Category);
    let Some(Entity::Category(c)) = cat.iter().find(|c| c.id == "park_benches").and_then(|c| c.entity.clone()) else {
        panic!("the category reaches phones: {changes:?}");
    };
    assert_eq!((c.deadline_days, c.agency.as_str(), c.name.kk.as_str()), (1, "parks", "Орындықтар"));
    // ...and reports in it are routed at once, with its deadline.
    let (_, first, out) = report_in(&resident, "park_benches").await;
    assert_eq!(out, OpOutcome::Applied);
    let first = first.unwrap();
    assert_eq!(first.agency, "parks");

    // A holiday on that deadline day pushes the next report's deadline to the next working day;
    // removing it brings the old deadline back. Deadlines already set stay.
    let day = due_day(&first);
    let date = day.format("%Y-%m-%d").to_string();
    let (status, body) = admin
        .post("/console/admin/holidays", "/console/admin/holidays", &[("date", &date), ("name", "Test holiday")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, html) = admin.page("/console/admin/holidays").await;
    if day.year() >= chrono::Utc::now().year() {
        assert!(html.contains("Test holiday"));
    }
    let (_, second, _) = report_in(&resident, "park_benches").await;
    assert!(due_day(&second.unwrap()) > day, "the holiday is not a working day");
    assert_eq!(due_day(&resident.my_report(first.id).await), day, "a deadline already set stays");
    let (status, _) =
        admin.post("/console/admin/holidays", &format!("/console/admin/holidays/{date}/delete"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, third, _) = report_in(&resident, "park_benches").await;
    assert_eq!(due_day(&third.unwrap()), day);

    // An operator account for the new agency, with a password shown once, sees those reports.
    let (status, html) = admin
        .post(
            "/console/admin/staff",
            "/console/admin/staff",
            &[("login", "Parks.Op"), ("display_name", "Айгерим"), ("role", "operator"), ("agency", "parks")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let password = html.split("<code id=\"password\">").nth(1).and_then(|r| r.split('<').next()).expect("password");
    let parks = Console::sign_in(&server, "parks.op", password).await;
    let (_, queue) = parks.page("/console").await;
    assert!(queue.contains(&first.registration_number), "the new agency's operator sees its reports");
    let (status, body) = admin
        .post(
            "/console/admin/staff",
            "/console/admin/staff",
            &[("login", "x"), ("display_name", "X"), ("role", "operator"), ("agency", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A forgotten password: a new one is shown once, the old one and its sessions stop working.
    let (_, staff_page) = admin.page("/console/admin/staff").await;
    let parks_id = staff_page
        .split("data-login=\"parks.op\"")
        .nth(1)
        .and_then(|row| row.split("/console/admin/staff/").nth(1))
        .and_then(|rest| rest.split('/').next())
        .expect("the parks operator's row")
        .to_string();
    let (status, html) =
        admin.post("/console/admin/staff", &format!("/console/admin/staff/{parks_id}/password"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let fresh = html.split("<code id=\"password\">").nth(1).and_then(|r| r.split('<').next()).unwrap().to_string();
    assert_ne!(fresh, password);
    let (status, _) = parks.page("/console").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the old session ended");
    let old = reqwest::Client::new()
        .post(server.url("/console/login"))
        .form(&[("login", "parks.op"), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let parks = Console::sign_in(&server, "parks.op", &fresh).await;
    // Someone leaves: the account is disabled and cannot sign in with any password.
    let (status, _) =
        admin.post("/console/admin/staff", &format!("/console/admin/staff/{parks_id}/disable"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = parks.page("/console").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let gone = reqwest::Client::new()
        .post(server.url("/console/login"))
        .form(&[("login", "parks.op"), ("password", fresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    let (_, staff_page) = admin.page("/console/admin/staff").await;
    assert!(staff_page.contains("Disabled"));

    // Routing to the new agency from the roads queue, through the API too.
    let (id, pothole, _) = report_in(&resident, "road_repair").await;
    assert_eq!(pothole.unwrap().agency, "mobility");
    let (status, _) = roads
        .post(
            &format!("/console/reports/{id}"),
            &format!("/console/reports/{id}/route"),
            &[("agency", "parks"), ("note", "it is in the park")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let routed = resident.my_report(id).await;
    assert_eq!(routed.agency, "parks");
    assert_eq!(routed.history.last().unwrap().note.as_deref(), Some("it is in the park"));
    let (status, _) = roads.page(&format!("/console/reports/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the roads agency let it go");

    // A category switched off takes no more reports.
    let mut off = bench;
    off[7] = ("active", "");
    let (status, _) = admin.post("/console/admin/catalog", "/console/admin/categories", &off).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, out) = report_in(&resident, "park_benches").await;
    assert!(matches!(out, OpOutcome::Rejected { ref code, .. } if code == "inactive_category"), "{out:?}");
}

#[tokio::test]
async fn news_projects_and_moderation_with_residents_flags() {
    let server = TestServer::start();
    let admin_pw = add_staff(server.dir.path(), "chief", "admin", None);
    let admin = Console::sign_in(&server, "chief", &admin_pw).await;
    let reader = Client::resident(&server, &phone(8201)).await;

    // News: published at once, then unpublished (a tombstone for phones).
    let (status, body) = admin
        .post(
            "/console/admin/news",
            "/console/admin/news",
            &[
                ("title_ru", "Ремонт дорог"),
                ("title_en", "Road works"),
                ("body_ru", "Начался ремонт."),
                ("body_en", "Works have begun."),
                ("published", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (changes, cursor) = reader.pull_all("", 1000).await;
    let news: Vec<_> = entities_of(&changes, EntityKind::News).into_iter().filter(|c| c.entity.is_some()).collect();
    let news_id = news.iter().find_map(|c| match &c.entity {
        Some(Entity::News(n)) if n.title.en == "Road works" => Some(n.id),
        _ => None,
    });
    let news_id = news_id.expect("the news reaches phones");
    // A typo fixed after publication: phones pull the new text.
    let (status, html) = admin.page(&format!("/console/admin/news/{news_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"Road works\""), "the form is filled in");
    let (status, _) = admin
        .post(
            "/console/admin/news",
            &format!("/console/admin/news/{news_id}"),
            &[
                ("title_ru", "Ремонт дорог на Абая"),
                ("title_en", "Road works on Abai"),
                ("body_ru", "Начался ремонт."),
                ("body_en", "Works have begun."),
                ("published", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (changes, cursor) = reader.pull_all(&cursor, 1000).await;
    assert!(changes.iter().any(|c| matches!(&c.entity, Some(Entity::News(n)) if n.title.en == "Road works on Abai")));
    let (status, _) = admin
        .post("/console/admin/news", &format!("/console/admin/news/{news_id}/publish"), &[("published", "")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (changes, cursor) = reader.pull_all(&cursor, 1000).await;
    assert!(changes.iter().any(|c| c.kind == EntityKind::News && c.id == news_id.to_string() && c.entity.is_none()));

    // A project open for discussion, with stages typed one per line.
    let (status, body) = admin
        .post(
            "/console/admin/projects",
            "/console/admin/projects",
            &[
                ("title_ru", "Велодорожка на Абая"),
                ("title_en", "Abai bike lane"),
                ("description_ru", "Обсуждаем маршрут."),
                ("status", "discussion"),
                ("stages", "+Жоба | Проект | Design\nҚұрылыс | Стройка | Building"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (changes, cursor) = reader.pull_all(&cursor, 1000).await;
    let project: Project = changes
        .iter()
        .find_map(|c| match &c.entity {
            Some(Entity::Project(p)) if p.title.en == "Abai bike lane" => Some(p.clone()),
            _ => None,
        })
        .expect("the project reaches phones");
    assert_eq!(project.stages.len(), 2);
    assert!(project.stages[0].done && !project.stages[1].done);

    // A resident comments; three others flag it and it is hidden until a moderator looks.
    let author = Client::resident(&server, &phone(8202)).await;
    let comment_id = Uuid::now_v7();
    let c = NewComment {
        id: comment_id,
        project_id: project.id,
        parent_id: None,
        body: "Spam spam spam".into(),
        position: Position::Neutral,
        created_at: chrono::Utc::now(),
    };
    let out = author.push(vec![Op { id: Uuid::now_v7(), op: OpBody::Comment(c) }]).await;
    assert_eq!(out.results[0].outcome, OpOutcome::Applied);
    let flag = |reason: &str| Op {
        id: Uuid::now_v7(),
        op: OpBody::FlagComment(FlagComment { comment_id, reason: Some(reason.into()) }),
    };
    let own = author.push(vec![flag("mine")]).await;
    assert!(matches!(&own.results[0].outcome, OpOutcome::Rejected { code, .. } if code == "own_comment"));
    let mut flaggers = Vec::new();
    for n in 0..4 {
        flaggers.push(Client::resident(&server, &phone(8300 + n)).await);
    }
    let first = flaggers[0].push(vec![flag("spam")]).await;
    assert_eq!(first.results[0].outcome, OpOutcome::Applied);
    let again = flaggers[0].push(vec![flag("spam again")]).await;
    assert_eq!(again.results[0].outcome, OpOutcome::Duplicate, "one resident counts once");
    flaggers[1].push(vec![flag("spam")]).await;
    let visible = |changes: &[qala_protocol::Change]| {
        changes
            .iter()
            .rfind(|c| c.kind == EntityKind::Comment && c.id == comment_id.to_string())
            .map(|c| matches!(c.entity, Some(Entity::Comment(Comment { .. }))))
    };
    let (changes, _) = reader.pull_all("", 1000).await;
    assert_eq!(visible(&changes), Some(true), "two flags do not hide it");
    flaggers[2].push(vec![flag("spam")]).await;
    let (changes, _) = reader.pull_all(&cursor, 1000).await;
    assert_eq!(visible(&changes), Some(false), "the third flag hides it");
    let (_, page) = admin.page("/console/admin/comments").await;
    assert!(page.contains("Waiting for a moderator") && page.contains("Spam spam spam"), "{page}");

    // The moderator finds nothing wrong and restores it; flags no longer hide it.
    let (status, _) =
        admin.post("/console/admin/comments", &format!("/console/admin/comments/{comment_id}/restore"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    flaggers[3].push(vec![flag("spam")]).await;
    let (changes, cursor) = reader.pull_all("", 1000).await;
    assert_eq!(visible(&changes), Some(true), "restored, and a reviewed comment stays");
    // Then hides it with a reason after all.
    let (status, body) = admin
        .post("/console/admin/comments", &format!("/console/admin/comments/{comment_id}/hide"), &[("reason", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required: {body}");
    let (status, _) = admin
        .post(
            "/console/admin/comments",
            &format!("/console/admin/comments/{comment_id}/hide"),
            &[("reason", "advertising")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (changes, _) = reader.pull_all(&cursor, 1000).await;
    assert_eq!(visible(&changes), Some(false));
    let (_, page) = admin.page("/console/admin/comments").await;
    assert!(page.contains("advertising"));

    // A stage is done and the project moves on; phones pull the change.
    let (status, _) = admin
        .post(
            "/console/admin/projects",
            &format!("/console/admin/projects/{}", project.id),
            &[("status", "in_progress"), ("stages", "+Жоба | Проект | Design\n+Құрылыс | Стройка | Building")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (changes, cursor) = reader.pull_all("", 1000).await;
    let latest = changes.iter().rev().find_map(|c| match &c.entity {
        Some(Entity::Project(p)) if p.id == project.id => Some(p.clone()),
        _ => None,
    });
    let latest = latest.unwrap();
    assert_eq!(latest.status, qala_protocol::ProjectStatus::InProgress);
    assert!(latest.stages.iter().all(|s| s.done));

    // Taken down: phones pull a tombstone.
    let (status, _) =
        admin.post("/console/admin/projects", &format!("/console/admin/projects/{}/delete", project.id), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (changes, _) = reader.pull_all(&cursor, 1000).await;
    let last = changes.iter().rev().find(|c| c.kind == EntityKind::Project && c.id == project.id.to_string());
    assert!(last.is_some_and(|c| c.entity.is_none()), "the project's last change is its tombstone");
    // A new phone's first pull does not carry it at all (a snapshot has no deletions).
    let (fresh, _) = reader.pull_all("", 1000).await;
    assert!(!fresh.iter().any(|c| c.kind == EntityKind::Project && c.id == project.id.to_string()));
}

#[tokio::test]
async fn a_page_number_out_of_range_keeps_the_filters_and_leads_back() {
    let server = TestServer::start();
    let pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let resident = Client::resident(&server, &phone(8401)).await;
    let (_, report, outcome) = report_in(&resident, "sidewalks").await;
    assert_eq!(outcome, OpOutcome::Applied);
    let number = report.unwrap().registration_number;
    let roads = Console::sign_in(&server, "roads", &pw).await;

    let (status, html) = roads.page("/console?page=0").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&number));
    // u64::MAX: no overflow, no error page, and the other filters are not thrown away with it.
    let (status, html) = roads.page("/console?page=18446744073709551615&status=registered").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"value="registered" selected"#), "the status filter is kept");
    assert!(html.contains("No reports match this filter."));
    assert!(html.contains(r#"href="/console?page=0&amp;status=registered""#), "a way back to the last page");
    // u32::MAX: the same.
    let (status, html) = roads.page("/console?page=4294967295").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(r#"href="/console?page=0""#), "a way back to the last page");
    for odd in ["-1", "1e9", "99999999999999999999999999", "%00"] {
        let (status, _) = roads.page(&format!("/console?page={odd}")).await;
        assert_eq!(status, StatusCode::OK, "page={odd}");
    }
}

/// The console's answer form as a browser posts it: CSRF token first, the text, then the photos.
fn answer_multipart(csrf: &str, text: &str, photos: &[&[u8]]) -> (String, Vec<u8>) {
    const B: &str = "qala-answer-boundary-81d3";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("text", text)] {
        body.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (i, photo) in photos.iter().enumerate() {
        body.extend_from_slice(
            format!(
                "--{B}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"after{i}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(photo);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={B}"), body)
}

#[tokio::test]
async fn a_refused_answer_leaves_no_stored_file_behind() {
    let server = TestServer::start();
    let pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let resident = Client::resident(&server, &phone(8402)).await;
    let (id, _, outcome) = report_in(&resident, "sidewalks").await;
    assert_eq!(outcome, OpOutcome::Applied);
    let roads = Console::sign_in(&server, "roads", &pw).await;
    assert!(server.stored_media().is_empty());

    let answer = |photos: Vec<Vec<u8>>| {
        let roads = &roads;
        async move {
            let path = format!("/console/reports/{id}");
            let (_, html) = roads.page(&path).await;
            let csrf = html.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
            let photos: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
            let (content_type, body) = answer_multipart(csrf, "Отремонтировано", &photos);
            let r = roads
                .http
                .post(format!("{}{path}/answer", roads.base))
                .header(COOKIE, &roads.cookie)
                .header("Content-Type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    // A good photo, then a file that is no photo at all: the first was stored before the second
    // was refused, and must not stay behind.
    let (status, body) = answer(vec![jpeg(30_000, 1), b"this is not a picture".to_vec()]).await;
    assert!(status.is_client_error(), "{status}: {body}");
    assert_eq!(server.stored_media(), Vec::<String>::new(), "no orphaned file");
    assert_eq!(resident.my_report(id).await.status, qala_protocol::ReportStatus::Registered);

    // The same answer with good photos goes through and keeps its files.
    let (status, body) = answer(vec![jpeg(30_000, 1), jpeg(20_000, 2)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(server.stored_media().len(), 2);
    let r = resident.my_report(id).await;
    assert_eq!(r.status, qala_protocol::ReportStatus::Done);
    assert_eq!(r.answer.unwrap().media.len(), 2);
}
