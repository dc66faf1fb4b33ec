//! The embedded default store: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection and start with `BEGIN IMMEDIATE`: SQLite
//! serialises writers anyway, and queueing them in the pool (instead of letting several connections
//! spin on the busy handler) keeps latency flat under load. It also means change-log `seq` values
//! commit in order, so a pull cursor can never step over a row that commits later. Reads use a
//! separate pool and see the last committed state.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use qala_protocol::{
    AdminNews, Agency, Category, Comment, Entity, EntityKind, Me, MediaKind, MediaRef, MediaState, NewComment,
    NewsInput, NewsItem, OpOutcome, Project, ProjectStatus, PublicReport, Report, ReportQuery, ReportStatus, Role,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use uuid::Uuid;

use super::{
    ChangeRow, MediaLink, MediaRow, MutateOutcome, Mutator, NewSession, NewStaff, OpKey, OtpCheck, OtpIssue, OtpLimits,
    PullPage, StaffCredentials, Store, UploadRow,
};
use crate::domain::calendar::Holiday;
use crate::domain::reports::{fill_media, registration_number, registration_year};
use crate::domain::{Principal, display_name};
use crate::error::{AppError, AppResult};

type Tx = sqlx::Transaction<'static, Sqlite>;

/// Schema migrations, applied in order, each once.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/sqlite/0001_init.sql"))];

pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
}

/// Sortable text form of a time.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| AppError::Internal(format!("bad stored time {s:?}: {e}")))
}

fn parse_uuid(s: &str) -> AppResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| AppError::Internal(format!("bad stored id {s:?}: {e}")))
}

fn parse_role(s: &str) -> AppResult<Role> {
    Role::parse(s).ok_or_else(|| AppError::Internal(format!("bad stored role {s:?}")))
}

