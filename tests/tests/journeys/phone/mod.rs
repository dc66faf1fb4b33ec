//! Shared test setup: a real qala-server in this process on a real socket, a phone core signed in
//! to it, and test photos.
#![allow(dead_code)]

pub mod proxy;

use std::collections::HashMap;
use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;
use image::{ImageEncoder, Rgb, RgbImage};
use qala_core::Core;
use qala_core::sync::SyncEngine;
use qala_protocol::*;
use qala_server::app::{AppState, Settings, embedded_state};
use qala_server::auth::sms::SmsSender;
use qala_server::domain::Principal;
use qala_server::domain::reports::{Action, apply};
use qala_server::testing::RunningServer;
use tempfile::TempDir;
use uuid::Uuid;

/// The test's SMS gateway: it delivers codes to the test instead of a handset.
#[derive(Default)]
pub struct Inbox(Mutex<HashMap<String, String>>);

#[async_trait]
impl SmsSender for Inbox {
    async fn send_code(&self, phone: &str, code: &str) -> Result<(), qala_server::auth::sms::SmsError> {
        self.0.lock().unwrap().insert(phone.to_string(), code.to_string());
        Ok(())
    }
}

pub struct Server {
    _dir: TempDir,
    pub state: AppState,
    inbox: Arc<Inbox>,
    running: Option<RunningServer>,
    pub addr: SocketAddr,
}

impl Server {
    pub async fn start() -> Self {
        Self::start_with(Settings::new("ALA")).await
    }

