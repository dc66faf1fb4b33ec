//! The operator console in a real browser — headless Chromium through chromedriver (Debian's
//! packages, installed by scripts/lib.sh) — against the real server binary on loopback.
//!
//! An operator signs in, filters the queue to what is overdue, answers one report with a photo
//! from the browser and rejects another; the resident's pull sees both. A forged form and an
//! operator of another agency are refused, and change nothing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use fantoccini::elements::Element;
use fantoccini::{Client as Browser, Locator};
use qala_protocol::{DeclaredMedia, MediaKind, MediaState, RejectReason, ReportStatus};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(20);

fn on_path(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{name} is not installed (scripts/lib.sh installs it)"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
    profiles: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        let port = free_port();
        let child = Command::new(on_path("chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        Driver { child, port, profiles: tempfile::tempdir().unwrap() }
    }

    /// A fresh headless browser (its own profile: no cookies) with `lang` as the browser language.
    async fn browser(&self, lang: &str) -> Browser {
        let profile = self.profiles.path().join(Uuid::now_v7().to_string());
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": on_path("chromium"),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1280,1000",
                    format!("--lang={lang}"), format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": { "intl.accept_languages": lang },
            }),
        );
        qala_journeys::desktop::connect(self.port, caps).await
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn find(b: &Browser, css: &str) -> Element {
    b.wait().at_most(WAIT).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"))
}

async fn fill(b: &Browser, css: &str, text: &str) {
    let e = find(b, css).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn submit(b: &Browser, form: &str) {
    find(b, &format!("{form} button[type=submit]")).await.click().await.unwrap();
}

/// Saves what the browser shows to `artifacts/screenshots/console-<name>.png`, for a person to look at.
async fn shot(b: &Browser, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = b.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("console-{name}.png")), png).unwrap();
}