fn parse_kind(s: &str) -> AppResult<MediaKind> {
    MediaKind::parse(s).ok_or_else(|| AppError::Internal(format!("bad stored media kind {s:?}")))
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> AppResult<Self> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new().max_connections(1).connect_with(opts.clone()).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(opts.read_only(true)).await?;
        let store = SqliteStore { write, read };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> AppResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        for (version, sql) in MIGRATIONS {
            let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = ?")
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
            if done.is_none() {
                sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                    .bind(version)
                    .bind(ts(Utc::now()))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn begin(&self) -> AppResult<Tx> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// Appends a change row in the caller's transaction.
async fn write_change(
    tx: &mut Tx,
    kind: EntityKind,
    id: &str,
    owner: Option<Uuid>,
    entity: Option<&Entity>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let payload = entity.map(serde_json::to_string).transpose()?;
    sqlx::query("INSERT INTO changes (kind, entity_id, owner, payload, at) VALUES (?, ?, ?, ?, ?)")
        .bind(kind.as_str())
        .bind(id)
        .bind(owner.map(|o| o.to_string()))
        .bind(payload)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Has this op been applied? `Some(outcome)` when the ledger already knows it.
async fn op_seen(tx: &mut Tx, op: &OpKey) -> AppResult<Option<OpOutcome>> {
    let user: Option<String> = sqlx::query_scalar("SELECT user_id FROM applied_ops WHERE op_id = ?")
        .bind(op.op_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(user.map(|u| {
        if u == op.user_id.to_string() {
            OpOutcome::Duplicate
        } else {
            OpOutcome::Rejected { code: "id_conflict".into(), reason: "this op id belongs to someone else".into() }
        }
    }))
}

async fn op_record(tx: &mut Tx, op: &OpKey, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query("INSERT INTO applied_ops (op_id, user_id, kind, at) VALUES (?, ?, ?, ?)")
        .bind(op.op_id.to_string())
        .bind(op.user_id.to_string())
        .bind(op.kind)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn media_row(r: &SqliteRow) -> AppResult<MediaRow> {
    Ok(MediaRow {
        id: parse_uuid(r.get("id"))?,
        owner: parse_uuid(r.get("owner"))?,
        owner_role: parse_role(r.get("owner_role"))?,
        kind: parse_kind(r.get("kind"))?,
        content_type: r.get("content_type"),
        size: r.get::<i64, _>("size") as u64,
        sha256: r.get("sha256"),
        upload_length: r.get::<i64, _>("upload_length") as u64,
        created_at: parse_ts(r.get("created_at"))?,
    })
}

fn received_ref(m: &MediaRow) -> MediaRef {
    MediaRef {
        id: m.id,
        kind: m.kind,
        state: MediaState::Received,
        sha256: Some(m.sha256.clone()),
        size: Some(m.size),
        content_type: Some(m.content_type.clone()),
    }
}

/// May media uploaded by `m.owner` fill a reference in this report? The report's own media must come
/// from its author; an answer's photo report from staff. Nobody can slip a file into another's report.
fn may_fill(report: &Report, owner: Uuid, m: &MediaRow) -> bool {
    let in_report = report.media.iter().any(|r| r.id == m.id);
    let in_answer = report.answer.iter().flat_map(|a| a.media.iter()).any(|r| r.id == m.id);
    (in_report && m.owner == owner) || (in_answer && m.owner_role != Role::Resident)
}

/// Fills every pending media reference whose file already arrived.
async fn fill_pending(tx: &mut Tx, report: &mut Report, owner: Uuid) -> AppResult<()> {
    let pending: Vec<Uuid> = {
        let answer = report.answer.iter().flat_map(|a| a.media.iter());
        report.media.iter().chain(answer).filter(|m| m.state == MediaState::Pending).map(|m| m.id).collect()
    };
    for id in pending {
        let row =
            sqlx::query("SELECT * FROM media WHERE id = ?").bind(id.to_string()).fetch_optional(&mut **tx).await?;
        if let Some(row) = row {
            let m = media_row(&row)?;
            if may_fill(report, owner, &m) {
                fill_media(report, &received_ref(&m));
            }
        }
    }
    Ok(())
}

/// Stores the report's row, its media links and its two change rows (the author's full view and the
/// public view; a withdrawn report leaves the public log).
async fn save_report(tx: &mut Tx, report: &Report, owner: Uuid, insert: bool, now: DateTime<Utc>) -> AppResult<()> {
    let view = serde_json::to_string(report)?;
    let id = report.id.to_string();
    if insert {
        sqlx::query(
            "INSERT INTO reports (id, owner, reg_number, category, agency, status, deadline, registered_at, view)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(owner.to_string())
        .bind(&report.registration_number)
        .bind(&report.category)
        .bind(&report.agency)
        .bind(report.status.as_str())
        .bind(ts(report.deadline))
        .bind(ts(report.registered_at))
        .bind(&view)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("UPDATE reports SET category = ?, agency = ?, status = ?, deadline = ?, view = ? WHERE id = ?")
            .bind(&report.category)
            .bind(&report.agency)
            .bind(report.status.as_str())
            .bind(ts(report.deadline))
            .bind(&view)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    let answer = report.answer.iter().flat_map(|a| a.media.iter()).map(|m| (m.id, true));
    for (media_id, in_answer) in report.media.iter().map(|m| (m.id, false)).chain(answer) {
        sqlx::query("INSERT OR IGNORE INTO report_media (media_id, report_id, in_answer) VALUES (?, ?, ?)")
            .bind(media_id.to_string())
            .bind(&id)
            .bind(in_answer as i64)
            .execute(&mut **tx)
            .await?;
    }
    write_change(tx, EntityKind::Report, &id, Some(owner), Some(&Entity::Report(Box::new(report.clone()))), now)
        .await?;
    let public = (report.status != ReportStatus::Withdrawn).then(|| Entity::PublicReport(PublicReport::from(report)));
    write_change(tx, EntityKind::PublicReport, &id, None, public.as_ref(), now).await?;
    Ok(())
}

async fn load_report(tx: &mut Tx, id: Uuid) -> AppResult<Option<(Report, Uuid)>> {
    let row = sqlx::query("SELECT owner, view FROM reports WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| -> AppResult<(Report, Uuid)> {
        Ok((serde_json::from_str(r.get("view"))?, parse_uuid(r.get("owner"))?))
    })
    .transpose()
}

/// Appends the filters of an operator's report query.
fn push_filters(qb: &mut QueryBuilder<Sqlite>, agency: Option<&str>, q: &ReportQuery, now: DateTime<Utc>) {
    if let Some(a) = agency {
        qb.push(" AND agency = ").push_bind(a.to_string());
    }
    if let Some(s) = q.status {
        qb.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(c) = &q.category {
        qb.push(" AND category = ").push_bind(c.clone());
    }
    if let Some(overdue) = q.overdue {
        let open: Vec<&str> = ReportStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
        let open_list = open.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
        if overdue {
            qb.push(format!(" AND status IN ({open_list}) AND deadline < ")).push_bind(ts(now));
        } else {
            qb.push(format!(" AND NOT (status IN ({open_list}) AND deadline < ")).push_bind(ts(now)).push(")");
        }
    }
    if let Some(from) = q.from {
        qb.push(" AND registered_at >= ").push_bind(ts(from));
    }
    if let Some(to) = q.to {
        qb.push(" AND registered_at < ").push_bind(ts(to));
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn meta_get_or_init(&self, key: &str, init: &str) -> AppResult<String> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)")
            .bind(key)
            .bind(init)
            .execute(&mut *tx)
            .await?;
        let v: String =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = ?").bind(key).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(v)
    }

    async fn meta_set(&self, key: &str, value: &str) -> AppResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn seed_catalog(&self, agencies: &[Agency], categories: &[Category]) -> AppResult<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        for a in agencies {
            let done = sqlx::query("INSERT OR IGNORE INTO agencies (code, data) VALUES (?, ?)")
                .bind(&a.code)
                .bind(serde_json::to_string(a)?)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                write_change(&mut tx, EntityKind::Agency, &a.code, None, Some(&Entity::Agency(a.clone())), now).await?;
            }
        }
        for c in categories {
            let done = sqlx::query("INSERT OR IGNORE INTO categories (code, agency, data) VALUES (?, ?, ?)")
                .bind(&c.code)
                .bind(&c.agency)
                .bind(serde_json::to_string(c)?)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                write_change(&mut tx, EntityKind::Category, &c.code, None, Some(&Entity::Category(c.clone())), now)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn agencies(&self) -> AppResult<Vec<Agency>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM agencies ORDER BY code").fetch_all(&self.read).await?;
        rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    async fn categories(&self) -> AppResult<Vec<Category>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM categories ORDER BY rowid").fetch_all(&self.read).await?;
        rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    async fn seed_holidays(&self, holidays: &[Holiday]) -> AppResult<()> {
        let mut tx = self.begin().await?;
        for h in holidays {
            sqlx::query("INSERT OR IGNORE INTO holidays (day, name, working) VALUES (?, ?, ?)")
                .bind(h.date.to_string())
                .bind(&h.name)
                .bind(h.working as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn holidays(&self) -> AppResult<Vec<Holiday>> {
        let rows = sqlx::query("SELECT day, name, working FROM holidays ORDER BY day").fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                let day: String = r.get("day");
                Ok(Holiday {
                    date: NaiveDate::from_str(&day)
                        .map_err(|e| AppError::Internal(format!("bad holiday {day}: {e}")))?,
                    name: r.get("name"),
                    working: r.get::<i64, _>("working") != 0,
                })
            })
            .collect()
    }

    async fn resident_for_phone(&self, phone: &str, now: DateTime<Utc>) -> AppResult<Principal> {
        let mut tx = self.begin().await?;
        let existing: Option<(String, String)> =
            sqlx::query_as("SELECT id, role FROM users WHERE phone = ?").bind(phone).fetch_optional(&mut *tx).await?;
        let principal = match existing {
            Some((id, role)) => Principal { user_id: parse_uuid(&id)?, role: parse_role(&role)?, agency: None },
            None => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO users (id, role, phone, display_name, created_at) VALUES (?, 'resident', ?, ?, ?)",
                )
                .bind(id.to_string())
                .bind(phone)
                .bind(display_name(id))
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
                Principal { user_id: id, role: Role::Resident, agency: None }
            }
        };
        tx.commit().await?;
        Ok(principal)
    }

    async fn create_staff(&self, staff: &NewStaff, now: DateTime<Utc>) -> AppResult<Uuid> {
        let mut tx = self.begin().await?;
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE login = ?")
            .bind(&staff.login)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(AppError::Conflict(format!("login {} is taken", staff.login)));
        }
        if let Some(agency) = &staff.agency {
            let known: Option<String> = sqlx::query_scalar("SELECT code FROM agencies WHERE code = ?")
                .bind(agency)
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(AppError::validation("agency", format!("unknown agency {agency}")));
            }
        }
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, role, login, password_hash, agency, display_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(staff.role.as_str())
        .bind(&staff.login)
        .bind(&staff.password_hash)
        .bind(&staff.agency)
        .bind(&staff.display_name)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn staff_credentials(&self, login: &str) -> AppResult<Option<StaffCredentials>> {
        let row =
            sqlx::query("SELECT id, role, agency, password_hash FROM users WHERE login = ? AND role != 'resident'")
                .bind(login)
                .fetch_optional(&self.read)
                .await?;
        row.map(|r| -> AppResult<StaffCredentials> {
            Ok(StaffCredentials {
                principal: Principal {
                    user_id: parse_uuid(r.get("id"))?,
                    role: parse_role(r.get("role"))?,
                    agency: r.get("agency"),
                },
                password_hash: r.get::<Option<String>, _>("password_hash").unwrap_or_default(),
            })
        })
        .transpose()
    }

    async fn me(&self, user_id: Uuid) -> AppResult<Option<Me>> {
        let row = sqlx::query("SELECT role, phone, agency, display_name FROM users WHERE id = ?")
            .bind(user_id.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| -> AppResult<Me> {
            Ok(Me {
                user_id,
                role: parse_role(r.get("role"))?,
                phone: r.get("phone"),
                agency: r.get("agency"),
                display_name: r.get("display_name"),
            })
        })
        .transpose()
    }

    async fn otp_issue(
        &self,
        phone: &str,
        device_id: &str,
        code_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        limits: OtpLimits,
    ) -> AppResult<OtpIssue> {
        let mut tx = self.begin().await?;
        let checks = [
            (
                "SELECT at FROM otp_requests WHERE phone = ? AND at > ? ORDER BY at",
                phone,
                limits.per_phone,
                limits.phone_window_s,
            ),
            (
                "SELECT at FROM otp_requests WHERE device_id = ? AND at > ? ORDER BY at",
                device_id,
                limits.per_device,
                limits.device_window_s,
            ),
        ];
        for (sql, key, max, window) in checks {
            let since = now - chrono::Duration::seconds(window);
            let recent: Vec<String> = sqlx::query_scalar(sql).bind(key).bind(ts(since)).fetch_all(&mut *tx).await?;
            if recent.len() as u32 >= max {
                // The window frees up when its oldest request ages out.
                let oldest = parse_ts(&recent[0])?;
                let retry = (oldest + chrono::Duration::seconds(window) - now).num_seconds().max(1) as u64;
                return Ok(OtpIssue::RateLimited { retry_after_s: retry });
            }
        }
        sqlx::query("INSERT INTO otp_requests (phone, device_id, at) VALUES (?, ?, ?)")
            .bind(phone)
            .bind(device_id)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO otp_codes (phone, device_id, code_hash, expires_at, attempts) VALUES (?, ?, ?, ?, 0)
             ON CONFLICT (phone) DO UPDATE SET device_id = excluded.device_id, code_hash = excluded.code_hash,
               expires_at = excluded.expires_at, attempts = 0",
        )
        .bind(phone)
        .bind(device_id)
        .bind(code_hash)
        .bind(ts(expires_at))
        .execute(&mut *tx)
        .await?;
        // Old request rows only matter inside the longest window.
        let horizon = now - chrono::Duration::seconds(limits.phone_window_s.max(limits.device_window_s));
        sqlx::query("DELETE FROM otp_requests WHERE at < ?").bind(ts(horizon)).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(OtpIssue::Issued)
    }

    async fn otp_verify(
        &self,
        phone: &str,
        device_id: &str,
        code_hash: &str,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> AppResult<OtpCheck> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT device_id, code_hash, expires_at, attempts FROM otp_codes WHERE phone = ?")
            .bind(phone)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(OtpCheck::Missing);
        };
        let attempts = row.get::<i64, _>("attempts") as u32;
        if parse_ts(row.get("expires_at"))? <= now {
            sqlx::query("DELETE FROM otp_codes WHERE phone = ?").bind(phone).execute(&mut *tx).await?;
            tx.commit().await?;
            return Ok(OtpCheck::Missing);
        }
        if attempts >= max_attempts {
            return Ok(OtpCheck::Exhausted);
        }
        let stored_device: String = row.get("device_id");
        let stored_hash: String = row.get("code_hash");
        let outcome = if stored_device == device_id && constant_time_eq(stored_hash.as_bytes(), code_hash.as_bytes()) {
            sqlx::query("DELETE FROM otp_codes WHERE phone = ?").bind(phone).execute(&mut *tx).await?;
            OtpCheck::Valid
        } else {
            sqlx::query("UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = ?")
                .bind(phone)
                .execute(&mut *tx)
                .await?;
            OtpCheck::Wrong { attempts_left: max_attempts - attempts - 1 }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn session_create(&self, s: &NewSession, now: DateTime<Utc>) -> AppResult<()> {
        let mut tx = self.begin().await?;
        insert_session(&mut tx, s, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session_by_access(&self, access_hash: &str, now: DateTime<Utc>) -> AppResult<Option<Principal>> {
        let row = sqlx::query(
            "SELECT u.id, u.role, u.agency FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.access_hash = ? AND s.access_expires_at > ?",
        )
        .bind(access_hash)
        .bind(ts(now))
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| -> AppResult<Principal> {
            Ok(Principal {
                user_id: parse_uuid(r.get("id"))?,
                role: parse_role(r.get("role"))?,
                agency: r.get("agency"),
            })
        })
        .transpose()
    }

    async fn session_rotate(
        &self,
        refresh_hash: &str,
        device_id: &str,
        next: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Principal>> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT u.id, u.role, u.agency, s.device_id FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.refresh_hash = ? AND s.refresh_expires_at > ?",
        )
        .bind(refresh_hash)
        .bind(ts(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.get::<String, _>("device_id") != device_id {
            return Ok(None);
        }
        let principal = Principal {
            user_id: parse_uuid(row.get("id"))?,
            role: parse_role(row.get("role"))?,
            agency: row.get("agency"),
        };
        sqlx::query("DELETE FROM sessions WHERE refresh_hash = ?").bind(refresh_hash).execute(&mut *tx).await?;
        let next = NewSession { user_id: principal.user_id, ..next.clone() };
        insert_session(&mut tx, &next, now).await?;
        tx.commit().await?;
        Ok(Some(principal))
    }

    async fn session_revoke(&self, access_hash: &str) -> AppResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE access_hash = ?").bind(access_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_report(&self, op: &OpKey, owner: Uuid, mut report: Report, prefix: &str) -> AppResult<OpOutcome> {
        let now = report.registered_at;
        let mut tx = self.begin().await?;
        if let Some(seen) = op_seen(&mut tx, op).await? {
            return Ok(seen);
        }
        let existing: Option<String> = sqlx::query_scalar("SELECT owner FROM reports WHERE id = ?")
            .bind(report.id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(existing) = existing {
            return Ok(if existing == owner.to_string() {
                OpOutcome::Duplicate
            } else {
                OpOutcome::Rejected {
                    code: "id_conflict".into(),
                    reason: "this report id belongs to someone else".into(),
                }
            });
        }
        let year = registration_year(now);
        let counter = format!("reg:{prefix}:{year}");
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES (?, 1)
             ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        )
        .bind(&counter)
        .fetch_one(&mut *tx)
        .await?;
        report.registration_number = registration_number(prefix, year, seq);
        fill_pending(&mut tx, &mut report, owner).await?;
        save_report(&mut tx, &report, owner, true, now).await?;
        op_record(&mut tx, op, now).await?;
        tx.commit().await?;
        Ok(OpOutcome::Applied)
    }

    async fn mutate_report(&self, op: Option<&OpKey>, report_id: Uuid, rule: &Mutator<'_>) -> AppResult<MutateOutcome> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        if let Some(op) = op
            && let Some(seen) = op_seen(&mut tx, op).await?
        {
            return Ok(match seen {
                OpOutcome::Duplicate => MutateOutcome::Duplicate,
                _ => MutateOutcome::NotFound,
            });
        }
        let Some((mut report, owner)) = load_report(&mut tx, report_id).await? else {
            return Ok(MutateOutcome::NotFound);
        };
        if let Err(refusal) = rule(&mut report, owner) {
            return Ok(MutateOutcome::Refused(refusal));
        }
        fill_pending(&mut tx, &mut report, owner).await?;
        save_report(&mut tx, &report, owner, false, now).await?;
        if let Some(op) = op {
            op_record(&mut tx, op, now).await?;
        }
        tx.commit().await?;
        Ok(MutateOutcome::Applied(Box::new(report)))
    }

    async fn report(&self, id: Uuid) -> AppResult<Option<(Report, Uuid)>> {
        let row = sqlx::query("SELECT owner, view FROM reports WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| -> AppResult<(Report, Uuid)> {
            Ok((serde_json::from_str(r.get("view"))?, parse_uuid(r.get("owner"))?))
        })
        .transpose()
    }

    async fn list_reports(
        &self,
        agency: Option<&str>,
        q: &ReportQuery,
        now: DateTime<Utc>,
    ) -> AppResult<(Vec<Report>, u64)> {
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM reports WHERE 1 = 1");
        push_filters(&mut count, agency, q, now);
        let total: i64 = count.build_query_scalar().fetch_one(&self.read).await?;
        let mut list = QueryBuilder::<Sqlite>::new("SELECT view FROM reports WHERE 1 = 1");
        push_filters(&mut list, agency, q, now);
        list.push(" ORDER BY deadline, registered_at LIMIT ")
            .push_bind(i64::from(q.limit.unwrap_or(50).min(500)))
            .push(" OFFSET ")
            .push_bind(i64::from(q.offset.unwrap_or(0)));
        let views: Vec<String> = list.build_query_scalar().fetch_all(&self.read).await?;
        let items = views.iter().map(|v| serde_json::from_str(v)).collect::<Result<Vec<Report>, _>>()?;
        Ok((items, total as u64))
    }

    async fn add_comment(&self, op: &OpKey, author: &str, c: &NewComment, now: DateTime<Utc>) -> AppResult<OpOutcome> {
        let mut tx = self.begin().await?;
        if let Some(seen) = op_seen(&mut tx, op).await? {
            return Ok(seen);
        }
        let reject = |code: &str, reason: &str| OpOutcome::Rejected { code: code.into(), reason: reason.into() };
        let exists: Option<String> = sqlx::query_scalar("SELECT author_id FROM comments WHERE id = ?")
            .bind(c.id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(by) = exists {
            return Ok(if by == op.user_id.to_string() {
                OpOutcome::Duplicate
            } else {
                reject("id_conflict", "this comment id belongs to someone else")
            });
        }
        let project: Option<String> = sqlx::query_scalar("SELECT data FROM projects WHERE id = ?")
            .bind(c.project_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(project) = project else {
            return Ok(reject("unknown_project", "no such project"));
        };
        let project: Project = serde_json::from_str(&project)?;
        let open =
            project.status == ProjectStatus::Discussion && project.discussion_until.is_none_or(|until| now <= until);
        if !open {
            return Ok(reject("discussion_closed", "the discussion of this project is closed"));
        }
        if let Some(parent) = c.parent_id {
            let ok: Option<i64> = sqlx::query_scalar("SELECT hidden FROM comments WHERE id = ? AND project_id = ?")
                .bind(parent.to_string())
                .bind(c.project_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            if ok.is_none() {
                return Ok(reject("unknown_parent", "the comment answered does not exist in this project"));
            }
        }
        let comment = Comment {
            id: c.id,
            project_id: c.project_id,
            parent_id: c.parent_id,
            author: author.to_string(),
            body: c.body.trim().to_string(),
            position: c.position,
            created_at: c.created_at.min(now),
        };
        sqlx::query("INSERT INTO comments (id, project_id, parent_id, author_id, data) VALUES (?, ?, ?, ?, ?)")
            .bind(c.id.to_string())
            .bind(c.project_id.to_string())
            .bind(c.parent_id.map(|p| p.to_string()))
            .bind(op.user_id.to_string())
            .bind(serde_json::to_string(&comment)?)
            .execute(&mut *tx)
            .await?;
        write_change(&mut tx, EntityKind::Comment, &c.id.to_string(), None, Some(&Entity::Comment(comment)), now)
            .await?;
        op_record(&mut tx, op, now).await?;
        tx.commit().await?;
        Ok(OpOutcome::Applied)
    }

    async fn hide_comment(&self, id: Uuid, reason: &str) -> AppResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE comments SET hidden = 1, hidden_reason = ? WHERE id = ? AND hidden = 0")
            .bind(reason)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let found = if done.rows_affected() == 1 {
            write_change(&mut tx, EntityKind::Comment, &id.to_string(), None, None, Utc::now()).await?;
            true
        } else {
            sqlx::query_scalar::<_, i64>("SELECT hidden FROM comments WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .is_some()
        };
        tx.commit().await?;
        Ok(found)
    }

    async fn put_news(&self, id: Uuid, input: &NewsInput, now: DateTime<Utc>) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let old: Option<(String, i64)> = sqlx::query_as("SELECT data, published FROM news WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        // Keep the first publication time across edits.
        let published_at = match &old {
            Some((data, 1)) => serde_json::from_str::<NewsItem>(data)?.published_at,
            _ => now,
        };
        let item = NewsItem { id, title: input.title.clone(), body: input.body.clone(), published_at };
        sqlx::query(
            "INSERT INTO news (id, published, data) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET published = excluded.published, data = excluded.data",
        )
        .bind(id.to_string())
        .bind(input.published as i64)
        .bind(serde_json::to_string(&item)?)
        .execute(&mut *tx)
        .await?;
        let was_public = matches!(old, Some((_, 1)));
        if input.published {
            write_change(&mut tx, EntityKind::News, &id.to_string(), None, Some(&Entity::News(item)), now).await?;
        } else if was_public {
            write_change(&mut tx, EntityKind::News, &id.to_string(), None, None, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn delete_news(&self, id: Uuid) -> AppResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM news WHERE id = ?").bind(id.to_string()).execute(&mut *tx).await?;
        if done.rows_affected() == 1 {
            write_change(&mut tx, EntityKind::News, &id.to_string(), None, None, Utc::now()).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn news_all(&self) -> AppResult<Vec<AdminNews>> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT data, published FROM news").fetch_all(&self.read).await?;
        let mut all = rows
            .iter()
            .map(|(d, p)| Ok(AdminNews { item: serde_json::from_str(d)?, published: *p != 0 }))
            .collect::<AppResult<Vec<_>>>()?;
        all.sort_by_key(|a| std::cmp::Reverse(a.item.published_at));
        Ok(all)
    }

    async fn projects_all(&self) -> AppResult<Vec<Project>> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM projects").fetch_all(&self.read).await?;
        let mut all = rows.iter().map(|d| serde_json::from_str(d)).collect::<Result<Vec<Project>, _>>()?;
        all.sort_by_key(|p| std::cmp::Reverse(p.created_at));
        Ok(all)
    }

    async fn put_project(&self, project: &Project) -> AppResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO projects (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
        )
        .bind(project.id.to_string())
        .bind(serde_json::to_string(project)?)
        .execute(&mut *tx)
        .await?;
        write_change(
            &mut tx,
            EntityKind::Project,
            &project.id.to_string(),
            None,
            Some(&Entity::Project(project.clone())),
            Utc::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn project(&self, id: Uuid) -> AppResult<Option<Project>> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM projects WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?;
        data.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
    }

    async fn delete_project(&self, id: Uuid) -> AppResult<bool> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let comments: Vec<(String, i64)> = sqlx::query_as("SELECT id, hidden FROM comments WHERE project_id = ?")
            .bind(id.to_string())
            .fetch_all(&mut *tx)
            .await?;
        for (cid, hidden) in &comments {
            if *hidden == 0 {
                write_change(&mut tx, EntityKind::Comment, cid, None, None, now).await?;
            }
        }
        sqlx::query("DELETE FROM comments WHERE project_id = ?").bind(id.to_string()).execute(&mut *tx).await?;
        let done = sqlx::query("DELETE FROM projects WHERE id = ?").bind(id.to_string()).execute(&mut *tx).await?;
        if done.rows_affected() == 1 {
            write_change(&mut tx, EntityKind::Project, &id.to_string(), None, None, now).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn pull(&self, user: Uuid, cursor: i64, limit: u32) -> AppResult<PullPage> {
        let rows = sqlx::query(
            "SELECT seq, kind, entity_id, payload FROM changes
             WHERE seq > ? AND (owner IS NULL OR owner = ?) ORDER BY seq LIMIT ?",
        )
        .bind(cursor)
        .bind(user.to_string())
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.read)
        .await?;
        let has_more = rows.len() > limit as usize;
        let rows = rows
            .iter()
            .take(limit as usize)
            .map(|r| ChangeRow {
                seq: r.get("seq"),
                kind: r.get("kind"),
                entity_id: r.get("entity_id"),
                payload: r.get("payload"),
            })
            .collect();
        Ok(PullPage { rows, has_more })
    }

    async fn retention_floor(&self) -> AppResult<i64> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'retention_floor'")
            .fetch_optional(&self.read)
            .await?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    async fn compact(&self, before: DateTime<Utc>) -> AppResult<u64> {
        let mut tx = self.begin().await?;
        let superseded = sqlx::query(
            "DELETE FROM changes WHERE EXISTS (SELECT 1 FROM changes newer WHERE newer.kind = changes.kind
               AND newer.entity_id = changes.entity_id AND newer.owner IS changes.owner AND newer.seq > changes.seq)",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let floor: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM changes WHERE payload IS NULL AND at < ?")
            .bind(ts(before))
            .fetch_one(&mut *tx)
            .await?;
        let mut dropped = superseded;
        if let Some(floor) = floor {
            dropped += sqlx::query("DELETE FROM changes WHERE payload IS NULL AND seq <= ?")
                .bind(floor)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ('retention_floor', ?)
                 ON CONFLICT (key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
            )
            .bind(floor.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(dropped)
    }

    async fn upload_create(&self, u: &UploadRow, now: DateTime<Utc>) -> AppResult<UploadRow> {
        let mut tx = self.begin().await?;
        if let Some(existing) = fetch_upload(&mut tx, u.id).await? {
            return if existing.owner == u.owner && existing.length == u.length && existing.kind == u.kind {
                Ok(existing)
            } else {
                Err(AppError::Conflict("an upload with this id exists".into()))
            };
        }
        let media_owner: Option<String> = sqlx::query_scalar("SELECT owner FROM media WHERE id = ?")
            .bind(u.id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if media_owner.is_some() {
            return Err(AppError::Conflict("a media file with this id is already stored".into()));
        }
        sqlx::query(
            "INSERT INTO uploads (id, owner, kind, length, \"offset\", sha256, created_at, expires_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
        )
        .bind(u.id.to_string())
        .bind(u.owner.to_string())
        .bind(u.kind.as_str())
        .bind(u.length as i64)
        .bind(&u.sha256)
        .bind(ts(now))
        .bind(ts(u.expires_at))
        .execute(&mut *tx)
        .await?;
        let stored = fetch_upload(&mut tx, u.id).await?.ok_or_else(|| AppError::Internal("upload vanished".into()))?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn upload(&self, id: Uuid) -> AppResult<Option<UploadRow>> {
        let mut conn = self.read.acquire().await?;
        fetch_upload(&mut conn, id).await
    }

    async fn upload_advance(&self, id: Uuid, from: u64, to: u64, expires_at: DateTime<Utc>) -> AppResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE uploads SET \"offset\" = ?, expires_at = ? WHERE id = ? AND \"offset\" = ?")
            .bind(to as i64)
            .bind(ts(expires_at))
            .bind(id.to_string())
            .bind(from as i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn upload_delete(&self, id: Uuid) -> AppResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM uploads WHERE id = ?").bind(id.to_string()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn uploads_expired(&self, now: DateTime<Utc>) -> AppResult<Vec<Uuid>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM uploads WHERE expires_at < ?")
            .bind(ts(now))
            .fetch_all(&self.read)
            .await?;
        ids.iter().map(|s| parse_uuid(s)).collect()
    }

    async fn media_complete(&self, m: &MediaRow) -> AppResult<()> {
        let now = m.created_at;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO media (id, owner, owner_role, kind, content_type, size, sha256, upload_length, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(m.id.to_string())
        .bind(m.owner.to_string())
        .bind(m.owner_role.as_str())
        .bind(m.kind.as_str())
        .bind(&m.content_type)
        .bind(m.size as i64)
        .bind(&m.sha256)
        .bind(m.upload_length as i64)
        .bind(ts(m.created_at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM uploads WHERE id = ?").bind(m.id.to_string()).execute(&mut *tx).await?;
        let reports: Vec<String> = sqlx::query_scalar("SELECT report_id FROM report_media WHERE media_id = ?")
            .bind(m.id.to_string())
            .fetch_all(&mut *tx)
            .await?;
        for rid in reports {
            if let Some((mut report, owner)) = load_report(&mut tx, parse_uuid(&rid)?).await?
                && may_fill(&report, owner, m)
                && fill_media(&mut report, &received_ref(m))
            {
                save_report(&mut tx, &report, owner, false, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn media(&self, id: Uuid) -> AppResult<Option<MediaRow>> {
        let row =
            sqlx::query("SELECT * FROM media WHERE id = ?").bind(id.to_string()).fetch_optional(&self.read).await?;
        row.as_ref().map(media_row).transpose()
    }

    async fn media_links(&self, id: Uuid) -> AppResult<Vec<MediaLink>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT r.owner, r.agency, rm.in_answer FROM report_media rm JOIN reports r ON r.id = rm.report_id WHERE rm.media_id = ?",
        )
        .bind(id.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|(o, a, ans)| Ok(MediaLink { report_owner: parse_uuid(&o)?, agency: a, in_answer: ans != 0 }))
            .collect()
    }
}

async fn insert_session(tx: &mut Tx, s: &NewSession, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO sessions (access_hash, refresh_hash, user_id, device_id, access_expires_at, refresh_expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&s.access_hash)
    .bind(&s.refresh_hash)
    .bind(s.user_id.to_string())
    .bind(&s.device_id)
    .bind(ts(s.access_expires_at))
    .bind(ts(s.refresh_expires_at))
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    // Expired sessions of this user are dead weight.
    sqlx::query("DELETE FROM sessions WHERE user_id = ? AND refresh_expires_at < ?")
        .bind(s.user_id.to_string())
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn fetch_upload(conn: &mut sqlx::SqliteConnection, id: Uuid) -> AppResult<Option<UploadRow>> {
    let row = sqlx::query("SELECT id, owner, kind, length, \"offset\", sha256, expires_at FROM uploads WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| -> AppResult<UploadRow> {
        Ok(UploadRow {
            id: parse_uuid(r.get("id"))?,
            owner: parse_uuid(r.get("owner"))?,
            kind: parse_kind(r.get("kind"))?,
            length: r.get::<i64, _>("length") as u64,
            offset: r.get::<i64, _>("offset") as u64,
            sha256: r.get("sha256"),
            expires_at: parse_ts(r.get("expires_at"))?,
        })
    })
    .transpose()
}

/// Compares two byte strings in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
