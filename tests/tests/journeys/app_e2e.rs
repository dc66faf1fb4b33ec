//! End-to-end in the real app: the desktop build (UI embedded) under Xvfb, driven through
//! tauri-driver + WebKitWebDriver, against the real qala-server binary on loopback. Screenshots of
//! every screen go to `artifacts/screenshots/`.
//!
//! Journey 1: sign in with the code from the server's log → the server stops → a report with a
//! photo is made offline and shows as waiting → the server comes back → it syncs and gets its
//! number → an operator answers with a photo report → the app shows it → rated 2 → reopened.
//! Journey 2: read a news item, comment on a project offline, see the comment reach the server.
//! Journey 3, the phone's habits on a 360 × 640 window: back goes back one screen, a screen opens
//! from its link, tapping a notification opens its report, and every screen stays usable at 200 %
//! text size.
//! Journey 4: a resident's rights from the app's buttons — download my data, take my name off a
//! report, delete my account.
//! Journey 5, the city on a 360 × 640 window: the districts followed, the City tab, a public
//! report, a report found by its number; shot in Kazakh and Russian.

use std::time::Duration;

use qala_journeys::desktop::{self, App, Display, Driver};
use qala_journeys::notify_bus;
use qala_journeys::server::{Client, TestServer, add_staff, create_op, new_report};
use qala_protocol::*;
use tokio::sync::Mutex;
use uuid::Uuid;

/// One app on the display at a time: two WebKit processes on two cores only make both flaky.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

const PHONE: &str = "+77011234567";
const LONG: Duration = Duration::from_secs(60);

async fn sign_in(app: &mut App, server: &TestServer) {
    app.tap("#sync-bar").await;
    app.type_into("#phone", "8 701 123 45 67").await;
    app.shot("02-sign-in").await;
    app.tap("#send-code").await;
    app.find("#code").await;
    let code = server.last_code(PHONE);
    app.type_into("#code", &code).await;
    app.tap("#verify").await;
    app.find("#new-report").await;
}

