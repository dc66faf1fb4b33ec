//! Floods and slow clients against the real server: each limit is set small with its flag, hit, and
//! shown to hold — and to refuse before it costs the server a hash, a query or a handler.

use std::time::{Duration, Instant};

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads what the server sends until it closes the connection or `limit` passes.
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, s.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&buf).into_owned()),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_dropped() {
    let server = TestServer::start_with(&["--header-timeout-secs", "1"]);
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    let t = Instant::now();
    let closed = read_until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(closed.is_some(), "the server kept a half-sent request open");
    assert!(t.elapsed() < Duration::from_secs(5), "closed after {:?}", t.elapsed());
}

#[tokio::test]
async fn a_body_that_trickles_is_cut_off_with_408() {
    let server = TestServer::start_with(&["--request-timeout-secs", "1"]);
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    let head = "POST /api/v1/auth/otp/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"phone\":";
    s.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut s, Duration::from_secs(10)).await.expect("an answer within the limit");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"timeout\""), "{answer}");
}

#[tokio::test]
async fn requests_beyond_the_in_flight_cap_get_503_at_once() {
    let server = TestServer::start_with(&["--max-in-flight", "2", "--request-timeout-secs", "20"]);
    // Two requests hold their slots by sending half a body.
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(server.addr()).await.unwrap();
        let head = "POST /api/v1/auth/otp/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
        s.write_all(head.as_bytes()).await.unwrap();
        holders.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = Instant::now();
    let r = http().get(server.api("/catalog")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "1");
    assert!(t.elapsed() < Duration::from_secs(2));
    // The health check is always answered: a load balancer must not drop a busy instance.
    assert_eq!(http().get(server.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    drop(holders);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(http().get(server.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let server = TestServer::start_with(&["--max-connections", "2"]);
    let a = TcpStream::connect(server.addr()).await.unwrap();
    let b = TcpStream::connect(server.addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut c = TcpStream::connect(server.addr()).await.unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    assert!(read_until_closed(&mut c, Duration::from_millis(700)).await.is_none(), "a third connection was served");
    drop(a);
    let answer = read_until_closed(&mut c, Duration::from_secs(5)).await.expect("served once a slot freed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(b);
}

fn login(name: &str) -> StaffLogin {
    StaffLogin { login: name.into(), password: "not-the-password".into(), device_id: device() }
}

#[tokio::test]
async fn failed_logins_are_limited_per_address_before_any_hash() {
    let server = TestServer::start_with(&["--login-failures-per-addr", "3", "--trusted-proxy", "127.0.0.1"]);
    let c = Client::anonymous(&server);
    // Random names: the per-login limit never trips, the per-address one does.
    for i in 0..3 {
        let r = c.post("/auth/login", &login(&format!("nobody{i}"))).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let t = Instant::now();
    let r = c.post("/auth/login", &login("nobody-else")).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert!(t.elapsed() < Duration::from_millis(100), "refused without a hash: {:?}", t.elapsed());
    // Another client behind the trusted proxy is not held back by this address.
    let r = c
        .request(reqwest::Method::POST, "/auth/login")
        .header("X-Forwarded-For", "198.51.100.7")
        .json(&login("nobody-else"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A header from a client that is not a proxy would be a lie: here 127.0.0.1 is one, so the
    // same header from it names the same client as before.
    let r = c
        .request(reqwest::Method::POST, "/auth/login")
        .header("X-Forwarded-For", "198.51.100.7")
        .json(&login("nobody-else"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "its own window: 2 of 3");
}

#[tokio::test]
async fn overlong_logins_are_refused_before_any_work() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let long = StaffLogin { login: "x".repeat(65), password: "p".into(), device_id: device() };
    assert_eq!(c.post("/auth/login", &long).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let long = StaffLogin { login: "x".into(), password: "p".repeat(257), device_id: device() };
    assert_eq!(c.post("/auth/login", &long).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Peak resident memory of a process so far, in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb * 1024
}

#[tokio::test]
async fn a_login_flood_runs_a_bounded_number_of_password_checks() {
    let server = TestServer::start_with(&["--password-checks", "1", "--login-failures-per-addr", "1000"]);
    let c = Client::anonymous(&server);
    // Eighty sign-ins at once with random names, each an argon2 check of about 19 MiB: one at a
    // time, so the server's memory stays near one check's, and those that wait too long are told
    // to retry. Unbounded, they would all hash together (80 × 19 MiB).
    let mut tasks = Vec::new();
    for i in 0..80 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move { c.post("/auth/login", &login(&format!("flood{i}"))).await.status() }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(limited + checked, 80, "{statuses:?}");
    let peak = peak_rss(server.pid());
    assert!(peak < 400 << 20, "the server peaked at {} MiB", peak >> 20);
}

#[tokio::test]
async fn sign_in_codes_are_limited_per_address() {
    let server = TestServer::start_with(&["--otp-requests-per-addr", "3"]);
    let c = Client::anonymous(&server);
    for i in 0..3 {
        let r = c.post("/auth/otp/request", &OtpRequest { phone: phone(9300 + i), device_id: device() }).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let r = c.post("/auth/otp/request", &OtpRequest { phone: phone(9310), device_id: device() }).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_silent_connection_is_dropped_too() {
    let server = TestServer::start_with(&["--header-timeout-secs", "1"]);
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    let t = Instant::now();
    assert!(
        read_until_closed(&mut s, Duration::from_secs(10)).await.is_some(),
        "a connection that never spoke stayed open"
    );
    assert!(t.elapsed() < Duration::from_secs(5), "closed after {:?}", t.elapsed());
}

#[tokio::test]
async fn one_address_cannot_hold_every_connection() {
    let server = TestServer::start_with(&["--connections-per-addr", "8"]);
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(server.addr()).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = TcpStream::connect(server.addr()).await.unwrap();
    let closed = read_until_closed(&mut extra, Duration::from_secs(2)).await;
    assert_eq!(closed.as_deref(), Some(""), "the address's extra connection is closed at once");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(http().get(server.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}
