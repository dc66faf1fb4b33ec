//! Sessions and staff sign-in against their attacks: a copied refresh token, a lost refresh
//! answer, an old session left behind on a device, a flood of wrong passwords for a known login,
//! a console cookie planted or sent in clear; and the SMS gateway, against a receiver on
//! loopback that stands in for SMSC.kz- and Mobizon-style HTTP APIs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::any;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::common::*;
use qala_protocol::*;

async fn refresh(c: &Client, token: &str, dev: &str) -> reqwest::Response {
    c.post("/auth/refresh", &RefreshRequest { refresh_token: token.into(), device_id: dev.into() }).await
}

async fn signed_in(server: &TestServer, phone: &str, dev: &str) -> Session {
    let c = Client::anonymous(server);
    let earlier = server.codes_sent(phone);
    let r = c.post("/auth/otp/request", &OtpRequest { phone: phone.into(), device_id: dev.into() }).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let code = server.code_number(phone, earlier);
    let r = c.post("/auth/otp/verify", &OtpVerify { phone: phone.into(), device_id: dev.into(), code }).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn me_status(server: &TestServer, access: &str) -> StatusCode {
    Client { token: access.into(), ..Client::anonymous(server) }.get("/me").await.status()
}

#[tokio::test]
async fn a_copied_refresh_token_ends_every_session_of_its_sign_in() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let dev = device();
    let first = signed_in(&server, &phone(80), &dev).await;
    let r = refresh(&c, &first.refresh_token, &dev).await;
    assert_eq!(r.status(), StatusCode::OK);
    let second: Session = r.json().await.unwrap();
    let r = refresh(&c, &second.refresh_token, &dev).await;
    let third: Session = r.json().await.unwrap();
    assert_eq!(me_status(&server, &third.access_token).await, StatusCode::OK);
    // `first` was copied before it was used: the thief tries it now.
    assert_eq!(refresh(&c, &first.refresh_token, &dev).await.status(), StatusCode::UNAUTHORIZED);
    // The phone's current session ended with it: whoever holds what, nobody stays signed in.
    assert_eq!(me_status(&server, &third.access_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&c, &third.refresh_token, &dev).await.status(), StatusCode::UNAUTHORIZED);
    server.wait_log(
        |v| v["message"] == "a retired refresh token was used again: all sessions of its sign-in ended",
        Duration::from_secs(5),
    );
}

#[tokio::test]
async fn a_lost_refresh_answer_does_not_sign_the_phone_out() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let dev = device();
    let first = signed_in(&server, &phone(81), &dev).await;
    // The answer to this refresh never reaches the phone.
    assert_eq!(refresh(&c, &first.refresh_token, &dev).await.status(), StatusCode::OK);
    // The phone asks again with the token it has.
    let r = refresh(&c, &first.refresh_token, &dev).await;
    assert_eq!(r.status(), StatusCode::OK, "still signed in");
    let again: Session = r.json().await.unwrap();
    assert_eq!(me_status(&server, &again.access_token).await, StatusCode::OK);
    let r = refresh(&c, &again.refresh_token, &dev).await;
    assert_eq!(r.status(), StatusCode::OK, "and refreshes on as usual");
}