async fn english(app: &mut App) {
    app.tap("#tab-settings").await;
    app.tap("#lang-en").await;
    app.wait_text("#tab-settings", Duration::from_secs(10), |t| t.contains("Settings")).await;
    app.tap("#tab-home").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_offline_sync_answer_rate_reopen() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start();
    let addr = server.addr();
    let operator_pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let phone_dir = tempfile::tempdir().unwrap();
    let display = Display::start();
    let base = server.base.clone();
    let data = phone_dir.path().to_str().unwrap().to_string();
    let driver = Driver::start(&display, 4544, &[("QALA_SERVER", &base), ("QALA_DATA_DIR", &data)]);
    let mut app = App::new(driver.session().await, "j1");

    // First screen, signed out, in the system's language; then English for the assertions.
    app.find("#new-report").await;
    app.shot("01-home-first-start").await;
    english(&mut app).await;
    sign_in(&mut app, &server).await;
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;
    app.shot("03-home-signed-in").await;

    // The server goes away; the resident reports anyway.
    let server_dir = server.stop();
    let photo = phone_dir.path().join("pothole.jpg");
    desktop::photo(&photo, 7);
    // A file that is not a photo gets a clear error on the draft, and nothing else is lost.
    app.tap("#new-report").await;
    let fake = phone_dir.path().join("not-a-photo.jpg");
    std::fs::write(&fake, "this is text pretending to be a photo").unwrap();
    app.find("#media-input").await.send_keys(fake.to_str().unwrap()).await.expect("choose the fake photo");
    app.wait_text("#draft-error", LONG, |t| !t.is_empty()).await;
    app.shot("04a-not-a-photo").await;
    assert_eq!(app.c.find_all(fantoccini::Locator::Css(".thumb")).await.unwrap().len(), 0);
    app.tap("#tab-home").await;

    app.taps = 0;
    app.tap("#new-report").await;
    app.find("#media-input").await.send_keys(photo.to_str().unwrap()).await.expect("choose the photo");
    app.taps += 1; // choosing a file in the picker
    app.find_within(".thumb img", LONG).await;
    app.taps += 1; // the district
    app.find("#area").await.select_by_value("almaly").await.expect("choose the district");
    app.type_into("#address", "пр. Абая, 10, у остановки").await;
    app.tap("#cat-road_repair").await;
    app.type_into("#description", "Глубокая яма на проезжей части").await;
    app.wait_text("#preview", Duration::from_secs(10), |t| t.contains("Abaya") || t.contains("Абая")).await;
    app.shot("04-new-report").await;
    app.tap("#send").await;
    let taps = app.taps;
    assert!(taps <= 5, "a report took {taps} taps from Home");
    println!("taps from Home to a queued report: {taps} (plus typing the address)");
    app.wait_text("#report-status", Duration::from_secs(10), |t| t == "Waiting to be sent").await;
    app.shot("05-report-queued").await;
    app.tap("#tab-home").await;
    app.wait_text("#sync-bar", LONG, |t| t.contains("waiting") || t.contains("will be sent")).await;
    app.shot("06-home-offline-waiting").await;

    // The server is back on the same address: the report syncs and gets its number.
    let server = TestServer::start_at(server_dir, &addr, &[]);
    app.tap("#sync-bar").await;
    let number = app.wait_text("#my-reports .number", LONG, |t| t.starts_with("ALA-")).await;
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;
    app.shot("07-home-synced").await;

    // An operator answers with a photo report, through the server's API.
    let op = Client::staff(&server, "roads", &operator_pw).await;
    let list: ReportList = op.get("/operator/reports").await.json().await.unwrap();
    let report = list.items.iter().find(|r| r.registration_number == number).expect("the operator sees it").clone();
    assert_eq!(report.media.len(), 1, "the photo arrived");
    let after = Uuid::now_v7();
    let after_path = phone_dir.path().join("after.jpg");
    desktop::photo(&after_path, 90);
    op.upload(after, "photo", &std::fs::read(&after_path).unwrap(), 1 << 20).await;
    let r = op
        .post(
            &format!("/operator/reports/{}/answer", report.id),
            &AnswerRequest { text: "Яма заделана 21 ноября".into(), media: vec![after] },
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    app.tap("#sync-bar").await;
    app.wait_text("#my-reports .chip", LONG, |t| t == "Answered").await;
    app.tap("#my-reports .report-row").await;
    app.wait_text("#answer-text", LONG, |t| t.contains("Яма заделана")).await;
    // Both photos show: mine from the phone, the agency's fetched through the qala: scheme.
    let both =
        "return [...document.querySelectorAll('#answer img')].filter(i => i.complete && i.naturalWidth > 0).length";
    let t0 = std::time::Instant::now();
    loop {
        let shown = app.c.execute(both, vec![]).await.unwrap().as_u64().unwrap_or(0);
        if shown == 2 {
            break;
        }
        assert!(t0.elapsed() < LONG, "the answer shows {shown} of 2 photos (mine and the photo report)");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.shot("08-answer").await;

    // Rated 2: reopened at once on the phone, and on the server after the sync.
    app.tap("#star-2").await;
    app.type_into("#rate-comment", "Яму засыпали песком, асфальта нет").await;
    app.shot("09-rating").await;
    app.tap("#rate-send").await;
    app.wait_text("#report-status", Duration::from_secs(10), |t| t == "Reopened").await;
    app.tap("#sync-bar").await;
    let t0 = std::time::Instant::now();
    loop {
        let one: serde_json::Value = op.get(&format!("/operator/reports/{}", report.id)).await.json().await.unwrap();
        if one["status"] == "reopened" {
            break;
        }
        assert!(t0.elapsed() < LONG, "the server never reopened it: {one}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;
    assert_eq!(app.text("#report-status").await, "Reopened");
    app.shot("10-reopened").await;

    // The same screen in Kazakh and Russian.
    app.tap("#tab-settings").await;
    app.tap("#lang-kk").await;
    app.wait_text("#tab-settings", Duration::from_secs(10), |t| t.contains("Баптаулар")).await;
    app.tap("#tab-home").await;
    app.shot("11-home-kk").await;
    app.tap("#tab-settings").await;
    app.tap("#lang-ru").await;
    app.wait_text("#tab-settings", Duration::from_secs(10), |t| t.contains("Настройки")).await;
    app.shot("12-settings-ru").await;

    app.c.close().await.ok();
    drop(driver);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn news_and_an_offline_comment() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start();
    let addr = server.addr();
    let admin_pw = add_staff(server.dir.path(), "admin", "admin", None);
    let admin = Client::staff(&server, "admin", &admin_pw).await;
    let news = NewsInput {
        title: LocalizedText::new("Жаңа саябақ ашылды", "Открылся новый парк", "A new park has opened"),
        body: LocalizedText::new(
            "Алатау ауданында жаңа саябақ ашылды.",
            "В Алатауском районе открылся новый парк.\n\nВход свободный.",
            "A new park has opened in Alatau district.\n\nEntry is free.",
        ),
        published: true,
    };
    let r = admin.post("/admin/news", &news).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let project = ProjectInput {
        title: LocalizedText::new(
            "Абай даңғылындағы веложол",
            "Велодорожка на проспекте Абая",
            "A cycle lane on Abay Avenue",
        ),
        description: LocalizedText::new("Жоба талқылануда.", "Проект обсуждается.", "The project is under discussion."),
        status: ProjectStatus::Discussion,
        stages: vec![ProjectStage { title: LocalizedText::new("Жоба", "Проект", "Design"), done: true }],
        discussion_until: None,
    };
    let r = admin.post("/admin/projects", &project).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    let phone_dir = tempfile::tempdir().unwrap();
    let display = Display::start();
    let base = server.base.clone();
    let data = phone_dir.path().to_str().unwrap().to_string();
    let driver = Driver::start(&display, 4554, &[("QALA_SERVER", &base), ("QALA_DATA_DIR", &data)]);
    let mut app = App::new(driver.session().await, "j2");
    app.find("#new-report").await;
    english(&mut app).await;
    sign_in(&mut app, &server).await;
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;

    // News, read from the phone's copy.
    app.tap("#tab-news").await;
    app.wait_text("#news-list", LONG, |t| t.contains("A new park has opened")).await;
    app.shot("01-news").await;
    app.tap("#news-list .news-row").await;
    app.wait_text("#article-title", Duration::from_secs(10), |t| t == "A new park has opened").await;
    app.shot("02-article").await;

    // Offline: the comment is written and queued.
    let server_dir = server.stop();
    app.tap("#tab-projects").await;
    app.tap("#project-list .project-row").await;
    app.find("#project-title").await;
    app.tap("#pos-position-for").await;
    app.type_into("#comment-body", "Нужна, но с защитой от машин").await;
    app.tap("#comment-send").await;
    app.wait_text("#comments", Duration::from_secs(10), |t| t.contains("Нужна, но с защитой от машин")).await;
    app.find(".comment .queued").await;
    app.shot("03-comment-queued").await;

    // Back online: it reaches the server and shows as sent.
    let server = TestServer::start_at(server_dir, &addr, &[]);
    app.tap("#sync-bar").await;
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;
    let t0 = std::time::Instant::now();
    while app.c.find(fantoccini::Locator::Css(".comment .queued")).await.is_ok() {
        assert!(t0.elapsed() < LONG, "the comment stayed queued");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let reader = Client::resident(&server, "+77017654321").await;
    let (changes, _) = reader.pull_all("", 500).await;
    let on_server = changes.iter().any(|c| matches!(&c.entity, Some(Entity::Comment(x)) if x.body == "Нужна, но с защитой от машин" && x.position == Position::For));
    assert!(on_server, "another resident sees the comment");
    app.shot("04-comment-sent").await;

    // Someone else's spam: one resident has flagged it already; this resident's flag is the
    // second (sent at once, as the phone is online), and a third hides it on every phone.
    let project_id = changes
        .iter()
        .find_map(|c| match &c.entity {
            Some(Entity::Project(p)) => Some(p.id),
            _ => None,
        })
        .unwrap();
    let spam_id = Uuid::now_v7();
    let spam = NewComment {
        id: spam_id,
        project_id,
        parent_id: None,
        body: "Дешёвые часы, пишите в личку".into(),
        position: Position::Neutral,
        created_at: chrono::Utc::now(),
    };
    reader.push(vec![Op { id: Uuid::now_v7(), op: OpBody::Comment(spam) }]).await;
    let flag = || Op {
        id: Uuid::now_v7(),
        op: OpBody::FlagComment(FlagComment { comment_id: spam_id, reason: Some("spam".into()) }),
    };
    Client::resident(&server, "+77017654400").await.push(vec![flag()]).await;
    app.tap("#sync-bar").await;
    app.wait_text("#comments", LONG, |t| t.contains("Дешёвые часы")).await;
    let flags = app.c.find_all(fantoccini::Locator::Css(".comment .flag")).await.unwrap();
    assert_eq!(flags.len(), 1, "only someone else's comment can be flagged, not my own");
    app.tap(&format!(".comment[data-id='{spam_id}'] .flag")).await;
    app.find(&format!(".comment[data-id='{spam_id}'] .flagged")).await;
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;
    app.shot("05-comment-flagged").await;
    Client::resident(&server, "+77017654401").await.push(vec![flag()]).await;
    app.tap("#sync-bar").await;
    app.wait_text("#comments", LONG, |t| !t.contains("Дешёвые часы")).await;

    app.c.close().await.ok();
    drop(driver);
}

/// The route the page's address shows.
async fn hash(app: &App) -> String {
    app.c.execute("return location.hash", vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

/// Waits until the address shows `want` (a tap's handler may run after the WebDriver click returns).
async fn wait_hash(app: &App, want: &str) {
    let t0 = std::time::Instant::now();
    loop {
        let now = hash(app).await;
        if now == want {
            return;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "the address shows {now:?}, not {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What sticks out past the window's right edge (something would need sideways scrolling): the
/// outermost such elements, described as `tag#id.class`; empty when the page fits.
async fn overflowing(app: &App) -> Vec<String> {
    let js = r#"
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width + 1) return [];
        const out = [];
        for (const e of document.querySelectorAll('body *')) {
            if (e.getBoundingClientRect().right > width + 1 && !out.some(o => o.contains(e))) out.push(e);
        }
        return out.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
            + ' (' + Math.round(e.getBoundingClientRect().width) + ' px)');"#;
    let v = app.c.execute(js, vec![]).await.unwrap();
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_stack_notification_tap_and_small_screens() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start();
    let operator_pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let bus = notify_bus::NotifyBus::start().await;
    let phone_dir = tempfile::tempdir().unwrap();
    let display = Display::start();
    let base = server.base.clone();
    let data = phone_dir.path().to_str().unwrap().to_string();
    let env = [("QALA_SERVER", base.as_str()), ("QALA_DATA_DIR", &data), ("DBUS_SESSION_BUS_ADDRESS", &bus.address)];
    let driver = Driver::start(&display, 4564, &env);
    let mut app = App::new(driver.session().await, "j3");
    app.c.set_window_size(360, 640).await.expect("a phone-sized window");
    app.find("#new-report").await;
    english(&mut app).await;
    sign_in(&mut app, &server).await;
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;

    // A report, sent online.
    app.tap("#new-report").await;
    wait_hash(&app, "#/new").await;
    let photo = phone_dir.path().join("bench.jpg");
    desktop::photo(&photo, 30);
    app.find("#media-input").await.send_keys(photo.to_str().unwrap()).await.expect("choose the photo");
    app.find_within(".thumb img", LONG).await;
    app.find("#area").await.select_by_value("bostandyk").await.expect("choose the district");
    app.type_into("#address", "ул. Тимирязева, 42").await;
    app.tap("#cat-road_repair").await;
    app.tap("#send").await;
    let number = app.wait_text("#report-number", LONG, |t| t.starts_with("ALA-")).await;
    let route = hash(&app).await;
    let id: Uuid = route.strip_prefix("#/report/").and_then(|s| s.parse().ok()).expect("the report's own address");

    // Back: the sent draft's screen was replaced, so back leads Home, not to an empty draft.
    app.c.back().await.unwrap();
    app.find("#new-report").await;
    wait_hash(&app, "#/").await;
    app.tap("#tab-settings").await;
    app.find("#server").await;
    app.c.back().await.unwrap();
    app.find("#new-report").await;
    app.tap("#my-reports .report-row").await;
    app.wait_text("#report-number", LONG, |t| t == number).await;
    app.c.back().await.unwrap();
    app.find("#new-report").await;
    // A link opens its screen.
    app.c.execute(&format!("location.hash = '#/report/{id}'"), vec![]).await.unwrap();
    app.wait_text("#report-number", LONG, |t| t == number).await;

    // The agency starts work. The app comes back to the foreground and syncs by itself (well
    // before its once-a-minute sync); the notification that brings opens the report when tapped,
    // from whatever screen the resident is on.
    app.tap("#tab-projects").await;
    let op = Client::staff(&server, "roads", &operator_pw).await;
    let r = op.post(&format!("/operator/reports/{id}/start"), &NoteRequest { note: None }).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    app.c.execute("document.dispatchEvent(new Event('visibilitychange'))", vec![]).await.unwrap();
    let shown = bus.wait_for(&number, Duration::from_secs(15)).await;
    assert!(shown.actions.iter().any(|a| a == "default"), "the notification can be clicked: {shown:?}");
    wait_hash(&app, "#/projects").await;
    bus.click(shown.id).await;
    app.wait_text("#report-status", LONG, |t| t == "In progress").await;
    wait_hash(&app, &format!("#/report/{id}")).await;
    app.c.back().await.unwrap();
    app.find(".projects").await;

    // Every screen at 360 × 640 with the text at 200 %: nothing runs off the side, in English and
    // in Kazakh and Russian (whose words run longer).
    app.c.execute("document.documentElement.style.fontSize = '200%'", vec![]).await.unwrap();
    for (lang, settings_word) in [("en", "Settings"), ("kk", "Баптаулар"), ("ru", "Настройки")] {
        app.c.execute("location.hash = '#/settings'", vec![]).await.unwrap();
        app.tap(&format!("#lang-{lang}")).await;
        app.wait_text("#tab-settings", Duration::from_secs(10), |t| t.contains(settings_word)).await;
        for (path, ready, name) in [
            ("/".to_string(), "#new-report", "01-home"),
            ("/new".to_string(), "#send", "02-new-report"),
            (format!("/report/{id}"), "#report-number", "03-report"),
            ("/news".to_string(), "h1", "04-news"),
            ("/projects".to_string(), "h1", "05-projects"),
            ("/settings".to_string(), "#server", "06-settings"),
            ("/sign-in".to_string(), "#phone", "07-sign-in"),
        ] {
            app.c.execute(&format!("location.hash = '#{path}'"), vec![]).await.unwrap();
            app.find(ready).await;
            app.shot(&format!("{name}-360x640-200pc-{lang}")).await;
            let wide = overflowing(&app).await;
            assert!(wide.is_empty(), "{path} ({lang}) runs off the side of a 360 px screen at 200 % text: {wide:?}");
        }
    }

    app.c.close().await.ok();
    drop(driver);
}

/// Journey 4, a resident's rights from the app's buttons: download my data, take my name off a
/// report, delete my account (withdrawing what is still worked); then what a second resident and
/// an anonymous Open311 caller see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_data_a_report_made_anonymous_and_the_account_deleted() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start();
    let operator_pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let phone_dir = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let display = Display::start();
    let base = server.base.clone();
    let data = phone_dir.path().to_str().unwrap().to_string();
    let export_dir = exports.path().to_str().unwrap().to_string();
    let env = [("QALA_SERVER", base.as_str()), ("QALA_DATA_DIR", &data), ("QALA_EXPORT_DIR", &export_dir)];
    let driver = Driver::start(&display, 4574, &env);
    let mut app = App::new(driver.session().await, "j4");
    app.find("#new-report").await;
    english(&mut app).await;
    sign_in(&mut app, &server).await;
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;

    // Three reports of mine (sent from another device of mine); one is answered and settles.
    let other_device = Client::resident(&server, PHONE).await;
    let (named, kept, worked) =
        (new_report("road_repair", vec![]), new_report("road_repair", vec![]), new_report("road_repair", vec![]));
    other_device.push(vec![create_op(named.clone()), create_op(kept.clone()), create_op(worked.clone())]).await;
    let operator = Client::staff(&server, "roads", &operator_pw).await;
    let answer = AnswerRequest { text: "Отремонтировано".into(), media: vec![] };
    assert!(operator.post(&format!("/operator/reports/{}/answer", kept.id), &answer).await.status().is_success());
    app.tap("#sync-bar").await;
    app.wait_text("#my-reports", LONG, |t| t.matches("ALA-").count() == 3).await;

    // Download my data: one file, with both reports.
    app.tap("#tab-settings").await;
    app.tap("#export-data").await;
    app.wait_text("#exported", LONG, |t| t.contains("qala-my-data")).await;
    app.shot("01-my-data-saved").await;
    let file = std::fs::read_dir(exports.path()).unwrap().flatten().next().expect("the export file").path();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&named.id.to_string()) && text.contains(&kept.id.to_string()));

    // Take my name off one report: it leaves my list and stays public.
    app.tap("#tab-home").await;
    app.tap(&format!("#my-reports [data-id='{}']", named.id)).await;
    app.tap("#anonymise").await;
    app.shot("02-anonymise-confirm").await;
    app.tap("#anonymise-confirm-button").await;
    app.wait_text("#my-reports", LONG, |t| t.matches("ALA-").count() == 2).await;
    let stranger = Client::resident(&server, "+77019990404").await;
    assert_eq!(stranger.get(&format!("/reports/{}", named.id)).await.status(), reqwest::StatusCode::OK);

    // Delete my account, withdrawing what is still worked: the app is signed out and empty.
    app.tap("#tab-settings").await;
    app.tap("#delete-account").await;
    app.tap("#delete-withdraw").await;
    app.shot("03-delete-confirm").await;
    app.tap("#delete-confirm-button").await;
    app.find("#go-sign-in").await;
    app.tap("#tab-home").await;
    app.find_within("#my-reports .empty", LONG).await;
    app.shot("04-after-deletion").await;

    // The others: the settled report stays, anonymous, in Open311 too; the one still worked was
    // withdrawn and is published nowhere; my sessions are over.
    assert_eq!(stranger.get(&format!("/reports/{}", kept.id)).await.status(), reqwest::StatusCode::OK);
    assert_eq!(stranger.get(&format!("/reports/{}", worked.id)).await.status(), reqwest::StatusCode::NOT_FOUND);
    let answer = qala_journeys::server::http().get(server.url("/open311/v2/requests.json")).send().await.unwrap();
    let open311: serde_json::Value = answer.json().await.unwrap();
    let numbers: Vec<&str> =
        open311.as_array().unwrap().iter().filter_map(|r| r["service_request_id"].as_str()).collect();
    assert_eq!(numbers.len(), 2, "the settled and the anonymised report, not the withdrawn one: {numbers:?}");
    assert_eq!(other_device.get("/me").await.status(), reqwest::StatusCode::UNAUTHORIZED);
}

/// Journey 5, the city on a 360 × 640 window: the districts followed are chosen in Settings, the
/// City tab shows their reports (and only theirs), a report opens as the public sees it, one is
/// found by its number, and the whole city is one tick away. The City tab and the district
/// settings are shot in Kazakh and Russian, and nothing runs off the side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_tab_follows_the_districts_chosen() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start();
    // A neighbour's reports in two districts.
    let neighbour = Client::resident(&server, "+77019990505").await;
    let mut numbers = Vec::new();
    for district in ["medeu", "almaly"] {
        let d = districts::find(district).unwrap();
        let mut r = new_report("road_repair", vec![]);
        (r.location.lat, r.location.lon) = (d.lat, d.lon);
        r.description = format!("Яма в районе {district}");
        neighbour.push(vec![create_op(r.clone())]).await;
        numbers.push((r.id, neighbour.my_report(r.id).await.registration_number));
    }
    let (medeu, almaly) = (numbers[0].clone(), numbers[1].clone());

    let phone_dir = tempfile::tempdir().unwrap();
    let display = Display::start();
    let base = server.base.clone();
    let data = phone_dir.path().to_str().unwrap().to_string();
    let driver = Driver::start(&display, 4584, &[("QALA_SERVER", &base), ("QALA_DATA_DIR", &data)]);
    let mut app = App::new(driver.session().await, "j5");
    app.c.set_window_size(360, 640).await.expect("a phone-sized window");
    app.find("#new-report").await;
    english(&mut app).await;
    sign_in(&mut app, &server).await;
    app.wait_text("#sync-text", LONG, |t| t.starts_with("Synced")).await;

    // No district followed yet: the City tab says where to choose them.
    app.tap("#tab-city").await;
    app.find("#city-feed").await;
    app.find(".city .empty").await;
    // Medeu only: its report, not Almaly's.
    app.tap("#tab-settings").await;
    app.tap("#district-medeu").await;
    app.tap("#tab-city").await;
    let feed = app.wait_text("#city-feed", LONG, |t| t.contains(&medeu.1)).await;
    assert!(!feed.contains(&almaly.1), "only the districts followed: {feed}");
    // A report opens as the public sees it.
    app.tap(&format!("#city-feed [data-id='{}']", medeu.0)).await;
    app.wait_text("#public-number", LONG, |t| t == medeu.1).await;
    app.c.back().await.unwrap();
    // Another district's report, found by its number.
    app.type_into("#find-number", &almaly.1).await;
    app.tap("#find-report button").await;
    app.wait_text("#found", LONG, |t| t.contains(&almaly.1)).await;
    // The whole city.
    app.tap("#tab-settings").await;
    app.tap("#district-all").await;
    app.tap("#tab-city").await;
    app.wait_text("#city-feed", LONG, |t| t.contains(&medeu.1) && t.contains(&almaly.1)).await;

    // The City tab and the district settings in Kazakh and Russian, at 360 px.
    app.tap("#tab-settings").await;
    app.tap("#district-all").await;
    app.tap("#district-medeu").await;
    for (lang, settings_word) in [("kk", "Баптаулар"), ("ru", "Настройки")] {
        app.c.execute("location.hash = '#/settings'", vec![]).await.unwrap();
        app.tap(&format!("#lang-{lang}")).await;
        app.wait_text("#tab-settings", Duration::from_secs(10), |t| t.contains(settings_word)).await;
        for (path, ready, name) in
            [("/city", "#city-feed", "01-city"), ("/settings", "#district-medeu", "02-districts")]
        {
            app.c.execute(&format!("location.hash = '#{path}'"), vec![]).await.unwrap();
            app.find(ready).await;
            app.shot(&format!("{name}-360x640-{lang}")).await;
            let wide = overflowing(&app).await;
            assert!(wide.is_empty(), "{path} ({lang}) runs off the side of a 360 px screen: {wide:?}");
        }
    }
    app.c.close().await.ok();
    drop(driver);
}
