//! Attack benchmark: 100 honest phones (as in the load bench: sign in, push 20 reports, upload a
//! photo, pull everything) against the real server on the embedded SQLite store, first alone, then
//! side by side with attackers, on a fresh server each time. Printed: the honest phones' p50/p99
//! and errors in both runs and their ratio (the goal: p99 with attackers ≤ 2× without), and what
//! the attackers got.
//!
//! The attackers, all through 127.0.0.1, which the server is told is a trusted proxy: every
//! request names its own client in `X-Forwarded-For`, so the flood looks like it comes from many
//! addresses (per-address limits do not stop it; the bounds behind them must):
//! - 200 slow clients: headers, then a body one byte every half second (reconnecting when cut);
//! - a login flood: 4 loops of staff sign-ins with random logins from random addresses;
//! - 1-byte upload chunks: 2 signed-in residents sending one-byte PATCHes in a loop;
//! - statistics polling: 4 loops over `/api/v1/stats`, `/stats` and `/open311/v2/requests.json`.
//!
//! `cargo bench -p qala-server --bench attack`. QALA_BENCH_PHONES (default 100),
//! QALA_BENCH_ATTACKERS (default `slow,login,chunks,stats`: which attackers to run).

#[path = "common/phones.rs"]
mod phones;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use phones::*;
use qala_protocol::*;
use qala_server::app::Settings;
use qala_server::testing::RunningServer;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

#[derive(Default)]
struct Counts {
    requests: AtomicUsize,
    refused: AtomicUsize,
    errors: AtomicUsize,
}

impl Counts {
    fn record(&self, status: Option<reqwest::StatusCode>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match status {
            Some(s) if s.is_success() => {}
            Some(s) if s.is_client_error() || s.as_u16() == 503 => {
                self.refused.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                self.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

fn random_addr() -> String {
    let x: u128 = rand::random();
    format!("{}.{}.{}.{}", 1 + (x % 223) as u8, (x >> 8) as u8, (x >> 16) as u8, (x >> 24) as u8)
}

/// A slow client: headers, then one body byte every half second, until the server cuts it.
async fn slow_client(addr: std::net::SocketAddr, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else { continue };
        let head = format!(
            "POST /api/v1/auth/otp/request HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: {}\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n",
            random_addr()
        );
        if s.write_all(head.as_bytes()).await.is_err() {
            continue;
        }
        while !stop.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if s.write_all(b" ").await.is_err() {
                break;
            }
        }
    }
}

async fn login_flood(http: reqwest::Client, base: String, stop: Arc<AtomicBool>, c: Arc<Counts>) {
    while !stop.load(Ordering::Relaxed) {
        let body = StaffLogin {
            login: format!("guess{:x}", rand::random::<u64>()),
            password: "hunter2".into(),
            device_id: "attacker-device".into(),
        };
        let r =
            http.post(format!("{base}/auth/login")).header("X-Forwarded-For", random_addr()).json(&body).send().await;
        c.record(r.ok().map(|r| r.status()));
    }
}

async fn tiny_chunks(http: reqwest::Client, base: String, token: String, stop: Arc<AtomicBool>, c: Arc<Counts>) {
    let id = Uuid::now_v7();
    let meta = format!("id {},kind {}", STANDARD.encode(id.to_string()), STANDARD.encode("photo"));
    let _ = http
        .post(format!("{base}/uploads"))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "5000000")
        .header("Upload-Metadata", meta)
        .send()
        .await;
    let mut offset = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let r = http
            .patch(format!("{base}/uploads/{id}"))
            .bearer_auth(&token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(vec![0xFFu8])
            .send()
            .await;
        if let Ok(r) = &r
            && r.status().is_success()
        {
            offset += 1;
        }
        c.record(r.ok().map(|r| r.status()));
    }
}

async fn poll_public(http: reqwest::Client, origin: String, stop: Arc<AtomicBool>, c: Arc<Counts>) {
    let paths = ["/api/v1/stats", "/stats?lang=ru", "/open311/v2/requests.json"];
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let r = http
            .get(format!("{origin}{}", paths[i % paths.len()]))
            .header("X-Forwarded-For", random_addr())
            .send()
            .await;
        c.record(r.ok().map(|r| r.status()));
        i += 1;
    }
}

