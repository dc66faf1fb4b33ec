//! Load benchmark: N simulated phones against the real server over loopback, on SQLite and on
//! PostgreSQL. Each phone signs in (one-time code), pushes reports in small batches, uploads a
//! photo and pulls. Printed per backend: reports/s, uploads/s, pull pages/s, p50/p99 of every
//! request, errors; and, in the same run, the raw insert rate of that database for the same rows.
//!
//! Each backend runs twice. Flat out (every phone at once, no pause between requests) is the
//! measure of capacity, where latency is the number of phones over the throughput. Paced is a
//! second, different measure, not a replacement: phones arriving at random over
//! QALA_BENCH_ARRIVAL_MS (default 5,000), each pausing QALA_BENCH_THINK_MS (default 250) after
//! every answer (closed loop: a slow server is offered less), which gives latency at a load below
//! capacity. 100 phones that way offer about 120 requests/s and 260 reports/s; Open Almaty's
//! 173,518 requests in nine months are about 640 a day.
//!
//! `cargo bench -p qala-server --bench load`. QALA_BENCH_PHONES (default 100),
//! QALA_TEST_DATABASE_URL (default the local PostgreSQL, database `test`, a fresh schema),
//! QALA_BENCH_ONLY=sqlite or postgres (one backend alone, for a profiler).

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use qala_protocol::*;
use qala_server::app::{AppState, Settings};
use qala_server::media::storage::MediaStore;
use qala_server::store::Store;
use qala_server::testing::RunningServer;
use uuid::Uuid;

#[path = "common/phones.rs"]
mod phones;
use phones::*;

