//! Push throughput, in one run: (a) raw SQLite inserts of the rows a report writes (one transaction
//! per report, and 100 per transaction) and (b) the server's push endpoint over loopback HTTP under
//! a concurrent load generator (batch 1 and batch 100). Prints reports/s, p50/p99 and (b)/(a).
//!
//! `cargo bench -p qala-server --bench push` (release build). Sizes via QALA_BENCH_REPORTS (default
//! 20000) and QALA_BENCH_CLIENTS (default 32).

use std::time::{Duration, Instant};

use chrono::Utc;
use qala_protocol::*;
use qala_server::app::{AppState, Settings, open_embedded};
use qala_server::auth::open_session;
use qala_server::domain::calendar::WorkCalendar;
use qala_server::domain::reports::register;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use uuid::Uuid;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn new_report() -> NewReport {
    NewReport {
        id: Uuid::now_v7(),
        category: "road_repair".into(),
        description: "Глубокая яма на проезжей части у остановки, машины объезжают по встречной".into(),
        location: Location {
            lat: 43.2389,
            lon: 76.8897,
            accuracy_m: Some(8.0),
            source: LocationSource::Gps,
            fixed_at: Utc::now(),
        },
        address: Some("пр. Абая, 10".into()),
        media: vec![DeclaredMedia { id: Uuid::now_v7(), kind: MediaKind::Photo }],
        created_at: Utc::now(),
    }
}

struct Figures {
    label: String,
    reports: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: usize,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.reports as f64 / self.elapsed.as_secs_f64()
    }

    fn pct(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut l = self.latencies.clone();
        l.sort();
        l[((l.len() as f64 - 1.0) * p).round() as usize]
    }

    fn print(&self) {
        println!(
            "{:<34} {:>9.0} reports/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
            self.label,
            self.rate(),
            self.pct(0.50).as_secs_f64() * 1e3,
            self.pct(0.99).as_secs_f64() * 1e3,
            self.errors
        );
    }
}