    pub async fn start_with(settings: Settings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut state = embedded_state(dir.path(), settings).await.unwrap();
        let inbox = Arc::new(Inbox::default());
        state.sms = inbox.clone();
        qala_server::demo::seed(&state).await.unwrap();
        let running = RunningServer::start(state.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = running.addr;
        Server { _dir: dir, state, inbox, running: Some(running), addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Makes every cursor a phone holds too old: the next pull answers 410 and the phone starts
    /// over, as after a compaction that dropped history the phone had not pulled yet.
    pub fn raise_retention_floor(&self) {
        let conn = rusqlite::Connection::open(self._dir.path().join("qala.db")).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('retention_floor', '1000000000')
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [],
        )
        .unwrap();
    }

    /// Starts again on the same address and data.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.running = Some(RunningServer::start(self.state.clone(), self.addr).await.unwrap());
    }

    pub fn code(&self, phone: &str) -> String {
        self.inbox.0.lock().unwrap().get(phone).cloned().expect("a code was sent")
    }

    /// A report by a neighbour (a resident without a phone here) at `lat`, `lon`, registered
    /// straight through the server's rules and store.
    pub async fn neighbour_report(&self, lat: f64, lon: f64) -> Uuid {
        let neighbour = self.state.store.resident_for_phone("+77019998877", Utc::now()).await.unwrap();
        let cat = self.state.catalog.get().categories.get("road_repair").unwrap().clone();
        let new = NewReport {
            id: Uuid::now_v7(),
            category: cat.code.clone(),
            description: "Яма у соседнего дома".into(),
            location: Location { lat, lon, ..here() },
            address: None,
            media: vec![],
            created_at: Utc::now(),
        };
        let report = qala_server::domain::reports::register(&new, &cat, Utc::now(), &Default::default());
        let op = qala_server::store::OpKey { op_id: Uuid::now_v7(), user_id: neighbour.user_id, kind: "create_report" };
        self.state.store.create_report(&op, neighbour.user_id, report, "ALA").await.unwrap();
        new.id
    }

    /// An operator action, straight through the server's rules and store.
    pub async fn act(&self, report: Uuid, action: Action) -> Report {
        self.try_act(report, action).await.expect("the operator action is allowed")
    }

    /// An operator action, if the report's status allows it.
    pub async fn try_act(&self, report: Uuid, action: Action) -> Option<Report> {
        let admin = Principal { user_id: Uuid::now_v7(), role: Role::Admin, agency: None };
        let cal = qala_server::domain::calendar::WorkCalendar::default();
        let rule = move |r: &mut Report, owner| apply(r, owner, &admin, &action, Utc::now(), &cal, &|_| 5);
        match self.state.store.mutate_report(None, report, &rule).await.unwrap() {
            qala_server::store::MutateOutcome::Applied(r) => Some(*r),
            qala_server::store::MutateOutcome::Refused(_) => None,
            other => panic!("operator action failed: {other:?}"),
        }
    }
}

pub fn photo_bytes(seed: u8) -> Vec<u8> {
    let img = RgbImage::from_fn(2000, 1500, |x, y| Rgb([(x % 251) as u8 ^ seed, (y % 241) as u8, seed]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 90)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    jpeg
}

pub fn here() -> Location {
    Location { lat: 43.2389, lon: 76.8897, accuracy_m: Some(12.0), source: LocationSource::Pin, fixed_at: Utc::now() }
}

pub async fn signed_in(server: &Server, phone: &str) -> (TempDir, Arc<Core>, Arc<SyncEngine>) {
    let dir = tempfile::tempdir().unwrap();
    let core = Arc::new(Core::open(dir.path()).unwrap());
    let engine = Arc::new(SyncEngine::new(core.clone(), &server.url()));
    engine.request_code(phone).await.unwrap();
    engine.sign_in(phone, &server.code(phone)).await.unwrap();
    engine.sync_once().await.unwrap();
    (dir, core, engine)
}

/// A report with one video (of `size` bytes) and a photo per seed, queued.
pub fn capture_video(core: &Core, size: usize, photos: &[u8]) -> Uuid {
    let d = core.start_draft().unwrap();
    core.attach_video(d, sample_video(size)).unwrap();
    for seed in photos {
        core.attach_photo(d, &photo_bytes(*seed)).unwrap();
    }
    core.set_location(d, &here()).unwrap();
    core.set_category(d, "flooding").unwrap();
    core.submit(d).unwrap()
}

/// A report without media at `lat`, `lon`, queued.
pub fn capture_at(core: &Core, category: &str, lat: f64, lon: f64) -> Uuid {
    let d = core.start_draft().unwrap();
    core.set_location(d, &Location { lat, lon, ..here() }).unwrap();
    core.set_category(d, category).unwrap();
    core.set_description(d, "Яма во дворе").unwrap();
    core.submit(d).unwrap()
}

pub fn capture(core: &Core, category: &str, photos: &[u8]) -> Uuid {
    let d = core.start_draft().unwrap();
    for seed in photos {
        core.attach_photo(d, &photo_bytes(*seed)).unwrap();
    }
    core.set_location(d, &here()).unwrap();
    core.set_category(d, category).unwrap();
    core.set_description(d, "Сломанный фонарь у подъезда").unwrap();
    core.submit(d).unwrap()
}

/// Signs a fresh phone in through `url` (the server or a proxy in front of it).
pub async fn signed_in_via(server: &Server, url: &str, phone: &str) -> (TempDir, Arc<Core>, Arc<SyncEngine>) {
    let dir = tempfile::tempdir().unwrap();
    let core = Arc::new(Core::open(dir.path()).unwrap());
    let engine = Arc::new(SyncEngine::new(core.clone(), url));
    engine.request_code(phone).await.unwrap();
    engine.sign_in(phone, &server.code(phone)).await.unwrap();
    (dir, core, engine)
}

/// A value the phone keeps in its own store (tokens, cursor), read behind the core's back.
pub fn phone_meta(dir: &std::path::Path, key: &str) -> Option<String> {
    use rusqlite::OptionalExtension;
    let conn = rusqlite::Connection::open(dir.join("qala.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional().unwrap()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A small photo (no resizing needed), distinct per `seed`.
pub fn small_photo(seed: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(640, 480, |x, y| Rgb([(x ^ seed) as u8, (y + seed) as u8, (seed % 256) as u8]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 85)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    jpeg
}

/// A minimal MP4 of 10 seconds with `size` bytes of media data and a location box.
pub fn sample_video(size: usize) -> Vec<u8> {
    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&10_000u32.to_be_bytes());
    let udta = mp4_box(b"udta", &mp4_box(b"\xA9xyz", b"+43.2389+076.8897/"));
    let moov = mp4_box(b"moov", &[mp4_box(b"mvhd", &mvhd), udta].concat());
    let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
    [mp4_box(b"ftyp", b"isom\0\0\0\0isom"), moov, mp4_box(b"mdat", &data)].concat()
}
