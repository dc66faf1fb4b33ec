//! Assembling and running the server: state, seeding, router, background upkeep, graceful shutdown.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, Utc};
use qala_protocol::{Agency, Category};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::auth::TokenPolicy;
use crate::auth::sms::{NoSender, SmsSender};
use crate::config::{DataArgs, ServeArgs};
use crate::domain::calendar::{HOLIDAYS_JSON, WorkCalendar, calendar_from, expand_holidays};
use crate::error::{AppError, AppResult};
use crate::limits::AddrLimiter;
use crate::media::storage::{MediaStore, S3Config};
use crate::push_queue::PushQueue;
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{OtpLimits, Store, StoreResult};

/// The shipped catalogue of agencies and categories.
pub const CATALOG_JSON: &str = include_str!("../data/catalog.json");

#[derive(Deserialize)]
struct CatalogFile {
    agencies: Vec<Agency>,
    categories: Vec<SeedCategory>,
}

#[derive(Deserialize)]
struct SeedCategory {
    code: String,
    agency: String,
    deadline_days: u16,
    icon: String,
    name: qala_protocol::LocalizedText,
}

/// Agencies and categories from the shipped data file.
pub fn shipped_catalog() -> AppResult<(Vec<Agency>, Vec<Category>)> {
    let file: CatalogFile =
        serde_json::from_str(CATALOG_JSON).map_err(|e| AppError::Internal(format!("catalog.json: {e}")))?;
    let categories = file
        .categories
        .into_iter()
        .map(|c| Category {
            code: c.code,
            name: c.name,
            agency: c.agency,
            deadline_days: c.deadline_days,
            icon: c.icon,
            active: true,
        })
        .collect();
    Ok((file.agencies, categories))
}

/// What routing and deadlines need: the catalogue and the working calendar.
pub struct Catalog {
    pub agencies: Vec<Agency>,
    pub categories: HashMap<String, Category>,
    pub calendar: WorkCalendar,
}

impl Catalog {
    pub async fn load(store: &dyn Store) -> StoreResult<Self> {
        Ok(Catalog {
            agencies: store.agencies().await?,
            categories: store.categories().await?.into_iter().map(|c| (c.code.clone(), c)).collect(),
            calendar: calendar_from(&store.holidays().await?),
        })
    }

    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.code == code)
    }

    pub fn deadline_days(&self, category: &str) -> u16 {
        self.categories.get(category).map_or(10, |c| c.deadline_days)
    }
}

/// The catalogue as last loaded. An administrator's edit reloads it at once on the instance that
/// made it; every instance also reloads it every [`CATALOG_RELOAD`], so the others follow.
#[derive(Clone)]
pub struct CatalogCell(Arc<std::sync::RwLock<Arc<Catalog>>>);

/// How stale another instance's catalogue may be after an administrator's edit.
pub const CATALOG_RELOAD: std::time::Duration = std::time::Duration::from_secs(30);

impl CatalogCell {
    pub fn get(&self) -> Arc<Catalog> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub async fn reload(&self, store: &dyn Store) -> StoreResult<()> {
        let fresh = Arc::new(Catalog::load(store).await?);
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }
}

/// Tunables; defaults are the production values, tests may shorten them.
#[derive(Clone, Debug)]
pub struct Settings {
    pub city_prefix: Arc<str>,
    pub tokens: TokenPolicy,
    pub otp_limits: OtpLimits,
    pub otp_ttl: Duration,
    /// An unfinished upload is dropped this long after its last chunk.
    pub upload_ttl: Duration,
    /// Tombstones older than this are pruned; older cursors get 410.
    pub retention: Duration,
    /// A report settled longer ago than this leaves the public scope (see `qala_protocol::scope`).
    pub public_window: Duration,
    /// Open311 intake: (channel name, API key).
    pub open311_keys: Vec<(String, String)>,
    /// Proxies whose `X-Forwarded-For` is believed (a TLS terminator, a load balancer).
    pub trusted_proxies: Vec<crate::limits::Net>,
    /// What one client address may do before it is told to wait.
    pub client_limits: ClientLimits,
    /// How long a connection and a request may take.
    pub timeouts: Timeouts,
    /// What one resident's account may create per day.
    pub quotas: Quotas,
    /// A stored media file that no report refers to is deleted this long after it was stored.
    /// Generous, because a phone may upload a report's files before the report itself gets in
    /// (its op refused by a quota until the next day, or held back until an app update); a report
    /// that declares a file after it was collected shows that file as never arriving.
    pub media_gc_grace: Duration,
    /// How long personal data is kept after it stopped being needed: the files residents uploaded
    /// for a report after it settled, the phone numbers of residents after their last activity.
    pub personal_data: Duration,
}