async fn run(name: &str, store: Arc<dyn Store>, phones: usize, pace: impl Fn(usize) -> Pace) -> f64 {
    let flat_out = (0..phones).all(|n| pace(n).start.is_zero() && pace(n).think.is_zero());
    let dir = tempfile::tempdir().unwrap();
    // The phones stand behind a proxy on loopback that names each one's own address.
    let mut settings = Settings::new("ALA");
    settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    // Every simulated phone is new to the server: the hourly SMS budget must not be what it measures.
    settings.otp_limits.sms_per_hour = u32::MAX;
    let mut state = AppState::init(store, MediaStore::local(dir.path()).unwrap(), settings).await.unwrap();
    let inbox = Arc::new(Inbox::default());
    state.sms = inbox.clone();
    let server = RunningServer::start(state, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = format!("{}{API_PREFIX}", server.url());
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Each client loads the system's root certificates: made before the clock starts.
    let clients: Vec<_> = (0..phones).map(phone_client).collect();
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(n, http)| tokio::spawn(phone(http, base.clone(), inbox.clone(), n, pace(n))))
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await.unwrap();
        all.latencies.extend(t.latencies);
        all.errors += t.errors;
        all.reports += t.reports;
        all.uploads += t.uploads;
        all.pages += t.pages;
        for (step, mut l) in t.by_step {
            all.by_step.entry(step).or_default().append(&mut l);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    server.stop().await;
    all.latencies.sort();
    let pct = |p: f64| all.latencies[((all.latencies.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e3;
    if flat_out {
        println!(
            "{name:<8} flat out, {phones} phones: {:>5.0} requests/s {:>6.0} reports/s {:>5.0} uploads/s {:>5.0} pull pages/s  p50 {:>6.2} ms  p99 {:>7.2} ms  errors {}",
            all.latencies.len() as f64 / secs,
            all.reports as f64 / secs,
            all.uploads as f64 / secs,
            all.pages as f64 / secs,
            pct(0.5),
            pct(0.99),
            all.errors
        );
        // How busy the machine's cores were (server, phones and database together) tells whether
        // the latency is waiting for CPU or for something else (the disk, a lock).
        println!(
            "{:<8}   CPU {cpu:.2} s in {secs:.2} s: {:.2} of {} cores busy",
            "",
            cpu / secs,
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
    } else {
        // The rates of a paced run are the pacing's, not the server's: only the latency is printed.
        println!(
            "{name:<8} paced, {phones} phones: offered {:>4.0} requests/s (set by the pacing)  p50 {:>6.2} ms  p99 {:>7.2} ms  errors {}  ({} requests)",
            all.latencies.len() as f64 / secs,
            pct(0.5),
            pct(0.99),
            all.errors,
            all.latencies.len()
        );
    }
    // Where the time goes, step by step of the phones' journey.
    for (step, l) in &mut all.by_step {
        l.sort();
        let pct = |p: f64| l[((l.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e3;
        println!("{:<8}   {step:<16} p50 {:>6.2} ms  p99 {:>7.2} ms  ({} requests)", "", pct(0.5), pct(0.99), l.len());
    }
    all.reports as f64 / secs
}

/// CPU time the whole machine has spent busy (user, system, interrupts: everything but idle and
/// waiting for the disk), from /proc/stat, in seconds; 0 where there is none. Machine-wide, so
/// that PostgreSQL's own processes count too.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> =
        stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    let idle = ticks.get(3).copied().unwrap_or(0.0) + ticks.get(4).copied().unwrap_or(0.0);
    // Guest time is counted in user time already.
    let total: f64 = ticks.iter().take(8).sum();
    // In USER_HZ ticks, which Linux fixes at 100 a second for this file.
    (total - idle) / 100.0
}

/// The rows a registered report writes (the report, its two change rows, the op ledger entry, the
/// sequence bump), inserted with plain SQL in transactions of PER_BATCH — no HTTP, auth, JSON or
/// rules in front. The SQL is the portable kind both databases accept.
macro_rules! raw_inserts {
    ($pool:expr, $owner:expr, $reports:expr) => {{
        let category = qala_server::app::shipped_catalog().unwrap().1.into_iter().find(|c| c.code == "road_repair").unwrap();
        let cal = qala_server::domain::calendar::WorkCalendar::default();
        let rows: Vec<Report> =
            (0..$reports).map(|_| qala_server::domain::reports::register(&report(), &category, Utc::now(), &cal)).collect();
        let start = Instant::now();
        for batch in rows.chunks(PER_BATCH) {
            let mut tx = $pool.begin().await.unwrap();
            for r in batch {
                let seq: i64 = sqlx::query_scalar(
                    "INSERT INTO counters (name, value) VALUES ('raw', 1)
                     ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
                )
                .fetch_one(&mut *tx)
                .await
                .unwrap();
                let view = serde_json::to_string(r).unwrap();
                let public = serde_json::to_string(&Entity::PublicReport(PublicReport::from(r))).unwrap();
                sqlx::query(
                    "INSERT INTO reports (id, owner, reg_number, category, agency, status, deadline, registered_at, view)
                     VALUES ($1, $2, $3, $4, $5, 'registered', $6, $7, $8)",
                )
                .bind(r.id.to_string())
                .bind($owner.to_string())
                .bind(format!("RAW-{seq}"))
                .bind(&r.category)
                .bind(&r.agency)
                .bind(r.deadline.to_rfc3339())
                .bind(r.registered_at.to_rfc3339())
                .bind(&view)
                .execute(&mut *tx)
                .await
                .unwrap();
                sqlx::query("INSERT INTO changes (kind, entity_id, owner, payload, at) VALUES ('report', $1, $2, $3, 't'), ('public_report', $1, NULL, $4, 't')")
                    .bind(r.id.to_string())
                    .bind($owner.to_string())
                    .bind(format!("{{\"report\":{view}}}"))
                    .bind(&public)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                sqlx::query("INSERT INTO applied_ops (op_id, user_id, kind, at) VALUES ($1, $2, 'create_report', 't')")
                    .bind(Uuid::now_v7().to_string())
                    .bind($owner.to_string())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
        $reports as f64 / start.elapsed().as_secs_f64()
    }};
}

fn main() {
    let phones: usize = std::env::var("QALA_BENCH_PHONES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let env_ms = |name: &str, default: u64| {
        std::time::Duration::from_millis(std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default))
    };
    let (window, think) = (env_ms("QALA_BENCH_ARRIVAL_MS", 5_000), env_ms("QALA_BENCH_THINK_MS", 250));
    let pg_url =
        std::env::var("QALA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        println!("load: {phones} phones, each {BATCHES} pushes of {PER_BATCH} reports, 1 photo, a full pull");
        println!(
            "flat out: all at once, no pause (capacity); paced: arriving at random over {} s, {} ms between requests",
            window.as_secs_f64(),
            think.as_millis()
        );
        let paced = |n| Pace::arriving(n, window, think);
        let n = phones * BATCHES * PER_BATCH;
        let seed = |s: Arc<dyn Store>| async move {
            let (agencies, categories) = qala_server::app::shipped_catalog().unwrap();
            s.seed_catalog(&agencies, &categories).await.unwrap();
            let owner = s.resident_for_phone("+77059999999", Utc::now()).await.unwrap().user_id;
            (s, owner)
        };

        let only = std::env::var("QALA_BENCH_ONLY").ok();
        if let Some(other) = only.as_deref().filter(|o| !["sqlite", "postgres"].contains(o)) {
            panic!("QALA_BENCH_ONLY={other}: this bench runs `sqlite` or `postgres` alone");
        }
        let runs = |backend: &str| only.as_deref().is_none_or(|o| o == backend);

        // SQLite: the store's file, and a plain pool on the same file with the same fsync setting.
        if runs("sqlite") {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("raw.db");
        let (_raw_store, owner) =
            seed(Arc::new(qala_server::store::sqlite::SqliteStore::open(&file).await.unwrap())).await;
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&file)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory");
        let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
        let raw_rate = raw_inserts!(pool, owner, n);
        let sqlite = |file: &'static str| {
            let path = dir.path().join(file);
            async move { seed(Arc::new(qala_server::store::sqlite::SqliteStore::open(&path).await.unwrap())).await.0 }
        };
        let rate = run("sqlite", sqlite("load.db").await, phones, |_| Pace::FLAT_OUT).await;
        println!(
            "sqlite   raw inserts, {PER_BATCH} per transaction: {raw_rate:>6.0} reports/s; flat-out pushes reach {:.2} of it",
            rate / raw_rate
        );
        run("sqlite", sqlite("paced.db").await, phones, paced).await;
        }

        // PostgreSQL: a fresh schema each, and a plain pool on the raw one.
        if !runs("postgres") {
            return;
        }
        let schema = format!("qala_t_{}", Uuid::now_v7().simple());
        let (_raw_store, owner) =
            seed(Arc::new(qala_server::store::postgres::PgStore::connect(&pg_url, Some(&schema)).await.unwrap())).await;
        let opts: sqlx::postgres::PgConnectOptions = pg_url.parse().unwrap();
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_with(opts.options([("search_path", schema.as_str())]))
            .await
            .unwrap();
        let raw_rate = raw_inserts!(pool, owner, n);
        let postgres = || async {
            let schema = format!("qala_t_{}", Uuid::now_v7().simple());
            seed(Arc::new(qala_server::store::postgres::PgStore::connect(&pg_url, Some(&schema)).await.unwrap()))
                .await
                .0
        };
        let rate = run("postgres", postgres().await, phones, |_| Pace::FLAT_OUT).await;
        println!(
            "postgres raw inserts, {PER_BATCH} per transaction: {raw_rate:>6.0} reports/s; flat-out pushes reach {:.2} of it",
            rate / raw_rate
        );
        run("postgres", postgres().await, phones, paced).await;
    });
}