#[tokio::test]
async fn signing_in_again_on_a_device_ends_its_older_session() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let (phone_a, tablet) = (device(), device());
    let old = signed_in(&server, &phone(82), &phone_a).await;
    let other = signed_in(&server, &phone(82), &tablet).await;
    let new = signed_in(&server, &phone(82), &phone_a).await;
    assert_eq!(me_status(&server, &old.access_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&c, &old.refresh_token, &phone_a).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&server, &new.access_token).await, StatusCode::OK);
    assert_eq!(me_status(&server, &other.access_token).await, StatusCode::OK, "the tablet stays signed in");
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_a_login_out_elsewhere() {
    let server = TestServer::start_with(&["--trusted-proxy", "127.0.0.1"]);
    let password = add_staff(server.dir.path(), "admin", "admin", None);
    let c = Client::anonymous(&server);
    let login = |from: &'static str, pw: String| {
        c.request(reqwest::Method::POST, "/auth/login")
            .header("X-Forwarded-For", from)
            .json(&StaffLogin { login: "admin".into(), password: pw, device_id: device() })
            .send()
    };
    for i in 0..10 {
        assert_eq!(login("203.0.113.66", format!("guess-{i}")).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let r = login("203.0.113.66", password.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the guessing address waits, even with the password");
    let r = login("198.51.100.5", password).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the administrator at their own desk signs in");
}

/// Signs in to the console and returns the `Set-Cookie` header.
async fn console_login(server: &TestServer, http: &reqwest::Client, login: &str, password: &str, tls: bool) -> String {
    let mut rb = http.post(server.url("/console/login")).form(&[("login", login), ("password", password)]);
    if tls {
        rb = rb.header("X-Forwarded-Proto", "https");
    }
    let r = rb.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()[SET_COOKIE].to_str().unwrap().to_string()
}

fn no_redirects() -> reqwest::Client {
    let _ = http();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn the_console_cookie_is_host_only_and_secure_behind_tls() {
    let behind_proxy = TestServer::start_with(&["--trusted-proxy", "127.0.0.1"]);
    let password = add_staff(behind_proxy.dir.path(), "op.tls", "operator", Some("mobility"));
    let http = no_redirects();
    let set = console_login(&behind_proxy, &http, "op.tls", &password, true).await;
    assert!(set.starts_with("__Host-qala_console="), "{set}");
    for part in ["; Secure", "; Path=/;", "; HttpOnly", "; SameSite=Strict"] {
        assert!(set.contains(part), "{part} in {set}");
    }
    assert!(!set.contains("Domain"), "{set}");
    let token = set.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
    let page = |cookie: String| {
        http.get(behind_proxy.url("/console")).header("X-Forwarded-Proto", "https").header(COOKIE, cookie).send()
    };
    assert_eq!(page(format!("__Host-qala_console={token}")).await.unwrap().status(), StatusCode::OK);
    // Behind TLS a cookie without the prefix (planted by a neighbouring subdomain) is nobody's.
    let r = page(format!("qala_console={token}")).await.unwrap();
    assert_eq!((r.status(), r.headers()[LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/console/login"));

    // A client that is not a trusted proxy cannot claim TLS for itself.
    let direct = TestServer::start();
    let password = add_staff(direct.dir.path(), "op.plain", "operator", Some("mobility"));
    let set = console_login(&direct, &http, "op.plain", &password, true).await;
    assert!(set.starts_with("qala_console=") && !set.contains("Secure"), "{set}");
}

/// One call the stand-in gateway received: its query, headers and body.
type Call = (HashMap<String, String>, HeaderMap, String);

/// What the stand-in gateway received, and what it answers.
#[derive(Clone, Default)]
struct Gateway {
    got: Arc<Mutex<Vec<Call>>>,
    answer: Arc<Mutex<(u16, String)>>,
}

async fn receive(
    State(g): State<Gateway>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> (AxumStatus, String) {
    g.got.lock().unwrap().push((query, headers, body));
    let (status, text) = g.answer.lock().unwrap().clone();
    (AxumStatus::from_u16(status).unwrap(), text)
}

/// A gateway on loopback answering `status` and `text`; returns its base URL.
async fn gateway(status: u16, text: &str) -> (Gateway, String) {
    let g = Gateway { answer: Arc::new(Mutex::new((status, text.into()))), ..Default::default() };
    let app = axum::Router::new().route("/{*path}", any(receive)).with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (g, base)
}

/// The six digits after "Qala: " in a message.
fn code_in(text: &str) -> String {
    text.split("Qala: ").nth(1).map(|t| t.chars().take(6).collect()).unwrap_or_default()
}

#[tokio::test]
async fn codes_go_through_an_smsc_style_gateway_and_nowhere_else() {
    let (g, base) = gateway(200, "OK - 1 SMS, ID - 42").await;
    let url = format!(
        "{base}/sys/send.php?login={{user}}&psw={{password}}&phones={{phone_digits}}&mes={{text}}&charset=utf-8"
    );
    let server = TestServer::start_with(&[
        "--sms-url",
        &url,
        "--sms-user",
        "qala",
        "--sms-password",
        "p&ss=word",
        "--sms-expect",
        "OK",
    ]);
    let c = Client::anonymous(&server);
    let dev = device();
    let r = c.post("/auth/otp/request", &OtpRequest { phone: phone(90), device_id: dev.clone() }).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let (query, _, _) = g.got.lock().unwrap().last().cloned().expect("the gateway was called");
    assert_eq!(query["login"], "qala");
    assert_eq!(query["psw"], "p&ss=word", "values are encoded where they stand");
    assert_eq!(query["phones"], phone(90).trim_start_matches('+'));
    let code = code_in(&query["mes"]);
    assert!(query["mes"].contains("Ешкімге айтпаңыз"), "{}", query["mes"]);
    let r = c.post("/auth/otp/verify", &OtpVerify { phone: phone(90), device_id: dev, code: code.clone() }).await;
    assert_eq!(r.status(), StatusCode::OK, "the code the gateway got signs in");
    std::thread::sleep(Duration::from_millis(300));
    let log = server.log_text();
    for leak in [format!("Qala: {code}"), format!("Qala%3A%20{code}"), "p&ss=word".into(), "p%26ss%3Dword".into()] {
        assert!(!log.contains(&leak), "{leak} in the log");
    }
    assert!(!log.contains("qala::sms"));
}

#[tokio::test]
async fn a_json_gateway_that_refuses_is_a_clear_503() {
    let (g, base) = gateway(200, r#"{"code":0,"data":{"messageId":"1"}}"#).await;
    let url = format!("{base}/service/message/sendsmsmessage");
    let server = TestServer::start_with(&[
        "--sms-url",
        &url,
        "--sms-body",
        r#"{"recipient":"{phone_digits}","text":"{text}"}"#,
        "--sms-content-type",
        "application/json",
        "--sms-header",
        "X-Api-Key: key-123",
        "--sms-user",
        "qala",
        "--sms-password",
        "secret",
        "--sms-expect",
        r#""code":0"#,
    ]);
    let c = Client::anonymous(&server);
    let r = c.post("/auth/otp/request", &OtpRequest { phone: phone(91), device_id: device() }).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let (_, headers, body) = g.got.lock().unwrap().last().cloned().unwrap();
    let sent: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(sent["recipient"], phone(91).trim_start_matches('+'));
    assert_eq!(code_in(sent["text"].as_str().unwrap()).len(), 6);
    assert_eq!(headers["x-api-key"], "key-123");
    assert_eq!(headers["content-type"], "application/json");
    // Neither template names the account: it goes as HTTP Basic.
    assert_eq!(headers["authorization"], "Basic cWFsYTpzZWNyZXQ=");

    // The gateway answers 200 but refuses in its body (out of credit): the message may still
    // have gone out, so it counts.
    *g.answer.lock().unwrap() = (200, r#"{"code":1,"message":"Недостаточно средств"}"#.into());
    let r = c.post("/auth/otp/request", &OtpRequest { phone: phone(92), device_id: device() }).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("may not have been sent"), "{body}");
    let line = server.wait_log(|v| v["message"] == "SMS gateway refused the message", Duration::from_secs(5));
    assert!(line.to_string().contains("Недостаточно средств"), "the operator sees why: {line}");
    // An error status is a refusal: it counts for no limit, however often it happens.
    *g.answer.lock().unwrap() = (500, "internal error".into());
    for _ in 0..5 {
        let r = c.post("/auth/otp/request", &OtpRequest { phone: phone(93), device_id: device() }).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "never the phone's limit");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("could not be sent"), "{body}");
    }
}
