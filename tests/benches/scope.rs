//! Scoped sync, measured in one run (`cargo bench -p qala-journeys --bench scope`):
//!
//! 1. **First sync of a new phone** in cities of 500, 20,000 and 200,000 reports
//!    (`QALA_BENCH_SIZES`): bytes on the wire (through a counting proxy, media aside) and the time
//!    of the whole cycle on loopback, applying included, for a phone following the whole city, one
//!    following one district and a new phone that follows none yet (the default until its first
//!    report); and the ratios of the sizes at 20,000 and 500.
//! 2. **Applying pulled rows** in qala-core (a real SQLite file): rows/s, against raw inserts of
//!    the same JSON into a bare table in the same run.
//! 3. **Screen queries** with 10,000 public reports and 200 of my own: Home, "same problem nearby"
//!    (300 m, one category) and the feed, p50/p99.
//! 4. **The server's pull at 10,000 … 1,000,000 change rows** (`QALA_BENCH_LOG_SIZES`), on SQLite
//!    and PostgreSQL: p50/p99 of a page for a phone near the head and for a new phone's snapshot of
//!    one district, the ratio to the smallest log, and the query plans.
//!
//! The city: reports arrive at a constant 550 a day (Almaty's yearly 200,000), spread over the
//! city's history; each is answered, closed or rejected within 12 days, and 1 in 100 stays open
//! for good. Seeded through the store's own group-commit path (the push path, many reports per
//! transaction), then the upkeep runs once (settled reports leave the public scope; compaction).
//! Section 4 writes change rows directly: a pull never reads its payloads.

#[path = "../tests/journeys/phone/mod.rs"]
mod phone;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use phone::Server;
use phone::proxy::Proxy;
use qala_core::Core;
use qala_core::sync::SyncEngine;
use qala_protocol::districts::{AREAS, WHOLE_CITY};
use qala_protocol::scope;
use qala_protocol::*;
use qala_server::app::Settings;
use qala_server::domain::calendar::WorkCalendar;
use qala_server::domain::reports::register;
use qala_server::store::{OpKey, Pulled, PushItem, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// Reports a day in the modelled city.
const PER_DAY: f64 = 550.0;
/// Days within which a report is settled.
const SETTLE_DAYS: f64 = 12.0;
/// Reports per seeding transaction.
const SEED_BATCH: usize = 2_000;

fn sizes(var: &str, default: &str) -> Vec<usize> {
    std::env::var(var).unwrap_or_else(|_| default.into()).split(',').filter_map(|s| s.trim().parse().ok()).collect()
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p) as usize]
}

/// A report of the modelled city, and the status it has reached by now (with when).
fn city_report(
    rng: &mut StdRng,
    n: usize,
    now: DateTime<Utc>,
    cat: &Category,
) -> (Report, Option<(ReportStatus, DateTime<Utc>)>) {
    let history_days = n as f64 / PER_DAY;
    let age = Duration::seconds((rng.random_range(0.0..history_days.max(0.01)) * 86_400.0) as i64);
    let a = &AREAS[rng.random_range(0..AREAS.len())];
    let new = NewReport {
        id: Uuid::now_v7(),
        category: cat.code.clone(),
        description: "Глубокая яма на проезжей части у остановки, машины объезжают её по встречной".into(),
        location: Location {
            lat: a.lat + rng.random_range(-0.02..0.02),
            lon: a.lon + rng.random_range(-0.02..0.02),
            accuracy_m: Some(8.0),
            source: LocationSource::Gps,
            fixed_at: now - age,
        },
        address: Some("ул. Абая, 10".into()),
        media: vec![],
        created_at: now - age,
    };
    let mut r = register(&new, cat, now - age, &WorkCalendar::default());
    for h in &mut r.history {
        h.at = now - age;
    }
    let settle = Duration::seconds((rng.random_range(0.0..SETTLE_DAYS) * 86_400.0) as i64);
    let fate = if rng.random_range(0..100) == 0 || settle > age {
        None
    } else {
        let s = [ReportStatus::Done, ReportStatus::Closed, ReportStatus::Rejected][rng.random_range(0..3)];
        Some((s, now - age + settle))
    };
    (r, fate)
}