/// (a) The same rows a registered report writes, inserted with plain SQL: the report, its two
/// change rows, the op ledger entry and the sequence bump.
async fn raw_sqlite(n: usize, per_tx: usize) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    // Let the real store create the schema, then write around it.
    drop(qala_server::store::sqlite::SqliteStore::open(&dir.path().join("qala.db")).await.unwrap());
    let opts = SqliteConnectOptions::new()
        .filename(dir.path().join("qala.db"))
        .journal_mode(SqliteJournalMode::Wal)
        // The same durability as the server's store: every commit is fsync'd.
        .synchronous(SqliteSynchronous::Full);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
    let owner = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, role, phone, display_name, created_at) VALUES (?, 'resident', '+77010000000', 'x', '')",
    )
    .bind(owner.to_string())
    .execute(&pool)
    .await
    .unwrap();
    let category =
        qala_server::app::shipped_catalog().unwrap().1.into_iter().find(|c| c.code == "road_repair").unwrap();
    let cal = WorkCalendar::default();
    let rows: Vec<(Report, Uuid)> =
        (0..n).map(|_| (register(&new_report(), &category, Utc::now(), &cal), Uuid::now_v7())).collect();
    let mut latencies = Vec::with_capacity(n / per_tx);
    let start = Instant::now();
    for batch in rows.chunks(per_tx) {
        let t = Instant::now();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        for (report, op) in batch {
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO counters (name, value) VALUES ('raw', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            )
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            let view = serde_json::to_string(report).unwrap();
            let public = serde_json::to_string(&Entity::PublicReport(PublicReport::from(report))).unwrap();
            sqlx::query("INSERT INTO reports (id, owner, reg_number, category, agency, status, deadline, registered_at, view) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(report.id.to_string()).bind(owner.to_string()).bind(format!("RAW-{seq}")).bind(&report.category)
                .bind(&report.agency).bind("registered").bind(report.deadline.to_rfc3339()).bind(report.registered_at.to_rfc3339())
                .bind(&view).execute(&mut *tx).await.unwrap();
            for (kind, who, payload) in [("report", Some(owner.to_string()), &view), ("public_report", None, &public)] {
                sqlx::query("INSERT INTO changes (kind, entity_id, owner, payload, at) VALUES (?, ?, ?, ?, ?)")
                    .bind(kind)
                    .bind(report.id.to_string())
                    .bind(who)
                    .bind(payload)
                    .bind("t")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            sqlx::query("INSERT INTO applied_ops (op_id, user_id, kind, at) VALUES (?, ?, 'create_report', 't')")
                .bind(op.to_string())
                .bind(owner.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        latencies.push(t.elapsed());
    }
    Figures {
        label: format!("(a) raw SQLite, {per_tx}/transaction"),
        reports: n,
        elapsed: start.elapsed(),
        latencies,
        errors: 0,
    }
}

/// (b) The real push endpoint over loopback, `clients` phones pushing concurrently.
async fn http_push(n: usize, batch: usize, clients: usize) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    let (store, media) = open_embedded(dir.path()).await.unwrap();
    let mut settings = Settings::new("ALA");
    // A bench phone pushes thousands of reports, far past a resident's daily quota.
    settings.quotas.reports_per_day = u32::MAX;
    let state = AppState::init(store.clone(), media, settings).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, qala_server::http::router(state)).await.unwrap();
    });
    let mut tokens = Vec::new();
    for i in 0..clients {
        let p = store.resident_for_phone(&format!("+7702{i:07}"), Utc::now()).await.unwrap();
        let s = open_session(store.as_ref(), &p, "bench-device-0001", Utc::now(), Default::default()).await.unwrap();
        tokens.push(s.access_token);
    }
    let url = format!("http://{addr}/api/v1/sync/push");
    let requests = n / batch;
    let per_client = requests.div_ceil(clients);
    // Bodies are prepared up front so the generator measures the server, not serde on the client.
    let bodies: Vec<Vec<Vec<u8>>> = (0..clients)
        .map(|c| {
            let count = per_client.min(requests.saturating_sub(c * per_client));
            (0..count)
                .map(|_| {
                    let ops =
                        (0..batch).map(|_| Op { id: Uuid::now_v7(), op: OpBody::CreateReport(new_report()) }).collect();
                    serde_json::to_vec(&PushRequest { ops }).unwrap()
                })
                .collect()
        })
        .collect();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (token, bodies) in tokens.into_iter().zip(bodies) {
        let http = http.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(bodies.len());
            let mut errors = 0;
            let mut sent = 0;
            for body in bodies {
                let t = Instant::now();
                let r = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let res: PushResponse = r.json().await.unwrap();
                        errors += res.results.iter().filter(|o| o.outcome != OpOutcome::Applied).count();
                        sent += res.results.len();
                    }
                    _ => errors += batch,
                }
                lat.push(t.elapsed());
            }
            (lat, errors, sent)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut reports = 0;
    for t in tasks {
        let (l, e, s) = t.await.unwrap();
        latencies.extend(l);
        errors += e;
        reports += s;
    }
    let elapsed = start.elapsed();
    server.abort();
    Figures {
        label: format!("(b) HTTP push, batch {batch}, {clients} phones"),
        reports: reports - errors.min(reports),
        elapsed,
        latencies,
        errors,
    }
}

fn main() {
    let n = env_usize("QALA_BENCH_REPORTS", 20_000);
    let clients = env_usize("QALA_BENCH_CLIENTS", 32);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        println!(
            "push benchmark: {n} reports per case, {} cores",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        let raw1 = raw_sqlite(n, 1).await;
        raw1.print();
        let raw100 = raw_sqlite(n, 100).await;
        raw100.print();
        let push1 = http_push(n, 1, clients).await;
        push1.print();
        let push1_few = http_push(n / 2, 1, 4).await;
        push1_few.print();
        let push100 = http_push(n, 100, clients.min(8)).await;
        push100.print();
        println!("ratio batch 1   (b)/(a) = {:.2}", push1.rate() / raw1.rate());
        println!("ratio batch 100 (b)/(a) = {:.2}", push100.rate() / raw100.rate());
    });
}