/// Waits until the text of `css` satisfies `ok` (a click may still be loading the next page).
async fn wait_text(b: &Browser, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let t0 = Instant::now();
    loop {
        let text = match b.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if ok(&text) {
            return text;
        }
        assert!(t0.elapsed() < WAIT, "{css} never became right; last: {text:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The page's text, checked for a missing translation.
async fn page_text(b: &Browser) -> String {
    let text = find(b, "body").await.text().await.unwrap();
    assert!(!text.contains('⟦'), "a text is missing on {}: {text}", b.current_url().await.unwrap());
    text
}

async fn sign_in(b: &Browser, server: &TestServer, login: &str, password: &str) {
    b.goto(&server.url("/console")).await.unwrap();
    // Not signed in: the queue sends the browser to the login page.
    find(b, "form.login").await;
    assert!(b.current_url().await.unwrap().path().ends_with("/console/login"));
    fill(b, "input[name=login]", login).await;
    fill(b, "input[name=password]", password).await;
    submit(b, "form.login").await;
    find(b, "#total").await;
}

/// Moves a report's deadline into the past, as if it had been registered weeks ago. The server
/// reads the database on every request, so nothing else has to know.
async fn backdate(dir: &Path, number: &str, days: i64) {
    let url = format!("sqlite://{}", dir.join("qala.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let when =
        |d: i64| (chrono::Utc::now() - chrono::Duration::days(d)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let done = sqlx::query(
        "UPDATE reports SET deadline = $1, registered_at = $2,
             view = json_set(view, '$.deadline', $1, '$.registered_at', $2) WHERE reg_number = $3",
    )
    .bind(when(days))
    .bind(when(days + 14))
    .bind(number)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1);
    pool.close().await;
}

fn real_photo(path: &Path) {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x / 3) as u8, (y / 2) as u8, 120]));
    img.save_with_format(path, image::ImageFormat::Jpeg).unwrap();
}

/// The console session cookie a browser holds.
async fn session_cookie(b: &Browser) -> String {
    let c = b.get_named_cookie("qala_console").await.expect("a session cookie");
    assert_eq!(c.http_only(), Some(true), "the session cookie is HttpOnly");
    assert_eq!(format!("{:?}", c.same_site()), "Some(Strict)", "and SameSite=Strict");
    assert_eq!(c.path(), Some("/console"));
    format!("qala_console={}", c.value())
}

/// The CSRF token on a console page, read as a script-less client would.
async fn csrf_of(http: &reqwest::Client, server: &TestServer, cookie: &str, path: &str) -> (StatusCode, String) {
    let r = http.get(server.url(path)).header(COOKIE, cookie).send().await.unwrap();
    let status = r.status();
    let html = r.text().await.unwrap();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string();
    (status, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_answers_and_rejects_in_the_browser_and_the_resident_sees_both() {
    let server = TestServer::start();
    let operator = add_staff(server.dir.path(), "roads.op", "operator", Some("mobility"));
    let other = add_staff(server.dir.path(), "energy.op", "operator", Some("energy_utilities"));

    // A resident reports four problems; the first with a photo.
    let resident = Client::resident(&server, &phone(7001)).await;
    let photo_id = Uuid::now_v7();
    let photo = jpeg(30_000, 5);
    let mut pothole = new_report("road_repair", vec![DeclaredMedia { id: photo_id, kind: MediaKind::Photo }]);
    pothole.description = "Яма на Абая возле школы".into();
    let sidewalk = new_report("sidewalks", vec![]);
    let bench = new_report("sidewalks", vec![]);
    let lamp = new_report("street_lighting", vec![]);
    let ids = [pothole.id, sidewalk.id, bench.id, lamp.id];
    let pushed = resident.push(vec![create_op(pothole), create_op(sidewalk), create_op(bench), create_op(lamp)]).await;
    assert!(pushed.results.iter().all(|r| r.outcome == qala_protocol::OpOutcome::Applied), "{pushed:?}");
    resident.upload(photo_id, "photo", &photo, 64 * 1024).await;
    let numbers: Vec<String> = {
        let mut n = Vec::new();
        for id in ids {
            n.push(resident.my_report(id).await.registration_number);
        }
        n
    };
    // The pothole is three weeks late.
    backdate(server.dir.path(), &numbers[0], 21).await;

    let driver = Driver::start();
    let b = driver.browser("ru").await;
    sign_in(&b, &server, "Roads.Op", &operator).await;
    let text = page_text(&b).await;
    assert!(text.contains("Очередь обращений"), "Russian from the browser's language: {text}");
    for n in &numbers[..3] {
        assert!(text.contains(n.as_str()), "the agency's report {n} is in the queue");
    }
    assert!(!text.contains(numbers[3].as_str()), "another agency's report is not");
    let cookie = session_cookie(&b).await;
    shot(&b, "01-queue-ru").await;

    // Overdue only: the late pothole, in red.
    find(&b, "input[name=overdue]").await.click().await.unwrap();
    submit(&b, "#filters").await;
    wait_text(&b, "#total", |t| t == "1").await;
    let row = find(&b, "#queue tbody tr").await;
    assert_eq!(row.attr("class").await.unwrap().as_deref(), Some("overdue"));
    assert!(row.text().await.unwrap().contains(numbers[0].as_str()));
    shot(&b, "02-queue-overdue").await;

    // Its page, by the number the resident reads out on the phone.
    fill(&b, "input[name=number]", &numbers[0].to_lowercase()).await;
    find(&b, "input[name=number]").await.send_keys("\u{E007}").await.unwrap();
    let desc = find(&b, "#description").await.text().await.unwrap();
    assert_eq!(desc, "Яма на Абая возле школы");
    shot(&b, "03-report").await;
    let upload_dir = tempfile::tempdir().unwrap();
    let after = upload_dir.path().join("after.jpg");
    real_photo(&after);
    // A text file named .jpg gets a clear error, and the report stays as it was.
    let fake = upload_dir.path().join("fake.jpg");
    std::fs::write(&fake, "this is not a photo").unwrap();
    fill(&b, "#answer-form textarea[name=text]", "Готово").await;
    find(&b, "#answer-form input[type=file]").await.send_keys(&fake.display().to_string()).await.unwrap();
    submit(&b, "#answer-form").await;
    let error = find(&b, "p.error").await.text().await.unwrap();
    assert!(error.contains("not a JPEG"), "{error}");
    assert_eq!(resident.my_report(ids[0]).await.status, ReportStatus::Registered, "nothing changed");
    b.goto(&server.url(&format!("/console/reports/{}", ids[0]))).await.unwrap();
    fill(&b, "#answer-form textarea[name=text]", "Яма заделана, фото прилагается").await;
    find(&b, "#answer-form input[type=file]").await.send_keys(&after.display().to_string()).await.unwrap();
    submit(&b, "#answer-form").await;
    find(&b, "p.notice").await;
    let answer = find(&b, "#answer").await.text().await.unwrap();
    assert!(answer.contains("Яма заделана"), "{answer}");
    // The photo report is served back to the browser and decodes.
    let width = b.execute("return document.querySelector('#answer img').naturalWidth", vec![]).await.unwrap();
    let t0 = Instant::now();
    let mut width = width.as_u64().unwrap_or(0);
    while width == 0 && t0.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(200)).await;
        width = b
            .execute("return document.querySelector('#answer img').naturalWidth", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0);
    }
    assert_eq!(width, 640, "the photo report loads in the page");
    // The status reads as on the resident's phone (one set of words, qala-texts).
    assert!(page_text(&b).await.contains("Есть ответ"));
    shot(&b, "04-answered").await;

    // The second report is a duplicate: rejected with a reason from the list and an explanation.
    b.goto(&server.url(&format!("/console/reports/{}", ids[1]))).await.unwrap();
    // The bench 0 m away is offered as a possible repeat.
    let nearby = find(&b, "#nearby").await.text().await.unwrap();
    assert!(nearby.contains(numbers[2].as_str()) && !nearby.contains(numbers[0].as_str()), "{nearby}");
    // An answer without a photo report is refused by the server too (the browser's own check
    // is taken away first), and changes nothing.
    b.execute("document.querySelector('#answer-form input[type=file]').removeAttribute('required')", vec![])
        .await
        .unwrap();
    fill(&b, "#answer-form textarea[name=text]", "Сделано").await;
    submit(&b, "#answer-form").await;
    let error = find(&b, "p.error").await.text().await.unwrap();
    assert!(error.contains("фотоотчёт"), "{error}");
    assert_eq!(resident.my_report(ids[1]).await.status, ReportStatus::Registered);
    b.goto(&server.url(&format!("/console/reports/{}", ids[1]))).await.unwrap();
    find(&b, "#reject-form select[name=reason]").await.select_by_value("duplicate").await.unwrap();
    fill(&b, "#reject-form textarea[name=text]", "Уже есть обращение по этому тротуару").await;
    submit(&b, "#reject-form").await;
    let rejection = find(&b, "#rejection").await.text().await.unwrap();
    assert!(rejection.contains("Повторное обращение"), "{rejection}");

    // Kazakh, from the switcher, sticks for the next pages.
    find(&b, "a[href='/console/lang/kk']").await.click().await.unwrap();
    find(&b, "html[lang=kk] #history").await;
    assert!(page_text(&b).await.contains("Тарих"));
    shot(&b, "05-rejected-kk").await;
    // Another agency's number is not found in this queue.
    b.goto(&server.url(&format!("/console?number={}", numbers[3]))).await.unwrap();
    find(&b, "p.error").await;
    b.goto(&server.url("/console/escalation")).await.unwrap();
    assert!(page_text(&b).await.contains("Мерзімі өткен немесе"), "nothing is overdue once answered");

    // The resident's phone pulls both outcomes.
    let answered = resident.my_report(ids[0]).await;
    assert_eq!(answered.status, ReportStatus::Done);
    let a = answered.answer.expect("the answer");
    assert_eq!(a.text, "Яма заделана, фото прилагается");
    assert_eq!(a.media.len(), 1);
    assert_eq!(a.media[0].state, MediaState::Received);
    let got = resident.get(&format!("/media/{}", a.media[0].id)).await;
    assert_eq!(got.status(), StatusCode::OK, "the author may fetch the photo report");
    let rejected = resident.my_report(ids[1]).await;
    assert_eq!(rejected.status, ReportStatus::Rejected);
    let why = rejected.rejection.expect("the rejection");
    assert_eq!(why.reason, RejectReason::Duplicate);
    assert_eq!(why.text, "Уже есть обращение по этому тротуару");

    // A forged form: the right cookie (as a cross-site request would carry it without SameSite)
    // but no token, or the right token from another site's page: refused, nothing changes.
    let http = http();
    let (status, token) = csrf_of(&http, &server, &cookie, &format!("/console/reports/{}", ids[2])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(token.len(), 32);
    let start = server.url(&format!("/console/reports/{}/start", ids[2]));
    let forged = http.post(&start).header(COOKIE, &cookie).form(&[("note", "forged")]).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let foreign = http
        .post(&start)
        .header(COOKIE, &cookie)
        .header(ORIGIN, "http://evil.example")
        .form(&[("csrf", token.as_str()), ("note", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(resident.my_report(ids[2]).await.status, ReportStatus::Registered, "nothing changed");
    // The same form with the token goes through: the refusals were about the token, not the form.
    // `http()` above installed the TLS provider reqwest needs in this workspace.
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let real = no_redirects
        .post(&start)
        .header(COOKIE, &cookie)
        .form(&[("csrf", token.as_str()), ("note", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), StatusCode::SEE_OTHER);
    assert_eq!(resident.my_report(ids[2]).await.status, ReportStatus::InProgress);

    // An operator of another agency neither sees nor touches the roads agency's reports.
    // An open manhole has one working day: it is on the energy agency's list before it is late.
    let manhole = new_report("open_manhole", vec![]);
    let manhole_id = manhole.id;
    resident.push(vec![create_op(manhole)]).await;
    let manhole_number = resident.my_report(manhole_id).await.registration_number;
    let b2 = driver.browser("en").await;
    sign_in(&b2, &server, "energy.op", &other).await;
    b2.goto(&server.url("/console/escalation")).await.unwrap();
    let soon = find(&b2, "section[data-agency=energy_utilities] tr.due-soon").await.text().await.unwrap();
    assert!(soon.contains(manhole_number.as_str()), "{soon}");
    assert!(page_text(&b2).await.contains("Due soon: 1"));
    b2.goto(&server.url("/console")).await.unwrap();
    let text = page_text(&b2).await;
    shot(&b2, "06-other-agency-en").await;
    assert!(text.contains(numbers[3].as_str()) && !text.contains(numbers[2].as_str()), "{text}");
    let other_cookie = session_cookie(&b2).await;
    let (status, _) = csrf_of(&http, &server, &other_cookie, &format!("/console/reports/{}", ids[2])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, own_token) = csrf_of(&http, &server, &other_cookie, &format!("/console/reports/{}", ids[3])).await;
    let reject = http
        .post(server.url(&format!("/console/reports/{}/reject", ids[2])))
        .header(COOKIE, &other_cookie)
        .form(&[("csrf", own_token.as_str()), ("reason", "other"), ("text", "not ours")])
        .send()
        .await
        .unwrap();
    assert_eq!(reject.status(), StatusCode::NOT_FOUND);
    assert_eq!(resident.my_report(ids[2]).await.status, ReportStatus::InProgress, "nothing changed");
    let media =
        http.get(server.url(&format!("/console/media/{photo_id}"))).header(COOKIE, &other_cookie).send().await.unwrap();
    assert_eq!(media.status(), StatusCode::NOT_FOUND, "nor their photos");
    // Operators have no administrator pages.
    b2.goto(&server.url("/console/admin/catalog")).await.unwrap();
    assert!(page_text(&b2).await.contains("For administrators only"));

    // Signing out ends the session on the server, not only in the browser.
    find(&b, "header form button[type=submit]").await.click().await.unwrap();
    find(&b, "form.login").await;
    let after_logout = no_redirects.get(server.url("/console")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(after_logout.status(), StatusCode::SEE_OTHER);
    assert_eq!(after_logout.headers()[LOCATION], "/console/login");

    b.close().await.unwrap();
    b2.close().await.unwrap();
}