/// Seeds `n` reports of the modelled city (by `owners` residents) through the store's push path,
/// then runs the upkeep's scope sweep and compaction once.
async fn seed_city(server: &Server, n: usize, window_days: i64) {
    let store = server.state.store.clone();
    let cat = server.state.catalog.get().categories.get("road_repair").unwrap().clone();
    let mut owners = Vec::new();
    for i in 0..200 {
        owners.push(store.resident_for_phone(&format!("+7702{i:07}"), Utc::now()).await.unwrap().user_id);
    }
    let mut rng = StdRng::seed_from_u64(n as u64);
    let now = Utc::now();
    let mut left = n;
    while left > 0 {
        let batch = left.min(SEED_BATCH);
        left -= batch;
        let mut creates = Vec::with_capacity(batch);
        let mut fates = Vec::new();
        for _ in 0..batch {
            let owner = owners[rng.random_range(0..owners.len())];
            let (r, fate) = city_report(&mut rng, n, now, &cat);
            if let Some(f) = fate {
                fates.push((r.id, owner, f));
            }
            creates.push(PushItem::CreateReport {
                op: OpKey { op_id: Uuid::now_v7(), user_id: owner, kind: "create_report" },
                owner,
                report: Box::new(r),
                prefix: "ALA".into(),
                quota: None,
            });
        }
        store.push_batch(creates).await.unwrap();
        let settles = fates
            .into_iter()
            .map(|(id, owner, (status, at))| {
                let rule = move |r: &mut Report, _owner: Uuid| -> Result<(), qala_server::domain::reports::Refusal> {
                    r.status = status;
                    r.history.push(StatusChange { status, at, by: ActorRole::Operator, note: None });
                    Ok(())
                };
                PushItem::Mutate {
                    op: OpKey { op_id: Uuid::now_v7(), user_id: owner, kind: "settle" },
                    report_id: id,
                    rule: Box::new(rule),
                }
            })
            .collect();
        store.push_batch(settles).await.unwrap();
    }
    while store.leave_public_scope(now - Duration::days(window_days), 500).await.unwrap() > 0 {}
    store.compact(now - Duration::days(90)).await.unwrap();
}