/// Daily quotas of a resident's account; staff and intake channels (Open311) have none. A day is
/// the local calendar day (see [`crate::domain::quota`] for why). The defaults are ceilings a real
/// resident never meets — a busy one files a few reports a week, with photos of a few hundred KB —
/// set against scripts and runaway clients: over one, a pushed op is rejected with
/// `quota_exceeded` (the rest of the push goes on) and an upload is refused with 429, both saying
/// how long until midnight.
#[derive(Clone, Copy, Debug)]
pub struct Quotas {
    /// New reports per day.
    pub reports_per_day: u32,
    /// Comments on city projects per day.
    pub comments_per_day: u32,
    /// Bytes of media uploads begun per day: the declared lengths, counted when an upload is
    /// created (a restarted upload counts again).
    pub media_bytes_per_day: u64,
}

impl Quotas {
    pub const DEFAULT: Quotas = Quotas { reports_per_day: 20, comments_per_day: 200, media_bytes_per_day: 500 << 20 };
}

/// Days personal data is kept after it stopped being needed (see [`Settings::personal_data`]):
/// three years, long enough for a complaint, an appeal or a court to ask about a settled report.
pub const PERSONAL_DATA_DAYS: u32 = 3 * 365;

/// Hours a stored file that no report refers to is kept before it is collected: long enough for a
/// report that a phone sends days after its photos (offline, or held back by a quota).
pub const MEDIA_GC_GRACE_HOURS: u32 = 14 * 24;

/// Limits per client address, counted in memory on each instance. Generous by default: many
/// phones share one address behind a mobile operator's NAT.
#[derive(Clone, Copy, Debug)]
pub struct ClientLimits {
    /// Sign-in codes asked for from one address per window.
    pub otp_requests: u32,
    pub otp_window: std::time::Duration,
    /// Sign-in codes checked from one address per `otp_window`, across all phones (right ones
    /// included: they are counted before the check).
    pub otp_checks: u32,
    /// Failed staff sign-ins from one address per window.
    pub login_failures: u32,
    pub login_window: std::time::Duration,
    /// Password checks (argon2, ~19 MiB and tens of milliseconds each) running at once; more
    /// wait up to [`PASSWORD_WAIT`], then get 429.
    pub password_checks: usize,
}

impl ClientLimits {
    pub const DEFAULT: ClientLimits = ClientLimits {
        otp_requests: 60,
        otp_window: std::time::Duration::from_secs(600),
        otp_checks: 60,
        login_failures: 30,
        login_window: std::time::Duration::from_secs(900),
        password_checks: 1,
    };
}

/// How long a sign-in waits for a free password checker before it is told to retry.
pub const PASSWORD_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Connection and request limits, chosen here rather than left to library defaults.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// From a connection's opening (or the end of its previous request) to the end of the
    /// request headers.
    pub header_read: std::time::Duration,
    /// A whole ordinary request, body included, until its response starts.
    pub request: std::time::Duration,
    /// A request that carries files (a tus chunk, the console's answer with its photo report),
    /// which may take megabytes over a slow link.
    pub upload: std::time::Duration,
    /// Open connections at once; more wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Open connections from one peer address that is not a trusted proxy; more are closed. A
    /// mobile operator's NAT puts many phones behind one address: exposed directly (no proxy in
    /// front), keep this well above one phone's share.
    pub connections_per_addr: usize,
    /// Requests being handled at once; more get 503 with Retry-After at once.
    pub max_in_flight: usize,
}

impl Timeouts {
    pub const DEFAULT: Timeouts = Timeouts {
        header_read: std::time::Duration::from_secs(10),
        request: std::time::Duration::from_secs(30),
        upload: std::time::Duration::from_secs(600),
        max_connections: 2048,
        connections_per_addr: 256,
        max_in_flight: 512,
    };
}

