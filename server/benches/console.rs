//! Console benchmark: how fast the operator's queue page renders, against the operator API that
//! returns the same page of reports as JSON (the baseline, measured in the same run on the same
//! data). 2,000 registered reports on the embedded SQLite store; the queue's first page (50 rows,
//! sorted by deadline), then the overdue filter; 4 clients at a time over loopback.
//!
//! `cargo bench -p qala-server --bench console`. QALA_BENCH_REQUESTS (default 400 per case).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use qala_protocol::*;
use qala_server::app::{AppState, Settings};
use qala_server::auth::hash_password;
use qala_server::domain::calendar::WorkCalendar;
use qala_server::domain::reports::register;
use qala_server::store::{NewStaff, OpKey, Store};
use qala_server::testing::RunningServer;
use uuid::Uuid;

const REPORTS: usize = 2000;
const CLIENTS: usize = 4;

async fn seed(st: &AppState) -> (String, String) {
    let resident = st.store.resident_for_phone("+77010000001", Utc::now()).await.unwrap();
    let catalog = st.catalog.get();
    let codes = ["road_repair", "sidewalks", "traffic_lights", "public_transport"];
    for i in 0..REPORTS {
        let new = NewReport {
            id: Uuid::now_v7(),
            category: codes[i % codes.len()].into(),
            description: format!("Обращение {i}: яма на проезжей части у остановки"),
            location: Location {
                lat: 43.2389,
                lon: 76.8897,
                accuracy_m: Some(8.0),
                source: LocationSource::Gps,
                fixed_at: Utc::now(),
            },
            address: Some(format!("пр. Абая, {i}")),
            media: vec![],
            created_at: Utc::now(),
        };
        let category = &catalog.categories[&new.category];
        // Every third report is already late, so the overdue filter has rows to show.
        let at = if i % 3 == 0 { Utc::now() - chrono::Duration::days(30) } else { Utc::now() };
        let report = register(&new, category, at, &WorkCalendar::default());
        let op = OpKey { op_id: Uuid::now_v7(), user_id: resident.user_id, kind: "create_report" };
        st.store.create_report(&op, resident.user_id, report, "ALA").await.unwrap();
    }
    let password = "bench-password-1234".to_string();
    let staff = NewStaff {
        login: "bench.op".into(),
        password_hash: hash_password(&password).unwrap(),
        role: Role::Operator,
        agency: Some("mobility".into()),
        display_name: "Bench".into(),
    };
    st.store.create_staff(&staff, Utc::now()).await.unwrap();
    ("bench.op".into(), password)
}

struct Figures {
    per_s: f64,
    p50: Duration,
    p99: Duration,
    bytes: usize,
}

async fn measure(http: &reqwest::Client, url: &str, header: (&str, String), n: usize) -> Figures {
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, url, header) = (http.clone(), url.to_string(), (header.0.to_string(), header.1.clone()));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut bytes = 0;
            for _ in (c..n).step_by(CLIENTS) {
                let t = Instant::now();
                let r = http.get(&url).header(header.0.as_str(), header.1.as_str()).send().await.unwrap();
                assert!(r.status().is_success(), "{url}: {}", r.status());
                bytes = r.bytes().await.unwrap().len();
                lat.push(t.elapsed());
            }
            (lat, bytes)
        }));
    }
    let mut all = Vec::new();
    let mut bytes = 0;
    for t in tasks {
        let (lat, b) = t.await.unwrap();
        all.extend(lat);
        bytes = b;
    }
    let elapsed = t0.elapsed();
    all.sort();
    Figures {
        per_s: n as f64 / elapsed.as_secs_f64(),
        p50: all[all.len() / 2],
        p99: all[(all.len() * 99 / 100).min(all.len() - 1)],
        bytes,
    }
}

fn main() {
    let requests: usize = std::env::var("QALA_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let st = qala_server::app::embedded_state(dir.path(), Settings::new("ALA")).await.unwrap();
        let store: Arc<dyn Store> = st.store.clone();
        let (login, password) = seed(&st).await;
        let server = RunningServer::start(st, "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let base = server.url();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

        let session: Session = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&StaffLogin { login: login.clone(), password: password.clone(), device_id: "bench-device".into() })
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let bearer = ("authorization", format!("Bearer {}", session.access_token));
        let r = http
            .post(format!("{base}/console/login"))
            .form(&[("login", login.as_str()), ("password", password.as_str())])
            .send()
            .await
            .unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let cookie = ("cookie", cookie);

        let (_, total) = store.list_reports(Some("mobility"), &ReportQuery::default(), Utc::now()).await.unwrap();
        println!("{total} reports of the agency on SQLite; {requests} requests per case, {CLIENTS} at a time");
        for (name, query) in [("first page", ""), ("overdue only", "overdue=1")] {
            let api = format!("{base}/api/v1/operator/reports?limit=50&{}", query.replace("=1", "=true"));
            let page = format!("{base}/console?{query}");
            // Warm both paths once.
            measure(&http, &api, bearer.clone(), CLIENTS).await;
            measure(&http, &page, cookie.clone(), CLIENTS).await;
            let a = measure(&http, &api, bearer.clone(), requests).await;
            let c = measure(&http, &page, cookie.clone(), requests).await;
            println!(
                "{name:13} API JSON {:7.0}/s p50 {:5.1} ms p99 {:5.1} ms {:6} B | console HTML {:7.0}/s p50 {:5.1} ms p99 {:5.1} ms {:6} B | ratio {:.2}",
                a.per_s,
                a.p50.as_secs_f64() * 1e3,
                a.p99.as_secs_f64() * 1e3,
                a.bytes,
                c.per_s,
                c.p50.as_secs_f64() * 1e3,
                c.p99.as_secs_f64() * 1e3,
                c.bytes,
                c.per_s / a.per_s
            );
        }
        server.stop().await;
    });
}
