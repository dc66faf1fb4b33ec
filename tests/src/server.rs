//! The real `qala-server` binary on 127.0.0.1 with a temporary data folder, its JSON log read line
//! by line (that is where the log SMS sender puts one-time codes), and a small client.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use qala_protocol::*;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use uuid::Uuid;

/// The server binary, built beside the test binary.
pub static BIN: std::sync::LazyLock<std::path::PathBuf> =
    std::sync::LazyLock::new(|| crate::workspace_bin("qala-server"));

pub struct TestServer {
    child: Option<Child>,
    pub base: String,
    pub dir: TempDir,
    logs: Arc<Mutex<Vec<Value>>>,
}

impl TestServer {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir, extra)
    }

    /// Starts the server on an existing data folder (for restarts).
    pub fn start_in(dir: TempDir, extra: &[&str]) -> Self {
        Self::start_at(dir, "127.0.0.1:0", extra)
    }

    /// Starts the server on a given address (to come back on the same port after a stop).
    /// Sign-in codes go to the log, where [`TestServer::last_code`] reads them, unless the test
    /// brings its own gateway (`--sms-url`).
    pub fn start_at(dir: TempDir, addr: &str, extra: &[&str]) -> Self {
        let log_codes = !extra.contains(&"--sms-url");
        Self::spawn(dir, addr, extra, log_codes)
    }

    /// Starts the server with exactly `extra`: without `--sms-log`, as an operator would.
    pub fn start_bare(extra: &[&str]) -> Self {
        Self::spawn(tempfile::tempdir().expect("temp dir"), "127.0.0.1:0", extra, false)
    }

    fn spawn(dir: TempDir, addr: &str, extra: &[&str], log_codes: bool) -> Self {
        let mut child = Command::new(&*BIN)
            .args(["serve", "--addr", addr, "--log-format", "json", "--data-dir"])
            .arg(dir.path())
            .args(extra)
            .args(if log_codes { &["--sms-log"][..] } else { &[][..] })
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start qala-server");
        let logs: Arc<Mutex<Vec<Value>>> = Arc::default();
        let stderr = child.stderr.take().expect("stderr");
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        let mut server = TestServer { child: Some(child), base: String::new(), dir, logs };
        let addr = server.wait_log(|v| v["message"] == "listening", Duration::from_secs(20));
        server.base = format!("http://{}", addr["addr"].as_str().expect("addr field"));
        server
    }

    /// Waits for a log line matching `pred`.
    pub fn wait_log(&self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        let start = Instant::now();
        loop {
            if let Some(v) = self.logs.lock().unwrap().iter().rev().find(|v| pred(v)) {
                return v.clone();
            }
            assert!(start.elapsed() < timeout, "no such log line within {timeout:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The latest one-time code the log sender printed for `phone`.
    pub fn last_code(&self, phone: &str) -> String {
        let v = self.wait_log(|v| v["target"] == "qala::sms" && v["phone"] == phone, Duration::from_secs(5));
        v["code"].as_str().expect("code").to_string()
    }

    /// How many codes the log sender has printed for `phone` so far.
    pub fn codes_sent(&self, phone: &str) -> usize {
        self.logs.lock().unwrap().iter().filter(|v| v["target"] == "qala::sms" && v["phone"] == phone).count()
    }

    /// The code of message number `n` (from 0) to `phone`, waiting for it: unlike
    /// [`TestServer::last_code`], never an earlier one that is already in the log.
    pub fn code_number(&self, phone: &str, n: usize) -> String {
        let start = Instant::now();
        loop {
            let found = {
                let logs = self.logs.lock().unwrap();
                logs.iter().filter(|v| v["target"] == "qala::sms" && v["phone"] == phone).nth(n).cloned()
            };
            if let Some(v) = found {
                return v["code"].as_str().expect("code").to_string();
            }
            assert!(start.elapsed() < Duration::from_secs(5), "no message {n} to {phone}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every log line so far, as text: to check what must never be written there.
    pub fn log_text(&self) -> String {
        self.logs.lock().unwrap().iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n")
    }

    /// The `host:port` it listens on.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.base, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// SIGTERM, then waits for the exit; returns whether it exited cleanly.
    pub fn terminate(&mut self) -> bool {
        let Some(mut child) = self.child.take() else { return true };
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status.success();
            }
            if start.elapsed() > Duration::from_secs(15) {
                let _ = child.kill();
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server and hands back its data folder.
    pub fn stop(mut self) -> TempDir {
        self.terminate();
        let dir = tempfile::tempdir().expect("temp dir");
        std::mem::replace(&mut self.dir, dir)
    }

    /// Kills the server with SIGKILL (a crash: nothing is finished) and hands back its data folder.
    pub fn crash(mut self) -> TempDir {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let dir = tempfile::tempdir().expect("temp dir");
        std::mem::replace(&mut self.dir, dir)
    }

    /// Files stored under the media folder.
    pub fn stored_media(&self) -> Vec<String> {
        list(&self.dir.path().join("media"))
    }

    pub fn staged_uploads(&self) -> Vec<String> {
        list(&self.dir.path().join("uploads"))
    }
}

fn list(p: &Path) -> Vec<String> {
    std::fs::read_dir(p)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Creates a staff account with the CLI (works while the server runs) and returns its password.
pub fn add_staff(dir: &Path, login: &str, role: &str, agency: Option<&str>) -> String {
    let mut cmd = Command::new(&*BIN);
    cmd.args(["staff", "add", "--data-dir"]).arg(dir).args(["--login", login, "--role", role]);
    if let Some(a) = agency {
        cmd.args(["--agency", a]);
    }
    let out = cmd.output().expect("run staff add");
    assert!(out.status.success(), "staff add failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("password=").nth(1).expect("password printed").trim().to_string()
}

/// A signed-in client.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub session: Option<Session>,
}

pub fn http() -> reqwest::Client {
    // reqwest speaks TLS through rustls here (the phone core needs it); one crypto provider per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

pub fn device() -> String {
    format!("dev-{}", Uuid::now_v7().simple())
}

/// A phone number unique enough for one test run.
pub fn phone(n: u32) -> String {
    format!("+7701{:07}", n)
}

impl Client {
    pub fn anonymous(server: &TestServer) -> Self {
        Client { http: http(), base: server.api(""), token: String::new(), session: None }
    }

    /// Signs a resident in with the code the log sender printed.
    pub async fn resident(server: &TestServer, phone: &str) -> Self {
        let c = Self::anonymous(server);
        let dev = device();
        let earlier = server.codes_sent(phone);
        let r = c.post("/auth/otp/request", &OtpRequest { phone: phone.into(), device_id: dev.clone() }).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{}", r.text().await.unwrap());
        let code = server.code_number(phone, earlier);
        let r = c.post("/auth/otp/verify", &OtpVerify { phone: phone.into(), device_id: dev, code }).await;
        assert_eq!(r.status(), StatusCode::OK);
        let s: Session = r.json().await.unwrap();
        Client { token: s.access_token.clone(), session: Some(s), ..c }
    }

    pub async fn staff(server: &TestServer, login: &str, password: &str) -> Self {
        let c = Self::anonymous(server);
        let r = c
            .post("/auth/login", &StaffLogin { login: login.into(), password: password.into(), device_id: device() })
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let s: Session = r.json().await.unwrap();
        Client { token: s.access_token.clone(), session: Some(s), ..c }
    }

    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if self.token.is_empty() { rb } else { rb.bearer_auth(&self.token) }
    }

    pub async fn post<T: serde::Serialize>(&self, path: &str, body: &T) -> reqwest::Response {
        self.auth(self.http.post(format!("{}{}", self.base, path))).json(body).send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.auth(self.http.get(format!("{}{}", self.base, path))).send().await.unwrap()
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.auth(self.http.request(method, format!("{}{}", self.base, path)))
    }

    pub async fn push(&self, ops: Vec<Op>) -> PushResponse {
        let r = self.post("/sync/push", &PushRequest { ops }).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    /// A page of the whole city's scope after `cursor` (`""`: a phone holding nothing).
    pub async fn pull_page(&self, cursor: &str, limit: u32) -> PullResponse {
        self.pull_page_in(cursor, &["*"], limit).await
    }

    /// A page of the scope of `districts` (`*`: the whole city; none: nobody else's reports) after
    /// `cursor`.
    pub async fn pull_page_in(&self, cursor: &str, districts: &[&str], limit: u32) -> PullResponse {
        let r = self
            .request(reqwest::Method::GET, "/sync/pull")
            .query(&[("cursor", cursor), ("limit", &limit.to_string()), ("districts", &districts.join(","))])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    /// Pulls everything of the whole city's scope from `cursor`; returns the changes and the final
    /// cursor.
    pub async fn pull_all(&self, cursor: &str, limit: u32) -> (Vec<Change>, String) {
        self.pull_all_in(cursor, &["*"], limit).await
    }

    /// Pulls everything of the scope of `districts` from `cursor`.
    pub async fn pull_all_in(&self, cursor: &str, districts: &[&str], limit: u32) -> (Vec<Change>, String) {
        let mut all = Vec::new();
        let mut cursor = cursor.to_string();
        loop {
            let page = self.pull_page_in(&cursor, districts, limit).await;
            all.extend(page.changes);
            cursor = page.next_cursor;
            if !page.has_more {
                return (all, cursor);
            }
        }
    }

    /// The latest state of my report `id` in the change log.
    pub async fn my_report(&self, id: Uuid) -> Report {
        let (changes, _) = self.pull_all("", 1000).await;
        changes
            .into_iter()
            .rev()
            .find_map(|c| match c.entity {
                Some(Entity::Report(r)) if r.id == id => Some(*r),
                _ => None,
            })
            .expect("report in my pull")
    }

    /// Creates a tus upload for media `id`.
    pub async fn tus_create(&self, id: Uuid, kind: &str, len: usize, sha256: Option<&str>) -> reqwest::Response {
        let mut meta = format!("id {},kind {}", STANDARD.encode(id.to_string()), STANDARD.encode(kind));
        if let Some(s) = sha256 {
            meta.push_str(&format!(",sha256 {}", STANDARD.encode(s)));
        }
        self.request(reqwest::Method::POST, "/uploads")
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", len.to_string())
            .header("Upload-Metadata", meta)
            .send()
            .await
            .unwrap()
    }

    pub async fn tus_head(&self, id: Uuid) -> reqwest::Response {
        self.request(reqwest::Method::HEAD, &format!("/uploads/{id}"))
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .unwrap()
    }

    pub async fn tus_patch(&self, id: Uuid, offset: usize, chunk: Vec<u8>, checksum: bool) -> reqwest::Response {
        let mut rb = self
            .request(reqwest::Method::PATCH, &format!("/uploads/{id}"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream");
        if checksum {
            rb = rb.header("Upload-Checksum", format!("sha256 {}", STANDARD.encode(Sha256::digest(&chunk))));
        }
        rb.body(chunk).send().await.unwrap()
    }

    /// Uploads a whole file in chunks of `chunk` bytes, each with its checksum.
    pub async fn upload(&self, id: Uuid, kind: &str, data: &[u8], chunk: usize) {
        let r = self.tus_create(id, kind, data.len(), Some(&sha_hex(data))).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        let mut offset = 0;
        while offset < data.len() {
            let end = (offset + chunk).min(data.len());
            let r = self.tus_patch(id, offset, data[offset..end].to_vec(), true).await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT, "{}", r.text().await.unwrap());
            offset = end;
        }
    }
}

pub fn sha_hex(data: &[u8]) -> String {
    hex_lower(&Sha256::digest(data))
}

pub fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A structurally valid baseline JPEG of about `size` bytes with pseudo-random scan data and no
/// metadata (the server only checks structure; it never decodes pixels).
pub fn jpeg(size: usize, seed: u64) -> Vec<u8> {
    let seg = |m: u8, p: &[u8]| {
        let mut s = vec![0xFF, m];
        s.extend_from_slice(&((p.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(p);
        s
    };
    let mut j = vec![0xFF, 0xD8];
    j.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(seg(0xDB, &[0u8; 65]));
    j.extend(seg(0xC0, &[8, 0, 16, 0, 16, 1, 1, 0x11, 0]));
    j.extend(seg(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    while j.len() < size.saturating_sub(2) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Scan data never contains 0xFF not followed by 0x00; keep it simple and avoid 0xFF.
        j.push((x as u8).min(0xFE));
    }
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

pub fn location() -> Location {
    Location {
        lat: 43.2389,
        lon: 76.8897,
        accuracy_m: Some(8.0),
        source: LocationSource::Gps,
        fixed_at: chrono::Utc::now(),
    }
}

pub fn new_report(category: &str, media: Vec<DeclaredMedia>) -> NewReport {
    NewReport {
        id: Uuid::now_v7(),
        category: category.into(),
        description: "Глубокая яма на проезжей части".into(),
        location: location(),
        address: Some("пр. Абая, 10".into()),
        media,
        created_at: chrono::Utc::now(),
    }
}

pub fn create_op(r: NewReport) -> Op {
    Op { id: Uuid::now_v7(), op: OpBody::CreateReport(r) }
}

pub fn error_code(v: &Value) -> &str {
    v["error"].as_str().unwrap_or_default()
}