/// A new phone following `districts` signs in through a counting proxy and syncs once: bytes down
/// and up, seconds, and the public reports it then holds.
async fn first_sync(server: &Server, phone: &str, districts: &[String]) -> (u64, u64, f64, usize) {
    let proxy = Proxy::start(server.addr, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let core = Arc::new(Core::open(dir.path()).unwrap());
    let engine = SyncEngine::new(core.clone(), &proxy.url());
    engine.request_code(phone).await.unwrap();
    engine.sign_in(phone, &server.code(phone)).await.unwrap();
    core.set_districts(districts).unwrap();
    let (down0, up0) =
        (proxy.stats.downstream_bytes.load(Ordering::Relaxed), proxy.stats.upstream_bytes.load(Ordering::Relaxed));
    let t = Instant::now();
    engine.sync_once().await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    let down = proxy.stats.downstream_bytes.load(Ordering::Relaxed) - down0;
    let up = proxy.stats.upstream_bytes.load(Ordering::Relaxed) - up0;
    (down, up, secs, core.feed(None, u32::MAX).unwrap().len())
}

async fn section_first_sync() {
    println!("== 1. first sync of a new phone (whole city; one district), media aside");
    let mut whole = Vec::new();
    for n in sizes("QALA_BENCH_SIZES", "500,20000,200000") {
        let mut settings = Settings::new("ALA");
        settings.quotas.reports_per_day = u32::MAX;
        let server = Server::start_with(settings).await;
        let t = Instant::now();
        seed_city(&server, n, server.state.settings.public_window.num_days()).await;
        let seeded = t.elapsed().as_secs_f64();
        let (down, up, secs, held) = first_sync(&server, "+77019990001", &[WHOLE_CITY.into()]).await;
        let (d_down, _, d_secs, d_held) = first_sync(&server, "+77019990002", &["medeu".into()]).await;
        let (n_down, _, n_secs, _) = first_sync(&server, "+77019990003", &[]).await;
        println!(
            "{n:>7} reports (seeded in {seeded:>5.1} s): whole city {:>8.1} KB down, {:>5.1} KB up, {secs:>5.2} s, {held:>6} reports held | Medeu {:>7.1} KB, {d_secs:>5.2} s, {d_held:>5} held | no district yet {:>6.1} KB, {n_secs:>5.2} s",
            down as f64 / 1024.0,
            up as f64 / 1024.0,
            d_down as f64 / 1024.0,
            n_down as f64 / 1024.0,
        );
        whole.push((n, [down, d_down, n_down]));
    }
    let at = |n| whole.iter().find(|(m, _)| *m == n).map(|(_, b)| *b);
    if let (Some(small), Some(big)) = (at(500), at(20_000)) {
        let r = |i: usize| big[i] as f64 / small[i] as f64;
        println!(
            "ratio of first-sync bytes, 20,000 / 500 reports (goal ≤ 3): whole city {:.2}, Medeu {:.2}, no district yet (a new phone's default) {:.2}",
            r(0),
            r(1),
            r(2)
        );
    }
    // What one public report weighs, as JSON and gzipped (the pull's payload per report).
    let sample = PublicReport {
        id: Uuid::now_v7(),
        registration_number: "ALA-2026-012345".into(),
        category: "road_repair".into(),
        agency: "mobility".into(),
        district: "medeu".into(),
        description: "Глубокая яма на проезжей части у остановки, машины объезжают её по встречной".into(),
        more: false,
        lat: 43.2456,
        lon: 76.9712,
        address: Some("ул. Абая, 10".into()),
        status: ReportStatus::InProgress,
        deadline: Utc::now(),
        registered_at: Utc::now(),
    };
    let change = Change {
        seq: 123_456,
        kind: EntityKind::PublicReport,
        id: sample.id.to_string(),
        entity: Some(Entity::PublicReport(sample)),
    };
    println!("one public report in a pull page: {} B of JSON", serde_json::to_string(&change).unwrap().len());
}

/// Pages of `n` public reports (and their cursor) as the server would send them.
fn public_pages(n: usize, per_page: usize) -> Vec<PullResponse> {
    let mut rng = StdRng::seed_from_u64(7);
    let cats = ["road_repair", "street_lighting", "sidewalks", "household_waste"];
    let changes: Vec<Change> = (0..n)
        .map(|i| {
            let a = &AREAS[rng.random_range(0..AREAS.len())];
            let r = PublicReport {
                id: Uuid::now_v7(),
                registration_number: format!("ALA-2026-{i:06}"),
                category: cats[rng.random_range(0..cats.len())].into(),
                agency: "mobility".into(),
                district: a.code.into(),
                description: "Глубокая яма на проезжей части у остановки, машины объезжают её по встречной".into(),
                more: false,
                lat: a.lat + rng.random_range(-0.02..0.02),
                lon: a.lon + rng.random_range(-0.02..0.02),
                address: None,
                status: if rng.random_range(0..3) == 0 { ReportStatus::Done } else { ReportStatus::InProgress },
                deadline: Utc::now(),
                registered_at: Utc::now() - Duration::seconds(rng.random_range(0..2_000_000)),
            };
            Change {
                seq: i as i64 + 1,
                kind: EntityKind::PublicReport,
                id: r.id.to_string(),
                entity: Some(Entity::PublicReport(r)),
            }
        })
        .collect();
    changes
        .chunks(per_page)
        .map(|c| PullResponse {
            changes: c.to_vec(),
            next_cursor: format!("d.medeu:{}", c.last().unwrap().seq),
            has_more: true,
        })
        .collect()
}

fn section_apply() {
    println!("== 2. applying pulled rows on the phone (qala-core, SQLite file)");
    let n = 20_000;
    let pages = public_pages(n, 500);
    let dir = tempfile::tempdir().unwrap();
    let core = Core::open(dir.path()).unwrap();
    core.set_districts(&[WHOLE_CITY.into()]).unwrap();
    let districts = core.districts().unwrap();
    let t = Instant::now();
    let mut cursor = String::new();
    for p in &pages {
        qala_core::sync::apply_page(&core, p, &cursor, &districts).unwrap().unwrap();
        cursor = p.next_cursor.clone();
    }
    let core_rate = n as f64 / t.elapsed().as_secs_f64();
    // The floor: the same JSON into a bare key-value table, one transaction per page.
    let raw = rusqlite::Connection::open(dir.path().join("raw.db")).unwrap();
    raw.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw.pragma_update(None, "synchronous", "NORMAL").unwrap();
    raw.execute_batch("CREATE TABLE kv (id TEXT PRIMARY KEY, data TEXT NOT NULL)").unwrap();
    let t = Instant::now();
    for p in &pages {
        let tx = raw.unchecked_transaction().unwrap();
        {
            let mut stmt = tx.prepare_cached("INSERT OR REPLACE INTO kv (id, data) VALUES (?1, ?2)").unwrap();
            for c in &p.changes {
                stmt.execute(rusqlite::params![c.id, serde_json::to_string(&c.entity).unwrap()]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let raw_rate = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "{n} public reports in pages of 500: qala-core {core_rate:>8.0} rows/s (goal ≥ 20,000) | bare key-value inserts {raw_rate:>8.0} rows/s | ratio {:.2}",
        core_rate / raw_rate
    );
}

async fn section_screens() {
    println!("== 3. screen queries with 10,000 public reports and 200 of my own");
    let dir = tempfile::tempdir().unwrap();
    let core = Core::open(dir.path()).unwrap();
    core.set_districts(&[WHOLE_CITY.into()]).unwrap();
    let districts = core.districts().unwrap();
    let mut cursor = String::new();
    for p in public_pages(10_000, 500) {
        qala_core::sync::apply_page(&core, &p, &cursor, &districts).unwrap().unwrap();
        cursor = p.next_cursor.clone();
    }
    // My 200 reports, as my bucket brings them.
    let cat = qala_server::app::shipped_catalog().unwrap().1.into_iter().find(|c| c.code == "road_repair").unwrap();
    let mine: Vec<Change> = (0..200)
        .map(|i| {
            let new = NewReport {
                id: Uuid::now_v7(),
                category: "road_repair".into(),
                description: "Яма у подъезда".into(),
                location: Location {
                    lat: 43.24,
                    lon: 76.9,
                    accuracy_m: None,
                    source: LocationSource::Pin,
                    fixed_at: Utc::now(),
                },
                address: None,
                media: vec![],
                created_at: Utc::now(),
            };
            let mut r = register(&new, &cat, Utc::now(), &WorkCalendar::default());
            r.registration_number = format!("ALA-2026-9{i:05}");
            Change {
                seq: 20_000 + i,
                kind: EntityKind::Report,
                id: r.id.to_string(),
                entity: Some(Entity::Report(Box::new(r))),
            }
        })
        .collect();
    let page = PullResponse { changes: mine, next_cursor: "me:20200".into(), has_more: false };
    qala_core::sync::apply_page(&core, &page, &cursor, &districts).unwrap().unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let mut time = |f: &mut dyn FnMut(&mut StdRng)| {
        let mut v: Vec<f64> = (0..300)
            .map(|_| {
                let t = Instant::now();
                f(&mut rng);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        (pct(&mut v, 0.5), pct(&mut v, 0.99))
    };
    let home = time(&mut |_| assert_eq!(core.my_reports().unwrap().len(), 200));
    let nearby = time(&mut |rng| {
        let a = &AREAS[rng.random_range(0..AREAS.len())];
        core.nearby("road_repair", a.lat + rng.random_range(-0.02..0.02), a.lon, 300.0).unwrap();
    });
    let feed = time(&mut |_| assert_eq!(core.feed(None, 50).unwrap().len(), 50));
    for (name, (p50, p99)) in
        [("Home (my 200 reports)", home), ("nearby, 300 m, one category", nearby), ("feed, first 50", feed)]
    {
        println!("{name:<30} p50 {p50:>6.2} ms  p99 {p99:>6.2} ms (goal p99 ≤ 20 ms)");
    }
}

/// Writes `rows` change rows spread over the city's buckets, straight into the log (`insert` runs
/// one multi-row statement per call with `batch` rows from `from`).
async fn fill_log<F, Fut>(rows: usize, mut insert: F)
where
    F: FnMut(usize, usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut from = 0;
    while from < rows {
        let batch = (rows - from).min(50_000);
        insert(from, batch).await;
        from += batch;
    }
}

/// p50/p99 (ms) of a page of one district's scope for a phone 5,000 rows behind the head, and of
/// a new phone's first page.
async fn time_pulls(store: &Arc<dyn Store>, user: Uuid, head: i64) -> ((f64, f64), (f64, f64)) {
    let behind = (head - 5_000).max(1).to_string();
    let mut near = Vec::new();
    let mut fresh = Vec::new();
    for _ in 0..60 {
        let b = scope::buckets(user, &["medeu".into()]).unwrap();
        let t = Instant::now();
        let Pulled::Page(p) = store.pull(scope::positions(Some(&behind), b.clone()).unwrap(), 500).await.unwrap()
        else {
            panic!("gone")
        };
        near.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(!p.rows.is_empty());
        let t = Instant::now();
        let Pulled::Page(p) = store.pull(scope::positions(None, b).unwrap(), 500).await.unwrap() else {
            panic!("gone")
        };
        fresh.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(p.rows.len(), 500);
    }
    ((pct(&mut near, 0.5), pct(&mut near, 0.99)), (pct(&mut fresh, 0.5), pct(&mut fresh, 0.99)))
}

const PAYLOAD: &str = r#"{"public_report":{"id":"0192a5c0-0000-7000-8000-000000000000","registration_number":"ALA-2026-000001","category":"road_repair","agency":"mobility","district":"medeu","description":"Яма","lat":43.2456,"lon":76.9712,"status":"in_progress","deadline":"2026-12-01T18:59:00Z","registered_at":"2026-11-20T10:00:00Z"}}"#;

/// The SQL that writes change rows `from..from + n` (each its own object): the buckets of the
/// districts, the city's and a resident's in turn, every tenth row a deletion. `series` yields `x`.
fn fill_sql(from: usize, n: usize, series: &str) -> String {
    let buckets: Vec<String> =
        AREAS.iter().map(|a| scope::district_key(a.code)).chain(["city".into(), "u:0".into()]).collect();
    let case: String = buckets.iter().enumerate().map(|(i, b)| format!(" WHEN {i} THEN '{b}'")).collect();
    format!(
        "INSERT INTO changes (kind, entity_id, owner, bucket, payload, at)
         SELECT 'public_report', 'e' || x, NULL, CASE x % {k}{case} END,
                CASE WHEN x % 10 = 0 THEN NULL ELSE '{payload}' END, '2026-11-29T00:00:00Z'
         FROM {series}",
        k = buckets.len(),
        payload = PAYLOAD.replace('\'', "''"),
        series = series.replace("{from}", &from.to_string()).replace("{to}", &(from + n - 1).to_string()),
    )
}

async fn section_pull_at_scale() {
    println!(
        "== 4. the server's pull at growing change logs (a phone near the head | a new phone's first page of one district)"
    );
    let log_sizes = sizes("QALA_BENCH_LOG_SIZES", "10000,100000,1000000");
    // SQLite: the embedded store, filled through its own file.
    {
        let dir = tempfile::tempdir().unwrap();
        let state = qala_server::app::embedded_state(dir.path(), Settings::new("ALA")).await.unwrap();
        let user = state.store.resident_for_phone("+77019990100", Utc::now()).await.unwrap().user_id;
        let db = rusqlite::Connection::open(dir.path().join("qala.db")).unwrap();
        db.busy_timeout(StdDuration::from_secs(30)).unwrap();
        let mut have = 0;
        let mut base = None;
        for &n in &log_sizes {
            let add = n.saturating_sub(have);
            fill_log(add, |from, batch| {
                let sql = fill_sql(have + from, batch, "(WITH RECURSIVE s(x) AS (SELECT {from} UNION ALL SELECT x + 1 FROM s WHERE x < {to}) SELECT x FROM s) AS s");
                db.execute_batch(&sql).unwrap();
                async {}
            })
            .await;
            have = n;
            let head: i64 = db.query_row("SELECT MAX(seq) FROM changes", [], |r| r.get(0)).unwrap();
            let ((n50, n99), (f50, f99)) = time_pulls(&state.store, user, head).await;
            let base_f = *base.get_or_insert((n50, f50));
            println!(
                "SQLite     {n:>8} rows: near head p50 {n50:>6.2} ms p99 {n99:>6.2} ms | new phone p50 {f50:>6.2} ms p99 {f99:>6.2} ms | ratio to {} rows: {:.2} / {:.2}",
                log_sizes[0],
                n50 / base_f.0,
                f50 / base_f.1
            );
        }
        for (what, sql) in [
            (
                "stream",
                "EXPLAIN QUERY PLAN SELECT seq FROM changes WHERE bucket = 'd:medeu' AND seq > 5 AND seq <= 9 ORDER BY seq LIMIT 501",
            ),
            (
                "snapshot",
                "EXPLAIN QUERY PLAN SELECT seq FROM changes c WHERE bucket = 'd:medeu' AND seq > 0 AND seq <= 9 AND payload IS NOT NULL AND NOT EXISTS (SELECT 1 FROM changes n WHERE n.kind = c.kind AND n.entity_id = c.entity_id AND n.bucket = c.bucket AND n.seq > c.seq) ORDER BY seq LIMIT 501",
            ),
        ] {
            let mut stmt = db.prepare(sql).unwrap();
            let plan: Vec<String> =
                stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(|r| r.unwrap()).collect();
            println!("SQLite plan ({what}): {}", plan.join(" ; "));
        }
    }
    // PostgreSQL: a fresh schema of the test database.
    let url =
        std::env::var("QALA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("qala_bench_{}", Uuid::now_v7().simple());
    let store: Arc<dyn Store> = match qala_server::store::postgres::PgStore::connect(&url, Some(&schema)).await {
        Ok(s) => Arc::new(s),
        Err(e) => {
            println!("PostgreSQL: not reachable at {url} ({e}); skipped");
            return;
        }
    };
    let (agencies, categories) = qala_server::app::shipped_catalog().unwrap();
    store.seed_catalog(&agencies, &categories).await.unwrap();
    let user = store.resident_for_phone("+77019990101", Utc::now()).await.unwrap().user_id;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(
            url.parse::<sqlx::postgres::PgConnectOptions>().unwrap().options([("search_path", schema.as_str())]),
        )
        .await
        .unwrap();
    let mut have = 0;
    let mut base = None;
    for &n in &log_sizes {
        let add = n.saturating_sub(have);
        let start = have;
        fill_log(add, |from, batch| {
            let sql = fill_sql(start + from, batch, "generate_series({from}, {to}) AS s(x)");
            let pool = pool.clone();
            async move {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap();
            }
        })
        .await;
        have = n;
        sqlx::raw_sql("ANALYZE changes").execute(&pool).await.unwrap();
        let head: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM changes").fetch_one(&pool).await.unwrap();
        let ((n50, n99), (f50, f99)) = time_pulls(&store, user, head).await;
        let base_f = *base.get_or_insert((n50, f50));
        println!(
            "PostgreSQL {n:>8} rows: near head p50 {n50:>6.2} ms p99 {n99:>6.2} ms | new phone p50 {f50:>6.2} ms p99 {f99:>6.2} ms | ratio to {} rows: {:.2} / {:.2}",
            log_sizes[0],
            n50 / base_f.0,
            f50 / base_f.1
        );
    }
    for (what, sql) in [
        (
            "stream",
            "EXPLAIN SELECT seq FROM changes WHERE bucket = 'd:medeu' AND seq > 5 AND seq <= 9 ORDER BY seq LIMIT 501",
        ),
        (
            "snapshot",
            "EXPLAIN SELECT seq FROM changes c WHERE bucket = 'd:medeu' AND seq > 0 AND seq <= 900000 AND payload IS NOT NULL AND NOT EXISTS (SELECT 1 FROM changes n WHERE n.kind = c.kind AND n.entity_id = c.entity_id AND n.bucket = c.bucket AND n.seq > c.seq) ORDER BY seq LIMIT 501",
        ),
    ] {
        let plan: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(&pool).await.unwrap();
        println!("PostgreSQL plan ({what}):\n  {}", plan.join("\n  "));
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA \"{schema}\" CASCADE"))).execute(&pool).await.unwrap();
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let only = std::env::var("QALA_BENCH_ONLY").unwrap_or_default();
    let on = |s: &str| only.is_empty() || only.split(',').any(|o| o == s);
    if on("first") {
        section_first_sync().await;
    }
    if on("apply") {
        section_apply();
    }
    if on("screens") {
        section_screens().await;
    }
    if on("pull") {
        section_pull_at_scale().await;
    }
}
