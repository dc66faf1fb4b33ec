//! One-time codes: they expire, they burn after five wrong guesses, and asking is rate-limited.

use std::time::Duration;

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;

async fn request(c: &Client, phone: &str, dev: &str) -> reqwest::Response {
    c.post("/auth/otp/request", &OtpRequest { phone: phone.into(), device_id: dev.into() }).await
}

async fn verify(c: &Client, phone: &str, dev: &str, code: &str) -> reqwest::Response {
    c.post("/auth/otp/verify", &OtpVerify { phone: phone.into(), device_id: dev.into(), code: code.into() }).await
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let server = TestServer::start_with(&["--otp-ttl-secs", "1"]);
    let c = Client::anonymous(&server);
    let dev = device();
    assert_eq!(request(&c, &phone(50), &dev).await.status(), StatusCode::ACCEPTED);
    let code = server.last_code(&phone(50));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = verify(&c, &phone(50), &dev, &code).await;
    assert_eq!(r.status(), StatusCode::GONE);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "gone");
}

#[tokio::test]
async fn the_sixth_attempt_fails_even_with_the_right_code() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let dev = device();
    request(&c, &phone(51), &dev).await;
    let code = server.last_code(&phone(51));
    for left in (0..5).rev() {
        let r = verify(&c, &phone(51), &dev, &wrong(&code)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains(&format!("{left} attempts left")), "{body}");
    }
    let r = verify(&c, &phone(51), &dev, &code).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "too_many_attempts");
}

#[tokio::test]
async fn a_code_works_once_and_only_on_its_device() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let dev = device();
    request(&c, "8 (701) 000-00-52", &dev).await;
    let code = server.last_code(&phone(52));
    assert_eq!(verify(&c, &phone(52), &device(), &code).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(verify(&c, &phone(52), &dev, &code).await.status(), StatusCode::OK);
    assert_eq!(verify(&c, &phone(52), &dev, &code).await.status(), StatusCode::GONE);
}

#[tokio::test]
async fn requests_are_rate_limited_per_phone_and_per_device() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let dev = device();
    for _ in 0..3 {
        assert_eq!(request(&c, &phone(53), &dev).await.status(), StatusCode::ACCEPTED);
    }
    let r = request(&c, &phone(53), &device()).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry));
    // One device asking for many phones.
    let greedy = device();
    let mut limited = false;
    for n in 0..11 {
        let r = request(&c, &phone(100 + n), &greedy).await;
        if n < 10 {
            assert_eq!(r.status(), StatusCode::ACCEPTED);
        } else {
            limited = r.status() == StatusCode::TOO_MANY_REQUESTS;
        }
    }
    assert!(limited, "the 11th request of one device within an hour is refused");
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
