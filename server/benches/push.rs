//! Push throughput, in one run: (a) raw SQLite inserts of the rows a report writes (one transaction
//! per report; 100 per transaction with a statement per row, and with multi-row statements) and (b) the server's push endpoint over loopback HTTP under
//! a concurrent load generator (batch 1 and batch 100). Prints reports/s, p50/p99 and (b)/(a).
//!
//! `cargo bench -p qala-server --bench push` (release build). Sizes via QALA_BENCH_REPORTS (default
//! 20000) and QALA_BENCH_CLIENTS (default 32); QALA_BENCH_ONLY=http1 runs only the batch-1 HTTP
//! case, for a profiler.

use std::time::{Duration, Instant};

use chrono::Utc;
use qala_protocol::*;
use qala_server::app::{AppState, Settings, open_embedded};
use qala_server::auth::open_session;
use qala_server::domain::calendar::WorkCalendar;
use qala_server::domain::reports::register;
use sqlx::QueryBuilder;
use sqlx::Sqlite;
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

/// (a) The same rows a registered report writes, inserted with plain SQL: the report, its photo
/// link, its two change rows (the author's bucket and the district's), the op ledger entry, the
/// registration counter and the daily quota. `multi_row`: each table's rows of a transaction in
/// one statement (the best plain SQL does through sqlx); otherwise one statement per row.
async fn raw_sqlite(n: usize, per_tx: usize, multi_row: bool) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    // Let the real store create the schema, then write around it.
    drop(qala_server::store::sqlite::SqliteStore::open(&dir.path().join("qala.db")).await.unwrap());
    let opts = SqliteConnectOptions::new()
        .filename(dir.path().join("qala.db"))
        .journal_mode(SqliteJournalMode::Wal)
        // The same durability as the server's store: every commit is fsync'd; and its writer's
        // cache and in-memory statement journals. (Checkpoints stay SQLite's own, in the commit.)
        .synchronous(SqliteSynchronous::Full)
        .pragma("cache_size", "-32768")
        .pragma("temp_store", "memory");
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
    let owner = Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO users (id, role, phone, display_name, created_at) VALUES (?, 'resident', '+77010000000', 'x', '')",
    )
    .bind(&owner)
    .execute(&pool)
    .await
    .unwrap();
    let category =
        qala_server::app::shipped_catalog().unwrap().1.into_iter().find(|c| c.code == "road_repair").unwrap();
    let cal = WorkCalendar::default();
    let rows: Vec<(Report, String, String, String, String)> = (0..n)
        .map(|_| {
            let report = register(&new_report(), &category, Utc::now(), &cal);
            let view = serde_json::to_string(&report).unwrap();
            let public = serde_json::to_string(&Entity::PublicReport(PublicReport::from(&report))).unwrap();
            let district = qala_protocol::districts::code_of(report.location.lat, report.location.lon).to_string();
            (report, view, public, district, Uuid::now_v7().to_string())
        })
        .collect();
    let own_bucket = format!("u:{owner}");
    let mut latencies = Vec::with_capacity(n / per_tx);
    let start = Instant::now();
    for batch in rows.chunks(per_tx) {
        let t = Instant::now();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        let count = batch.len() as i64;
        let counter = "INSERT INTO counters (name, value) VALUES ('raw', ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value";
        let quota = "INSERT INTO quota_usage (day, user_id, kind, used) VALUES ('2026-11-29', ?, 'reports', ?)
                     ON CONFLICT (day, user_id, kind) DO UPDATE SET used = used + excluded.used WHERE used + excluded.used <= 1000000000";
        if multi_row {
            let last: i64 = sqlx::query_scalar(counter).bind(count).fetch_one(&mut *tx).await.unwrap();
            sqlx::query(quota).bind(&owner).bind(count).execute(&mut *tx).await.unwrap();
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO reports (id, owner, reg_number, category, agency, status, deadline, registered_at, view, district, in_scope) ",
            );
            qb.push_values(batch.iter().enumerate(), |mut b, (i, (r, view, _, district, _))| {
                b.push_bind(r.id.to_string())
                    .push_bind(&owner)
                    .push_bind(format!("RAW-{}", last - count + 1 + i as i64))
                    .push_bind(&r.category)
                    .push_bind(&r.agency)
                    .push_bind("registered")
                    .push_bind(r.deadline.to_rfc3339())
                    .push_bind(r.registered_at.to_rfc3339())
                    .push_bind(view)
                    .push_bind(district)
                    .push_bind(1);
            });
            qb.build().execute(&mut *tx).await.unwrap();
            let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO report_media (media_id, report_id, in_answer) ");
            qb.push_values(batch, |mut b, (r, ..)| {
                b.push_bind(r.media[0].id.to_string()).push_bind(r.id.to_string()).push_bind(0);
            });
            qb.build().execute(&mut *tx).await.unwrap();
            let mut qb =
                QueryBuilder::<Sqlite>::new("INSERT INTO changes (kind, entity_id, owner, bucket, payload, at) ");
            let changes = batch.iter().flat_map(|(r, view, public, district, _)| {
                [
                    ("report", r.id.to_string(), Some(owner.clone()), own_bucket.clone(), view),
                    ("public_report", r.id.to_string(), None, format!("d:{district}"), public),
                ]
            });
            qb.push_values(changes, |mut b, (kind, id, who, bucket, payload)| {
                b.push_bind(kind).push_bind(id).push_bind(who).push_bind(bucket).push_bind(payload).push_bind("t");
            });
            qb.build().execute(&mut *tx).await.unwrap();
            let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO applied_ops (op_id, user_id, kind, at) ");
            qb.push_values(batch, |mut b, (.., op)| {
                b.push_bind(op).push_bind(&owner).push_bind("create_report").push_bind("t");
            });
            qb.build().execute(&mut *tx).await.unwrap();
        } else {
            for (report, view, public, district, op) in batch {
                let seq: i64 = sqlx::query_scalar(counter).bind(1).fetch_one(&mut *tx).await.unwrap();
                sqlx::query(quota).bind(&owner).bind(1).execute(&mut *tx).await.unwrap();
                sqlx::query("INSERT INTO reports (id, owner, reg_number, category, agency, status, deadline, registered_at, view, district, in_scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
                    .bind(report.id.to_string()).bind(&owner).bind(format!("RAW-{seq}")).bind(&report.category)
                    .bind(&report.agency).bind("registered").bind(report.deadline.to_rfc3339()).bind(report.registered_at.to_rfc3339())
                    .bind(view).bind(district).execute(&mut *tx).await.unwrap();
                sqlx::query("INSERT INTO report_media (media_id, report_id, in_answer) VALUES (?, ?, 0)")
                    .bind(report.media[0].id.to_string())
                    .bind(report.id.to_string())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                for (kind, who, bucket, payload) in [
                    ("report", Some(&owner), own_bucket.clone(), view),
                    ("public_report", None, format!("d:{district}"), public),
                ] {
                    sqlx::query(
                        "INSERT INTO changes (kind, entity_id, owner, bucket, payload, at) VALUES (?, ?, ?, ?, ?, ?)",
                    )
                    .bind(kind)
                    .bind(report.id.to_string())
                    .bind(who)
                    .bind(bucket)
                    .bind(payload)
                    .bind("t")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                }
                sqlx::query("INSERT INTO applied_ops (op_id, user_id, kind, at) VALUES (?, ?, 'create_report', 't')")
                    .bind(op)
                    .bind(&owner)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
        }
        tx.commit().await.unwrap();
        latencies.push(t.elapsed());
    }
    let how = if multi_row { "multi-row statements" } else { "a statement per row" };
    Figures {
        label: format!("(a) raw SQLite, {per_tx}/transaction, {how}"),
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
    match std::env::var("QALA_BENCH_ONLY").as_deref() {
        Ok("http1") => {
            // Only the phones' case (for a profiler): no baseline, no ratio.
            rt.block_on(async { http_push(n, 1, clients).await.print() });
            return;
        }
        Ok(other) => panic!("QALA_BENCH_ONLY={other}: the one case this bench runs alone is http1"),
        Err(_) => {}
    }
    rt.block_on(async {
        println!(
            "push benchmark: {n} reports per case, {} cores",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        let raw1 = raw_sqlite(n, 1, false).await;
        raw1.print();
        let raw100 = raw_sqlite(n, 100, false).await;
        raw100.print();
        let raw100_multi = raw_sqlite(n, 100, true).await;
        raw100_multi.print();
        let push1 = http_push(n, 1, clients).await;
        push1.print();
        let push1_few = http_push(n / 2, 1, 4).await;
        push1_few.print();
        let push100 = http_push(n, 100, clients.min(8)).await;
        push100.print();
        println!(
            "ratio batch 1, {clients} phones / raw 100 per transaction, a statement per row = {:.2}",
            push1.rate() / raw100.rate()
        );
        println!(
            "ratio batch 1, {clients} phones / raw 100 per transaction, multi-row         = {:.2}",
            push1.rate() / raw100_multi.rate()
        );
        println!(
            "ratio batch 1, {clients} phones / raw 1 per transaction                     = {:.2}",
            push1.rate() / raw1.rate()
        );
        println!(
            "ratio batch 100 / raw 100 per transaction, multi-row                   = {:.2}",
            push100.rate() / raw100_multi.rate()
        );
    });
}