impl Settings {
    pub fn new(city_prefix: &str) -> Self {
        Settings {
            city_prefix: city_prefix.into(),
            tokens: TokenPolicy::default(),
            otp_limits: OtpLimits {
                per_phone: 3,
                phone_window_s: 600,
                per_phone_daily: 10,
                sms_per_hour: 3000,
                max_attempts: qala_protocol::OTP_MAX_ATTEMPTS,
                min_life_s: 60,
            },
            otp_ttl: Duration::seconds(i64::from(qala_protocol::OTP_TTL_SECS)),
            upload_ttl: Duration::hours(24),
            retention: Duration::days(90),
            public_window: Duration::days(14),
            open311_keys: Vec::new(),
            trusted_proxies: Vec::new(),
            client_limits: ClientLimits::DEFAULT,
            timeouts: Timeouts::DEFAULT,
            quotas: Quotas::DEFAULT,
            media_gc_grace: Duration::hours(i64::from(MEDIA_GC_GRACE_HOURS)),
            personal_data: Duration::days(i64::from(PERSONAL_DATA_DAYS)),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub media: MediaStore,
    pub sms: Arc<dyn SmsSender>,
    pub catalog: CatalogCell,
    pub settings: Arc<Settings>,
    /// Keys one-time-code hashes; lives in the database so every instance shares it.
    pub secret: Arc<str>,
    /// Applies pushes, combining those that arrive together into one commit.
    pub pushes: PushQueue,
    /// Finishing an upload holds the whole file in memory: files share a budget of bytes.
    pub finishing: crate::media::ingest::MemoryBudget,
    /// The public statistics, computed at most once per [`crate::cache::PUBLIC_TTL`].
    pub stats: Arc<crate::cache::Cached<crate::http::stats::Rendered>>,
    /// Open311 answers by their request, for a minute.
    pub open311_answers: Arc<crate::cache::AnswerCache>,
    /// Anonymous reads that query the database (Open311 lists) running at once: they may use
    /// at most this share of the machine, whatever their rate.
    pub public_reads: Arc<tokio::sync::Semaphore>,
    /// Sign-in codes asked for, per client address.
    pub otp_by_addr: Arc<crate::limits::AddrLimiter>,
    /// Sign-in codes checked, per client address.
    pub otp_checks_by_addr: Arc<crate::limits::AddrLimiter>,
    /// Failed staff sign-ins, per client address.
    pub login_failures_by_addr: Arc<crate::limits::AddrLimiter>,
    /// Password checks running at once.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Exports of a resident's data being built at once (each holds that resident's history in
    /// memory).
    pub exports: Arc<tokio::sync::Semaphore>,
}

/// Client addresses tracked at once per limiter (about 100 bytes each).
const ADDR_TABLE: usize = 100_000;

impl AppState {
    /// Seeds what a fresh database needs and assembles the state.
    pub async fn init(store: Arc<dyn Store>, media: MediaStore, settings: Settings) -> AppResult<Self> {
        let (agencies, categories) = shipped_catalog()?;
        store.seed_catalog(&agencies, &categories).await?;
        let holidays = expand_holidays(HOLIDAYS_JSON).map_err(|e| AppError::Internal(format!("holidays.json: {e}")))?;
        store.seed_holidays(&holidays).await?;
        let catalog = Catalog::load(store.as_ref()).await?;
        let secret = store.meta_get_or_init("otp_secret", &crate::auth::random_token()).await?;
        Ok(AppState {
            pushes: PushQueue::start(store.clone()),
            finishing: crate::media::ingest::MemoryBudget::default(),
            stats: Arc::new(crate::cache::Cached::new(crate::cache::PUBLIC_TTL)),
            open311_answers: Arc::new(crate::cache::AnswerCache::new(crate::cache::PUBLIC_TTL, 32 << 20)),
            public_reads: Arc::new(tokio::sync::Semaphore::new(1)),
            otp_by_addr: Arc::new(AddrLimiter::new(
                settings.client_limits.otp_requests,
                settings.client_limits.otp_window,
                ADDR_TABLE,
            )),
            otp_checks_by_addr: Arc::new(AddrLimiter::new(
                settings.client_limits.otp_checks,
                settings.client_limits.otp_window,
                ADDR_TABLE,
            )),
            login_failures_by_addr: Arc::new(AddrLimiter::new(
                settings.client_limits.login_failures,
                settings.client_limits.login_window,
                ADDR_TABLE,
            )),
            password_checks: Arc::new(tokio::sync::Semaphore::new(settings.client_limits.password_checks.max(1))),
            exports: Arc::new(tokio::sync::Semaphore::new(2)),
            store,
            media,
            // Whoever assembles a server chooses how codes go out (`serve` from its settings).
            sms: Arc::new(NoSender),
            catalog: CatalogCell(Arc::new(std::sync::RwLock::new(Arc::new(catalog)))),
            settings: Arc::new(settings),
            secret: secret.into(),
        })
    }
}

/// Opens the embedded default storage under `data_dir`.
pub async fn open_embedded(data_dir: &Path) -> AppResult<(Arc<dyn Store>, MediaStore)> {
    open_storage(&DataArgs::embedded(data_dir)).await
}

/// Opens the storage the configuration names: PostgreSQL for a `postgres://` URL, otherwise the
/// SQLite file in the data folder. Media go to the S3-compatible bucket when one is named,
/// otherwise to the data folder.
pub async fn open_storage(data: &DataArgs) -> AppResult<(Arc<dyn Store>, MediaStore)> {
    std::fs::create_dir_all(&data.data_dir)?;
    let store: Arc<dyn Store> = match data.database_url.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Arc::new(PgStore::connect(url, None).await?)
        }
        Some(other) => {
            return Err(AppError::Internal(format!("unsupported database URL {other:?}: use postgres://…")));
        }
        None => Arc::new(SqliteStore::open(&data.data_dir.join("qala.db")).await?),
    };
    let media = match &data.s3_bucket {
        Some(bucket) => MediaStore::s3(&S3Config {
            bucket: bucket.clone(),
            endpoint: data.s3_endpoint.clone(),
            region: data.s3_region.clone(),
        })?,
        None => MediaStore::local(&data.data_dir)?,
    };
    Ok((store, media))
}

