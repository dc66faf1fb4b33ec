//! Public reads benchmark: do anonymous statistics and Open311 requests cost the same whatever the
//! size of the city's history? The same requests against 500, 20,000 and 200,000 reports on the
//! embedded SQLite store (registered over three years; a third answered, a tenth overdue), over
//! loopback, 4 clients at a time; ratios against the 500-report run. Also, per size: one refresh
//! of the statistics (the aggregate queries the cache runs once a minute), and the full scan every
//! such request used to make (read and parse every report) as the baseline.
//!
//! `cargo bench -p qala-server --bench public`. QALA_BENCH_REQUESTS (default 200 per case),
//! QALA_BENCH_SIZES (default 500,20000,200000).

use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use qala_protocol::*;
use qala_server::app::Settings;
use qala_server::domain::calendar::WorkCalendar;
use qala_server::domain::reports::register;
use qala_server::testing::RunningServer;
use uuid::Uuid;

const CLIENTS: usize = 4;

fn ts(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Writes `n` reports straight into the database file, in one transaction (the store's own path
/// would take minutes for 200,000; these rows are what it would have written).
async fn fill(db: &std::path::Path, owner: Uuid, n: usize, categories: &[Category]) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let now = Utc::now();
    for i in 0..n {
        let category = &categories[i % categories.len()];
        let registered = now - chrono::Duration::minutes((i as i64 * 1_576_800 / n as i64).max(1));
        let new = NewReport {
            id: Uuid::now_v7(),
            category: category.code.clone(),
            description: format!("Обращение {i}: яма на проезжей части у остановки"),
            location: Location {
                lat: 43.2389,
                lon: 76.8897,
                accuracy_m: Some(8.0),
                source: LocationSource::Gps,
                fixed_at: registered,
            },
            address: Some(format!("пр. Абая, {i}")),
            media: vec![],
            created_at: registered,
        };
        let mut r = register(&new, category, registered, &WorkCalendar::default());
        r.registration_number = format!("ALA-2026-{i:07}");
        if i % 3 == 0 {
            r.status = ReportStatus::Done;
            r.answer = Some(Answer {
                text: "Устранено".into(),
                media: vec![],
                agency: r.agency.clone(),
                at: registered + chrono::Duration::hours((i % 200) as i64 + 1),
            });
        } else if i % 10 != 1 {
            // The rest stay open; those registered long ago are overdue, the newest are not.
            r.status = ReportStatus::Closed;
        }
        let answer_secs = r.answer.as_ref().map(|a| (a.at - r.registered_at).num_seconds());
        let on_time = r.answer.as_ref().map(|a| i32::from(a.at <= r.deadline));
        sqlx::query(
            "INSERT INTO reports (id, owner, reg_number, category, agency, status, deadline, registered_at, view,
                                  answer_secs, answer_on_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(r.id.to_string())
        .bind(owner.to_string())
        .bind(&r.registration_number)
        .bind(&r.category)
        .bind(&r.agency)
        .bind(r.status.as_str())
        .bind(ts(r.deadline))
        .bind(ts(r.registered_at))
        .bind(serde_json::to_string(&r).unwrap())
        .bind(answer_secs)
        .bind(on_time)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    pool.close().await;
}

/// p50 of `n` GETs of `url`, `CLIENTS` at a time; and the size of the last answer.
async fn p50(http: &reqwest::Client, url: &str, n: usize) -> (Duration, usize) {
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, url) = (http.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut bytes = 0;
            for _ in (c..n).step_by(CLIENTS) {
                let t = Instant::now();
                let r = http.get(&url).send().await.unwrap();
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
    all.sort();
    (all[all.len() / 2], bytes)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let requests: usize = std::env::var("QALA_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let sizes: Vec<usize> = std::env::var("QALA_BENCH_SIZES")
        .unwrap_or_else(|_| "500,20000,200000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let cases = [
            ("stats JSON (cached)", "/api/v1/stats"),
            ("stats page (cached)", "/stats?lang=ru"),
            ("open311 default window", "/open311/v2/requests.json"),
            ("open311 one id", "/open311/v2/requests.json?service_request_id=ALA-2026-0000042"),
            ("open311 from 2000, open", "/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&status=open"),
        ];
        let mut baseline: Vec<f64> = Vec::new();
        println!("{requests} requests per case, {CLIENTS} at a time; p50 in ms (ratio to the smallest size)");
        for (k, &n) in sizes.iter().enumerate() {
            let dir = tempfile::tempdir().unwrap();
            let st = qala_server::app::embedded_state(dir.path(), Settings::new("ALA")).await.unwrap();
            let owner = st.store.resident_for_phone("+77010000001", Utc::now()).await.unwrap().user_id;
            let categories: Vec<Category> = st.catalog.get().categories.values().cloned().collect();
            let t = Instant::now();
            fill(&dir.path().join("qala.db"), owner, n, &categories).await;
            let filled = t.elapsed();
            let store = st.store.clone();
            let server = RunningServer::start(st, "127.0.0.1:0".parse().unwrap()).await.unwrap();
            let base = server.url();
            println!("--- {n} reports (written in {:.1} s)", filled.as_secs_f64());
            let mut row = Vec::new();
            for (name, path) in cases {
                let url = format!("{base}{path}");
                p50(&http, &url, CLIENTS).await; // warm (and fill the statistics cache)
                let (d, bytes) = p50(&http, &url, requests).await;
                row.push(ms(d));
                let ratio = baseline.get(row.len() - 1).map_or(1.0, |b| ms(d) / b);
                println!("{name:26} p50 {:8.2} ms  ×{ratio:5.2}  {bytes:8} B", ms(d));
            }
            // One refresh of the statistics: what the cache pays once a minute.
            let t = Instant::now();
            store.stats_rows(Some(Utc::now() - chrono::Duration::days(30)), Utc::now()).await.unwrap();
            store.stats_rows(None, Utc::now()).await.unwrap();
            let refresh = t.elapsed();
            row.push(ms(refresh));
            let ratio = baseline.get(row.len() - 1).map_or(1.0, |b| ms(refresh) / b);
            println!("{:26}     {:8.2} ms  ×{ratio:5.2}", "stats refresh (per minute)", ms(refresh));
            // The baseline: what each such request did before — read and parse every report.
            let t = Instant::now();
            let q = qala_server::store::PublicRequestQuery { limit: u32::MAX, from: None, ..Default::default() };
            let all = store.public_requests(&q).await.unwrap();
            let scan = t.elapsed();
            row.push(ms(scan));
            let ratio = baseline.get(row.len() - 1).map_or(1.0, |b| ms(scan) / b);
            println!(
                "{:26}     {:8.2} ms  ×{ratio:5.2}  ({} reports)",
                "old way: parse every report",
                ms(scan),
                all.len()
            );
            if k == 0 {
                baseline = row;
            }
            server.stop().await;
        }
    });
}