/// Signs a resident in through the in-memory SMS inbox.
async fn sign_in(http: &reqwest::Client, base: &str, inbox: &Inbox, n: usize) -> String {
    let phone = format!("+7707{n:07}");
    let device = format!("attacker-{n:08}");
    let body = OtpRequest { phone: phone.clone(), device_id: device.clone() };
    http.post(format!("{base}/auth/otp/request")).json(&body).send().await.unwrap();
    let code = inbox.0.lock().unwrap().get(&phone).cloned().unwrap_or_default();
    let r =
        http.post(format!("{base}/auth/otp/verify")).json(&OtpVerify { phone, device_id: device, code }).send().await;
    r.unwrap().json::<Session>().await.unwrap().access_token
}

struct Honest {
    p50: f64,
    p99: f64,
    errors: usize,
    requests: usize,
    secs: f64,
}

async fn run(phones: usize, attack: bool) -> Honest {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::new("ALA");
    settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    // Every simulated phone is new to the server: the hourly SMS budget must not be what it measures.
    settings.otp_limits.sms_per_hour = u32::MAX;
    let mut state = qala_server::app::embedded_state(dir.path(), settings).await.unwrap();
    let inbox = Arc::new(Inbox::default());
    state.sms = inbox.clone();
    qala_server::demo::seed(&state).await.unwrap();
    let server = RunningServer::start(state, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let origin = server.url();
    let base = format!("{origin}{API_PREFIX}");
    let stop = Arc::new(AtomicBool::new(false));
    let counts: Vec<(&str, Arc<Counts>)> =
        ["login flood", "1-byte chunks", "stats polling"].into_iter().map(|n| (n, Arc::default())).collect();
    let mut attackers = Vec::new();
    let which = std::env::var("QALA_BENCH_ATTACKERS").unwrap_or_else(|_| "slow,login,chunks,stats".into());
    let on = |name: &str| attack && which.split(',').any(|w| w.trim() == name);
    if attack {
        let http = reqwest::Client::new();
        for _ in 0..if on("slow") { 200 } else { 0 } {
            attackers.push(tokio::spawn(slow_client(server.addr, stop.clone())));
        }
        for _ in 0..4 {
            if on("login") {
                attackers.push(tokio::spawn(login_flood(
                    http.clone(),
                    base.clone(),
                    stop.clone(),
                    counts[0].1.clone(),
                )));
            }
            if on("stats") {
                attackers.push(tokio::spawn(poll_public(
                    http.clone(),
                    origin.clone(),
                    stop.clone(),
                    counts[2].1.clone(),
                )));
            }
        }
        for n in 0..if on("chunks") { 2 } else { 0 } {
            let token = sign_in(&http, &base, &inbox, n).await;
            attackers.push(tokio::spawn(tiny_chunks(
                http.clone(),
                base.clone(),
                token,
                stop.clone(),
                counts[1].1.clone(),
            )));
        }
        // Let the attack settle in before the honest phones start.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    // Each client loads the system's root certificates: made before the clock starts.
    let clients: Vec<_> = (0..phones).map(phone_client).collect();
    let start = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(n, http)| tokio::spawn(phone(http, base.clone(), inbox.clone(), n, Pace::FLAT_OUT)))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let t = t.await.unwrap();
        latencies.extend(t.latencies);
        errors += t.errors;
    }
    let secs = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        a.abort();
    }
    if attack {
        for (name, c) in &counts {
            println!(
                "  attacker {name:14} {:>7} requests ({:>5.0}/s): {:>7} refused, {} failed",
                c.requests.load(Ordering::Relaxed),
                c.requests.load(Ordering::Relaxed) as f64 / secs,
                c.refused.load(Ordering::Relaxed),
                c.errors.load(Ordering::Relaxed),
            );
        }
        if on("slow") {
            println!("  attacker slow clients   200 connections trickling bodies");
        }
    }
    server.stop().await;
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e3;
    Honest { p50: pct(0.5), p99: pct(0.99), errors, requests: latencies.len(), secs }
}

fn main() {
    let phones: usize = std::env::var("QALA_BENCH_PHONES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        println!("attack: {phones} honest phones, each {BATCHES} pushes of {PER_BATCH} reports, 1 photo, a full pull");
        let calm = run(phones, false).await;
        println!(
            "honest alone          p50 {:7.2} ms  p99 {:8.2} ms  {} requests in {:.1} s, {} errors",
            calm.p50, calm.p99, calm.requests, calm.secs, calm.errors
        );
        let hit = run(phones, true).await;
        println!(
            "honest under attack   p50 {:7.2} ms  p99 {:8.2} ms  {} requests in {:.1} s, {} errors",
            hit.p50, hit.p99, hit.requests, hit.secs, hit.errors
        );
        println!(
            "ratio (attack / alone): p50 ×{:.2}, p99 ×{:.2} (goal: p99 ≤ ×2)",
            hit.p50 / calm.p50,
            hit.p99 / calm.p99
        );
    });
}
