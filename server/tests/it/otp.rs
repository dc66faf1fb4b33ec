//! One-time codes against the attacks on sign-in: locking a resident out, pumping SMS, guessing
//! codes across many phones, and learning whether a code is pending. Codes expire, burn after
//! five wrong guesses, and asking is limited.

use std::time::Duration;

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;

async fn request(c: &Client, phone: &str, dev: &str) -> reqwest::Response {
    c.post("/auth/otp/request", &OtpRequest { phone: phone.into(), device_id: dev.into() }).await
}

/// A request from the client address `from` (the test server trusts loopback as its proxy).
async fn request_from(c: &Client, from: &str, phone: &str) -> reqwest::Response {
    c.request(reqwest::Method::POST, "/auth/otp/request")
        .header("X-Forwarded-For", from)
        .json(&OtpRequest { phone: phone.into(), device_id: device() })
        .send()
        .await
        .unwrap()
}

async fn verify(c: &Client, phone: &str, dev: &str, code: &str) -> reqwest::Response {
    c.post("/auth/otp/verify", &OtpVerify { phone: phone.into(), device_id: dev.into(), code: code.into() }).await
}

async fn verify_from(c: &Client, from: &str, phone: &str, code: &str) -> reqwest::Response {
    c.request(reqwest::Method::POST, "/auth/otp/verify")
        .header("X-Forwarded-For", from)
        .json(&OtpVerify { phone: phone.into(), device_id: device(), code: code.into() })
        .send()
        .await
        .unwrap()
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

/// Status and body of a refused verification, for comparing two of them.
async fn refusal(r: reqwest::Response) -> (StatusCode, serde_json::Value) {
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let server = TestServer::start_with(&["--otp-ttl-secs", "1"]);
    let c = Client::anonymous(&server);
    let dev = device();
    assert_eq!(request(&c, &phone(50), &dev).await.status(), StatusCode::ACCEPTED);
    let code = server.last_code(&phone(50));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, body) = refusal(verify(&c, &phone(50), &dev, &code).await).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation"));
}

#[tokio::test]
async fn the_sixth_attempt_fails_even_with_the_right_code() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let dev = device();
    request(&c, &phone(51), &dev).await;
    let code = server.last_code(&phone(51));
    let first = refusal(verify(&c, &phone(51), &dev, &wrong(&code)).await).await;
    assert_eq!(first.0, StatusCode::UNPROCESSABLE_ENTITY);
    for _ in 0..4 {
        assert_eq!(refusal(verify(&c, &phone(51), &dev, &wrong(&code)).await).await, first);
    }
    // Out of guesses reads like any wrong code: it says nothing about the code.
    assert_eq!(refusal(verify(&c, &phone(51), &dev, &code).await).await, first);
}

#[tokio::test]
async fn a_code_works_once_from_any_device() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    request(&c, "8 (701) 000-00-52", &device()).await;
    let code = server.last_code(&phone(52));
    // The SMS reached the phone, whichever device asked: the one who reads it may sign in.
    assert_eq!(verify(&c, &phone(52), &device(), &code).await.status(), StatusCode::OK);
    assert_eq!(verify(&c, &phone(52), &device(), &code).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn verification_does_not_tell_whether_a_code_is_pending() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    request(&c, &phone(55), &device()).await;
    let code = server.last_code(&phone(55));
    let pending = refusal(verify(&c, &phone(55), &device(), &wrong(&code)).await).await;
    let none = refusal(verify(&c, &phone(56), &device(), &wrong(&code)).await).await;
    assert_eq!(pending, none, "a phone with a code pending and one without answer alike");
    assert_eq!(pending.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!pending.1["message"].as_str().unwrap().contains("left"), "no count of guesses left: {}", pending.1);
}

#[tokio::test]
async fn a_second_request_sends_the_same_code() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let mine = device();
    assert_eq!(request(&c, &phone(57), &mine).await.status(), StatusCode::ACCEPTED);
    let first = server.last_code(&phone(57));
    // Someone else asks for my phone a moment later (or I tap "send again").
    assert_eq!(request(&c, &phone(57), &device()).await.status(), StatusCode::ACCEPTED);
    assert_eq!(server.code_number(&phone(57), 1), first, "the second message carries the same code");
    assert_eq!(verify(&c, &phone(57), &mine, &first).await.status(), StatusCode::OK, "the first code still works");
}

