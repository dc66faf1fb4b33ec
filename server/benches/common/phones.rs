//! The simulated phone the load and attack benchmarks share: signs in with a one-time code (read
//! from an in-memory SMS inbox), pushes reports in small batches, uploads a photo, pulls
//! everything; every request's latency is kept.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use qala_protocol::*;
use qala_server::auth::sms::SmsSender;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const BATCHES: usize = 4;
pub const PER_BATCH: usize = 5;

#[derive(Default)]
pub struct Inbox(pub Mutex<HashMap<String, String>>);

#[async_trait]
impl SmsSender for Inbox {
    async fn send_code(&self, phone: &str, code: &str) -> Result<(), qala_server::auth::sms::SmsError> {
        self.0.lock().unwrap().insert(phone.to_string(), code.to_string());
        Ok(())
    }
}

pub fn report() -> NewReport {
    NewReport {
        id: Uuid::now_v7(),
        category: "road_repair".into(),
        description: "Глубокая яма на проезжей части у остановки".into(),
        location: Location {
            lat: 43.2389,
            lon: 76.8897,
            accuracy_m: Some(8.0),
            source: LocationSource::Gps,
            fixed_at: Utc::now(),
        },
        address: None,
        media: vec![],
        created_at: Utc::now(),
    }
}

/// A structurally valid JPEG of about 60 KB (the server checks structure, not pixels).
pub fn photo(seed: u64) -> Vec<u8> {
    let seg = |m: u8, p: &[u8]| [&[0xFF, m][..], &((p.len() + 2) as u16).to_be_bytes(), p].concat();
    let mut j = vec![0xFF, 0xD8];
    j.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(seg(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
    let mut x = seed | 1;
    while j.len() < 60_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        j.push((x as u8).min(0xFE));
    }
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

/// Phone `n`'s HTTP client: every request says, as a trusted proxy in front of the server would,
/// that it comes from the phone's own address (phones do not share one address in a city).
pub fn phone_client(n: usize) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", format!("10.{}.{}.{}", n / 65536, (n / 256) % 256, n % 256).parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

#[derive(Default)]
pub struct Tally {
    pub latencies: Vec<Duration>,
    /// The same latencies by step of the phone's journey (sign-in, push, upload, pull), to show
    /// where a tail comes from.
    pub by_step: std::collections::BTreeMap<&'static str, Vec<Duration>>,
    pub errors: usize,
    pub reports: usize,
    pub uploads: usize,
    pub pages: usize,
}

/// When a phone starts, and how long its resident takes between two requests. Flat out (all at
/// once, no pause) measures capacity: with every phone always waiting, latency is the number of
/// phones over the throughput. Paced, the run measures latency at a stated load, below capacity.
#[derive(Clone, Copy)]
pub struct Pace {
    pub start: Duration,
    pub think: Duration,
}

impl Pace {
    pub const FLAT_OUT: Pace = Pace { start: Duration::ZERO, think: Duration::ZERO };

    /// Phone `n` of a run whose phones arrive at random over `window`, pausing `think` between
    /// requests (a fixed pseudo-random start per phone, so runs compare).
    pub fn arriving(n: usize, window: Duration, think: Duration) -> Pace {
        let mut x = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 29;
        let fraction = (x % 10_000) as f64 / 10_000.0;
        Pace { start: window.mul_f64(fraction), think }
    }
}

pub async fn phone(http: reqwest::Client, base: String, inbox: Arc<Inbox>, n: usize, pace: Pace) -> Tally {
    tokio::time::sleep(pace.start).await;
    let mut t = Tally::default();
    let phone = format!("+7705{n:07}");
    let device = format!("bench-device-{n:08}");
    let timed = async |t: &mut Tally, step: &'static str, rb: reqwest::RequestBuilder| -> Option<reqwest::Response> {
        let start = Instant::now();
        let r = rb.send().await;
        t.latencies.push(start.elapsed());
        t.by_step.entry(step).or_default().push(start.elapsed());
        if !pace.think.is_zero() {
            tokio::time::sleep(pace.think).await;
        }
        match r {
            Ok(r) if r.status().is_success() => Some(r),
            _ => {
                t.errors += 1;
                None
            }
        }
    };
    let body = OtpRequest { phone: phone.clone(), device_id: device.clone() };
    timed(&mut t, "1 code request", http.post(format!("{base}/auth/otp/request")).json(&body)).await;
    let code = inbox.0.lock().unwrap().get(&phone).cloned().unwrap_or_default();
    let body = OtpVerify { phone: phone.clone(), device_id: device, code };
    let Some(r) = timed(&mut t, "2 code verify", http.post(format!("{base}/auth/otp/verify")).json(&body)).await else {
        return t;
    };
    let session: Session = r.json().await.unwrap();
    let token = session.access_token;
    for _ in 0..BATCHES {
        let ops = (0..PER_BATCH).map(|_| Op { id: Uuid::now_v7(), op: OpBody::CreateReport(report()) }).collect();
        if let Some(r) = timed(
            &mut t,
            "3 push",
            http.post(format!("{base}/sync/push")).bearer_auth(&token).json(&PushRequest { ops }),
        )
        .await
        {
            let res: PushResponse = r.json().await.unwrap();
            t.reports += res.results.iter().filter(|r| r.outcome == OpOutcome::Applied).count();
        }
    }
    let data = photo(n as u64 + 1);
    let id = Uuid::now_v7();
    let meta = format!("id {},kind {}", STANDARD.encode(id.to_string()), STANDARD.encode("photo"));
    let create = http
        .post(format!("{base}/uploads"))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", data.len().to_string())
        .header("Upload-Metadata", meta);
    if let Some(r) = timed(&mut t, "4 upload create", create).await {
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let url = format!("{}{location}", base.trim_end_matches(API_PREFIX));
        let patch = http
            .patch(url)
            .bearer_auth(&token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Upload-Checksum", format!("sha256 {}", STANDARD.encode(Sha256::digest(&data))))
            .header("Content-Type", "application/offset+octet-stream")
            .body(data);
        if timed(&mut t, "5 upload data", patch).await.is_some() {
            t.uploads += 1;
        }
    }
    let mut cursor = String::new();
    loop {
        let pull = http.get(format!("{base}/sync/pull")).query(&[("cursor", cursor.as_str()), ("limit", "100")]);
        let Some(r) = timed(&mut t, "6 pull", pull.bearer_auth(&token)).await else {
            break;
        };
        let page: PullResponse = r.json().await.unwrap();
        t.pages += 1;
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    t
}