/// Runs the server until SIGTERM or Ctrl-C, then finishes in-flight requests and returns.
pub async fn serve(args: ServeArgs) -> AppResult<()> {
    let mut settings = Settings::new(&args.city_prefix);
    settings.otp_ttl = Duration::seconds(i64::from(args.otp_ttl_secs));
    // A code is sent again while it has a minute left, or half its life when that is shorter.
    settings.otp_limits.min_life_s = (i64::from(args.otp_ttl_secs) / 2).min(60);
    settings.retention = Duration::days(i64::from(args.retention_days));
    settings.public_window = Duration::days(i64::from(args.public_days));
    settings.trusted_proxies = args.trusted_proxies.clone();
    settings.quotas = Quotas {
        reports_per_day: args.quota_reports_per_day,
        comments_per_day: args.quota_comments_per_day,
        media_bytes_per_day: u64::from(args.quota_media_mb_per_day) << 20,
    };
    settings.media_gc_grace = Duration::hours(i64::from(args.media_gc_grace_hours));
    settings.personal_data = Duration::days(i64::from(args.personal_data_days));
    settings.client_limits.otp_requests = args.otp_requests_per_addr;
    settings.client_limits.otp_checks = args.otp_checks_per_addr;
    settings.otp_limits.sms_per_hour = args.sms.sms_per_hour;
    let sms = crate::auth::sms::sender_from(&args.sms, args.demo)
        .map_err(|e| AppError::Internal(format!("SMS settings: {e}")))?;
    settings.client_limits.login_failures = args.login_failures_per_addr;
    settings.client_limits.password_checks = args.password_checks;
    settings.timeouts = Timeouts {
        header_read: std::time::Duration::from_secs(args.header_timeout_secs),
        request: std::time::Duration::from_secs(args.request_timeout_secs),
        upload: std::time::Duration::from_secs(args.upload_timeout_secs),
        max_connections: args.max_connections,
        connections_per_addr: args.connections_per_addr,
        max_in_flight: args.max_in_flight,
    };
    for k in &args.open311_keys {
        match k.split_once(':').map(|(c, key)| (c.trim(), key.trim())) {
            Some((channel, _)) if channel == crate::service::privacy::ANONYMOUS_ACCOUNT => {
                tracing::warn!(
                    "ignoring an Open311 key: the channel name {channel:?} is reserved for anonymised reports"
                )
            }
            Some((channel, key)) if !channel.is_empty() && key.len() >= 16 => {
                settings.open311_keys.push((channel.to_string(), key.to_string()))
            }
            _ => tracing::warn!("ignoring an Open311 key: use channel:key with a key of 16+ characters"),
        }
    }
    let (store, media) = open_storage(&args.data).await?;
    let mut state = AppState::init(store, media, settings).await?;
    state.sms = Arc::from(sms);
    if args.demo {
        crate::demo::seed(&state).await?;
    }
    let listener = TcpListener::bind(args.addr).await?;
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(%addr, data_dir = %args.data.data_dir.display(), "listening");
    tokio::spawn(upkeep(state.clone()));
    tokio::spawn(follow_catalog(state.clone()));
    let (timeouts, trusted) = (state.settings.timeouts, state.settings.trusted_proxies.clone());
    let app = crate::http::router(state);
    crate::edge::serve(listener, app, timeouts, trusted, shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}

/// The state of a server on the embedded default storage under `data_dir`.
pub async fn embedded_state(data_dir: &Path, settings: Settings) -> AppResult<AppState> {
    let (store, media) = open_embedded(data_dir).await?;
    AppState::init(store, media, settings).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Picks up catalogue and calendar edits made through other instances.
async fn follow_catalog(state: AppState) {
    let mut tick = tokio::time::interval(CATALOG_RELOAD);
    loop {
        tick.tick().await;
        if let Err(e) = state.catalog.reload(state.store.as_ref()).await {
            tracing::warn!(error = %e, "reloading the catalogue failed");
        }
    }
}

/// Hourly: drop expired uploads and compact the change log.
async fn upkeep(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = upkeep_once(&state).await {
            tracing::warn!(error = %e, "upkeep failed");
        }
    }
}

pub async fn upkeep_once(state: &AppState) -> AppResult<()> {
    let now = Utc::now();
    for id in state.store.uploads_expired(now, 1000).await? {
        // Only if it is still expired when the row goes (a chunk may have just extended it, or
        // its owner started it again); and only the chunks staged before now, so that those of
        // an upload started again meanwhile stay. A chunk confirmed after this finds no upload
        // and removes what it staged.
        if state.store.upload_delete_expired(id, now).await? {
            state.media.discard_staging_before(id, Some(now)).await?;
        }
    }
    // Chunks a crash left behind with no upload row (staged, then the process died before the
    // row was written or after it was deleted): anything older than an upload lives.
    for id in state.media.staged_uploads(1000).await? {
        if state.store.upload(id).await?.is_none() {
            state.media.discard_staging_before(id, Some(now - state.settings.upload_ttl)).await?;
        }
    }
    // Reports settled longer ago than the public window leave the phones (before compaction, so
    // that the rows their deletions supersede go in the same pass).
    const SCOPE_BATCH: u32 = 500;
    let mut left = 0u64;
    loop {
        let n = state.store.leave_public_scope(now - state.settings.public_window, SCOPE_BATCH).await?;
        left += u64::from(n);
        if n < SCOPE_BATCH {
            break;
        }
    }
    if left > 0 {
        tracing::info!(left, "reports left the public scope");
    }
    // Personal data past its retention: the files of long-settled reports, then idle accounts'
    // phone numbers (one pass: it reads every resident).
    let before = now - state.settings.personal_data;
    let (mut reports, mut files) = (0u32, 0usize);
    for _ in 0..20 {
        let unlinked = state.store.unlink_old_files(before, now, 500).await?;
        for id in &unlinked.media {
            if let Err(e) = state.media.delete(*id).await {
                tracing::warn!(%id, error = %e, "deleting a file past its retention failed");
            }
        }
        reports += unlinked.reports;
        files += unlinked.media.len();
        if unlinked.reports < 500 {
            break;
        }
    }
    let phones = state.store.forget_idle_accounts(before, now, 10_000).await?;
    if reports > 0 || phones > 0 {
        tracing::info!(reports, files, phones, "personal data past its retention forgotten");
    }
    let dropped = state.store.compact(now - state.settings.retention).await?;
    tracing::info!(dropped, "change log compacted");
    // Media no report uses, once past the grace period: rows in bounded batches (each its own
    // short transaction), then each batch's objects. An object whose delete fails is left without
    // a row, where nobody can reach it (media are served through their row).
    const SWEEP_BATCH: u32 = 500;
    const SWEEP_BATCHES: usize = 20;
    let mut collected = 0usize;
    for _ in 0..SWEEP_BATCHES {
        let sweep = state.store.media_sweep(now - state.settings.media_gc_grace, SWEEP_BATCH).await?;
        for id in &sweep.deleted {
            if let Err(e) = state.media.delete(*id).await {
                tracing::warn!(%id, error = %e, "deleting an unused media file failed");
            }
        }
        collected += sweep.deleted.len();
        if !sweep.more {
            break;
        }
    }
    if collected > 0 {
        tracing::info!(collected, "unused media deleted");
    }
    // Quota counters of days before yesterday are no longer read (yesterday's stay for instances
    // whose clocks are a little behind at midnight).
    if let Some(yesterday) = crate::domain::quota::local_day(now).pred_opt() {
        state.store.quota_prune(yesterday).await?;
    }
    Ok(())
}