#[tokio::test]
async fn invented_devices_cannot_lock_a_resident_out() {
    let server = TestServer::start_with(&["--trusted-proxy", "127.0.0.1"]);
    let c = Client::anonymous(&server);
    let resident = phone(58);
    let my_phone = device();
    // The resident signed in on this phone before.
    request(&c, &resident, &my_phone).await;
    let code = server.last_code(&resident);
    assert_eq!(verify(&c, &resident, &my_phone, &code).await.status(), StatusCode::OK);
    // An attacker asks for codes from ten invented devices and ten addresses…
    let mut refused = Vec::new();
    for i in 0..10 {
        let r = request_from(&c, &format!("203.0.113.{i}"), &resident).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            refused.push(r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap());
        } else {
            assert_eq!(r.status(), StatusCode::ACCEPTED);
        }
    }
    assert!(!refused.is_empty() && refused.iter().all(|s| *s <= 600), "held for minutes at most: {refused:?}");
    // Every accepted request has put its message in the log before its answer; the reader catches up.
    std::thread::sleep(Duration::from_millis(300));
    // …and burns the code with wrong guesses from invented devices.
    let sent_count = server.codes_sent(&resident);
    let sent = server.code_number(&resident, sent_count - 1);
    let attack_codes: Vec<String> = (1..sent_count).map(|n| server.code_number(&resident, n)).collect();
    assert!(attack_codes.iter().all(|c| *c == sent), "every message of the attack carried one code: {attack_codes:?}");
    for i in 0..6 {
        verify_from(&c, &format!("203.0.113.{}", 50 + i), &resident, &wrong(&sent)).await;
    }
    // Every message the attack triggered carried the same live code, and the resident's own
    // phone still signs in with it.
    assert_eq!(verify(&c, &resident, &my_phone, &sent).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn requests_are_rate_limited_per_phone_for_minutes() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    for _ in 0..3 {
        assert_eq!(request(&c, &phone(53), &device()).await.status(), StatusCode::ACCEPTED);
    }
    let r = request(&c, &phone(53), &device()).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry));
}

#[tokio::test]
async fn sms_pumping_meets_the_address_limit_and_then_the_hourly_budget() {
    // The budget is per clock hour: do not straddle one.
    let into_hour = chrono::Utc::now().timestamp().rem_euclid(3600);
    if into_hour > 3540 {
        tokio::time::sleep(Duration::from_secs((3601 - into_hour) as u64)).await;
    }
    let server = TestServer::start_with(&[
        "--trusted-proxy",
        "127.0.0.1",
        "--otp-requests-per-addr",
        "4",
        "--sms-per-hour",
        "6",
    ]);
    let c = Client::anonymous(&server);
    // One address, many phones.
    for n in 0..4 {
        assert_eq!(request_from(&c, "198.51.100.1", &phone(600 + n)).await.status(), StatusCode::ACCEPTED);
    }
    let r = request_from(&c, "198.51.100.1", &phone(604)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Many addresses, many phones: the server's budget stops the bill.
    for n in 0..2 {
        let r = request_from(&c, &format!("198.51.100.{}", 10 + n), &phone(610 + n)).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let r = request_from(&c, "198.51.100.20", &phone(620)).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "unavailable");
    assert!(body["message"].as_str().unwrap().contains("try again"), "{body}");
}

#[tokio::test]
async fn one_address_cannot_guess_across_many_phones() {
    let server = TestServer::start_with(&["--trusted-proxy", "127.0.0.1", "--otp-checks-per-addr", "30"]);
    let c = Client::anonymous(&server);
    // Codes are pending for 31 phones (asked from addresses of their own).
    for n in 0..31 {
        assert_eq!(request_from(&c, &format!("192.0.2.{n}"), &phone(700 + n)).await.status(), StatusCode::ACCEPTED);
    }
    // One address guesses once per phone: five guesses per code would allow 155. Every check
    // counts, the right ones too (counted before they are made).
    for n in 0..30 {
        let r = verify_from(&c, "198.51.100.99", &phone(700 + n), "000000").await;
        assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS, "guess {n}");
    }
    let right = server.code_number(&phone(730), 0);
    let r = verify_from(&c, "198.51.100.99", &phone(730), &right).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the address waits, even with a right code");
    assert!(r.headers().contains_key("retry-after"));
    // Another address is not held back.
    assert_eq!(verify_from(&c, "198.51.100.98", &phone(730), &right).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_gateway_codes_are_not_written_anywhere() {
    let server = TestServer::start_bare(&[]);
    let c = Client::anonymous(&server);
    let r = request(&c, &phone(59), &device()).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("not set up"), "{body}");
    let log = server.log_text();
    assert!(!log.contains("qala::sms"), "no code in the log");
    assert!(log.contains("no gateway set"), "the start-up says why: {log}");
}

#[tokio::test]
async fn bad_phones_and_devices_are_422() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    for (p, d) in [
        ("12345", device()),
        ("+1 202 555 0100", device()),
        (phone(54).as_str().to_owned().leak() as &str, "x".to_string()),
    ] {
        let r = request(&c, p, &d).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{p} {d}");
    }
    let r = verify(&c, &phone(54), &device(), "12ab56").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
