// Residents, staff, one-time codes and sessions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qala_protocol::{Me, Role};
use sqlx::Row;
use uuid::Uuid;

use super::{Backend, DbConnection, Tx, parse_role, parse_ts, parse_uuid, ts, unknown_agency};
use crate::auth::constant_time_eq;
use crate::domain::{Principal, display_name};
use crate::store::error::{OnConstraint, StoreError, StoreResult};
use crate::store::{
    AccountStore, NewSession, NewStaff, OtpCheck, OtpIssue, OtpLimits, Rotation, StaffAccount, StaffCredentials,
};

#[async_trait]
impl AccountStore for Backend {
    async fn resident_for_phone(&self, phone: &str, now: DateTime<Utc>) -> StoreResult<Principal> {
        let phone = phone.to_string();
        self.grouped.write(move |tx| Box::pin(async move { resident_in(tx, &phone, now).await })).await
    }

    async fn create_staff(&self, staff: &NewStaff, now: DateTime<Utc>) -> StoreResult<Uuid> {
        // Logins are case-insensitive: kept in lower case.
        let login = staff.login.trim().to_lowercase();
        let staff = NewStaff { login, ..staff.clone() };
        self.grouped.write(move |tx| Box::pin(async move {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO users (id, role, login, password_hash, agency, display_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id.to_string())
            .bind(staff.role.as_str())
            .bind(&staff.login)
            .bind(&staff.password_hash)
            .bind(&staff.agency)
            .bind(&staff.display_name)
            .bind(ts(now))
            .execute(&mut **tx)
            .await
            .on_unique(|| StoreError::Taken(format!("login {} is taken", staff.login)))
            .on_foreign_key(|| unknown_agency(staff.agency.as_deref().unwrap_or("")))?;
            Ok(id)
        })).await
    }

    async fn channel_account(&self, name: &str, now: DateTime<Utc>) -> StoreResult<Principal> {
        let login = format!("channel:{name}");
        // Read first, without the write lock: the account exists but once.
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE login = $1").bind(&login).fetch_optional(&self.read).await?;
        if let Some(id) = existing {
            return Ok(Principal { user_id: parse_uuid(&id)?, role: Role::Resident, agency: None });
        }
        let name = name.to_string();
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    let name = name.as_str();
                    // Two first uses at once: the second finds the first's row.
                    sqlx::query(
                "INSERT INTO users (id, role, login, display_name, created_at) VALUES ($1, 'resident', $2, $3, $4)
                 ON CONFLICT (login) DO NOTHING",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(&login)
            .bind(name)
            .bind(ts(now))
            .execute(&mut **tx)
            .await?;
                    let id: String = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
                        .bind(&login)
                        .fetch_one(&mut **tx)
                        .await?;
                    let id = parse_uuid(&id)?;
                    Ok(Principal { user_id: id, role: Role::Resident, agency: None })
                })
            })
            .await
    }

    async fn login_failed(
        &self,
        login: &str,
        addr: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> StoreResult<u32> {
        let login = login.to_string();
        let addr = addr.to_string();
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    let login = login.as_str();
                    let addr = addr.as_str();
                    sqlx::query("INSERT INTO login_failures (login, addr, at) VALUES ($1, $2, $3)")
                        .bind(login)
                        .bind(addr)
                        .bind(ts(now))
                        .execute(&mut **tx)
                        .await?;
                    // Failures older than a day no longer count for anything.
                    sqlx::query("DELETE FROM login_failures WHERE at < $1")
                        .bind(ts(now - chrono::Duration::days(1)))
                        .execute(&mut **tx)
                        .await?;
                    let n = count_login_failures(tx, login, addr, since).await?;
                    Ok(n)
                })
            })
            .await
    }

    async fn login_failures(&self, login: &str, addr: &str, since: DateTime<Utc>) -> StoreResult<u32> {
        let mut conn = self.read.acquire().await?;
        count_login_failures(&mut conn, login, addr, since).await
    }

    async fn staff_credentials(&self, login: &str) -> StoreResult<Option<StaffCredentials>> {
        let row =
            sqlx::query("SELECT id, role, agency, password_hash FROM users WHERE login = $1 AND role != 'resident'")
                .bind(login)
                .fetch_optional(&self.read)
                .await?;
        row.map(|r| -> StoreResult<StaffCredentials> {
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

    async fn staff_all(&self) -> StoreResult<Vec<StaffAccount>> {
        let rows = sqlx::query(
            "SELECT id, login, role, agency, display_name, password_hash FROM users
             WHERE role != 'resident' AND login IS NOT NULL ORDER BY login",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StaffAccount {
                    user_id: parse_uuid(r.get("id"))?,
                    login: r.get("login"),
                    role: parse_role(r.get("role"))?,
                    agency: r.get("agency"),
                    display_name: r.get("display_name"),
                    active: r.get::<Option<String>, _>("password_hash").is_some_and(|h| !h.is_empty()),
                })
            })
            .collect()
    }

    async fn me(&self, user_id: Uuid) -> StoreResult<Option<Me>> {
        let row = sqlx::query("SELECT role, phone, agency, display_name FROM users WHERE id = $1")
            .bind(user_id.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| -> StoreResult<Me> {
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

    async fn otp_limited(
        &self,
        phone: &str,
        device_id: &str,
        now: DateTime<Utc>,
        limits: OtpLimits,
    ) -> StoreResult<Option<u64>> {
        let mut conn = self.read.acquire().await?;
        let known = is_known(&mut conn, phone, device_id).await?;
        phone_over_limit(&mut conn, phone, known, now, limits).await
    }

    async fn otp_issue(
        &self,
        phone: &str,
        device_id: &str,
        (nonce, code_hash): (&str, &str),
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        limits: OtpLimits,
    ) -> StoreResult<OtpIssue> {
        let phone = phone.to_string();
        let device_id = device_id.to_string();
        let nonce = nonce.to_string();
        let code_hash = code_hash.to_string();
        self.grouped.write(move |tx| Box::pin(async move {
            let phone = phone.as_str();
            let device_id = device_id.as_str();
            let nonce = nonce.as_str();
            let code_hash = code_hash.as_str();
            let known = is_known(tx, phone, device_id).await?;
            // Checked again inside the write transaction: two requests that both passed the read
            // check cannot both be sent past the limit.
            if let Some(retry_after_s) = phone_over_limit(tx, phone, known, now, limits).await? {
                return Ok(OtpIssue::PhoneLimited { retry_after_s });
            }
            let live = sqlx::query("SELECT nonce, expires_at, attempts, known_attempts FROM otp_codes WHERE phone = $1")
                .bind(phone)
                .fetch_optional(&mut **tx)
                .await?;
            let mut keep = None;
            if let Some(row) = live {
                let expires: DateTime<Utc> = parse_ts(row.get("expires_at"))?;
                let max = i64::from(limits.max_attempts);
                let (mine, theirs) = if known {
                    (row.get::<i64, _>("known_attempts"), row.get::<i64, _>("attempts"))
                } else {
                    (row.get::<i64, _>("attempts"), row.get::<i64, _>("known_attempts"))
                };
                if expires > now && !known && mine >= max && theirs < max {
                    // New devices burnt this code; the resident's own phone may be typing it. It is
                    // not replaced for them: they wait out its life (minutes).
                    return Ok(OtpIssue::PhoneLimited { retry_after_s: (expires - now).num_seconds().max(1) as u64 });
                }
                let min_life = chrono::Duration::seconds(limits.min_life_s);
                if expires - now >= min_life && mine < max {
                    keep = Some((row.get::<String, _>("nonce"), expires));
                }
            }
            // Only sendings to new devices spend the budget: a flood can spend it, and must not keep
            // residents from signing in again on their own phones.
            if !known && !take_from_budget(tx, now, limits.sms_per_hour).await? {
                let next_hour = 3600 - (now.timestamp().rem_euclid(3600));
                return Ok(OtpIssue::BudgetSpent { retry_after_s: next_hour.max(1) as u64 });
            }
            sqlx::query("INSERT INTO otp_requests (phone, device_id, known, at) VALUES ($1, '', $2, $3)")
                .bind(phone)
                .bind(i32::from(known))
                .bind(ts(now))
                .execute(&mut **tx)
                .await?;
            let (nonce, expires_at) = match keep {
                Some(live) => live,
                None => {
                    sqlx::query(
                        "INSERT INTO otp_codes (phone, nonce, code_hash, issued_at, expires_at, attempts, known_attempts)
                         VALUES ($1, $2, $3, $4, $5, 0, 0)
                         ON CONFLICT (phone) DO UPDATE SET nonce = excluded.nonce, code_hash = excluded.code_hash,
                           issued_at = excluded.issued_at, expires_at = excluded.expires_at, attempts = 0, known_attempts = 0",
                    )
                    .bind(phone)
                    .bind(nonce)
                    .bind(code_hash)
                    .bind(ts(now))
                    .bind(ts(expires_at))
                    .execute(&mut **tx)
                    .await?;
                    (nonce.to_string(), expires_at)
                }
            };
            // Old request rows only matter inside the longest window; old budget rows not at all.
            let horizon = now - chrono::Duration::seconds(limits.phone_window_s.max(DAY_S));
            sqlx::query("DELETE FROM otp_requests WHERE at < $1").bind(ts(horizon)).execute(&mut **tx).await?;
            sqlx::query("DELETE FROM sms_budget WHERE hour < $1").bind(budget_hour(horizon)).execute(&mut **tx).await?;
            Ok(OtpIssue::Send { nonce, expires_at, budgeted: !known })
        })).await
    }

    async fn otp_unsent(&self, phone: &str, at: DateTime<Utc>, budgeted: bool) -> StoreResult<()> {
        let phone = phone.to_string();
        self.grouped.write(move |tx| Box::pin(async move {
            let phone = phone.as_str();
            sqlx::query("DELETE FROM otp_requests WHERE id = (SELECT id FROM otp_requests WHERE phone = $1 AND at = $2 LIMIT 1)")
                .bind(phone)
                .bind(ts(at))
                .execute(&mut **tx)
                .await?;
            if budgeted {
                sqlx::query("UPDATE sms_budget SET sent = sent - 1 WHERE hour = $1 AND sent > 0")
                    .bind(budget_hour(at))
                    .execute(&mut **tx)
                    .await?;
            }
            Ok(())
        })).await
    }

    async fn otp_sign_in(
        &self,
        phone: &str,
        device_id: &str,
        code_hash: &str,
        now: DateTime<Utc>,
        max_attempts: u32,
        session: &NewSession,
    ) -> StoreResult<OtpCheck> {
        let (phone, device_id, code_hash) = (phone.to_string(), device_id.to_string(), code_hash.to_string());
        let session = session.clone();
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    if !code_right_in(tx, &phone, &device_id, &code_hash, now, max_attempts).await? {
                        return Ok(OtpCheck::Invalid);
                    }
                    let principal = resident_in(tx, &phone, now).await?;
                    open_session_in(tx, &NewSession { user_id: principal.user_id, ..session }, now).await?;
                    Ok(OtpCheck::Valid(principal))
                })
            })
            .await
    }

    async fn session_create(&self, s: &NewSession, now: DateTime<Utc>) -> StoreResult<()> {
        let s = s.clone();
        self.grouped.write(move |tx| Box::pin(async move { open_session_in(tx, &s, now).await })).await
    }

    async fn session_by_access(&self, access_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Principal>> {
        let row = sqlx::query(
            "SELECT u.id, u.role, u.agency FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.access_hash = $1 AND s.access_expires_at > $2 AND s.state = 'live'",
        )
        .bind(access_hash)
        .bind(ts(now))
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| -> StoreResult<Principal> {
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
    ) -> StoreResult<Rotation> {
        let refresh_hash = refresh_hash.to_string();
        let device_id = device_id.to_string();
        let next = next.clone();
        self.grouped.write(move |tx| Box::pin(async move {
            let refresh_hash = refresh_hash.as_str();
            let device_id = device_id.as_str();
            let next = &next;
            let row = sqlx::query(
                "SELECT u.id, u.role, u.agency, s.device_id, s.access_hash, s.family, s.generation, s.state, s.replaced_at
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.refresh_hash = $1 AND s.refresh_expires_at > $2",
            )
            .bind(refresh_hash)
            .bind(ts(now))
            .fetch_optional(&mut **tx)
            .await?;
            let Some(row) = row else { return Ok(Rotation::Refused) };
            let principal = Principal {
                user_id: parse_uuid(row.get("id"))?,
                role: parse_role(row.get("role"))?,
                agency: row.get("agency"),
            };
            let family: String = row.get("family");
            let generation: i64 = row.get("generation");
            let state: String = row.get("state");
            let live: Option<i64> = sqlx::query_scalar("SELECT generation FROM sessions WHERE family = $1 AND state = 'live'")
                .bind(&family)
                .fetch_optional(&mut **tx)
                .await?;
            // The answer that carried the successor was lost, if the phone asks again soon enough;
            // later, a retired token is only ever a copy.
            let recently = row.get::<Option<String>, _>("replaced_at").map(|t| parse_ts(&t)).transpose()?.is_some_and(|at| now - at <= lost_answer_grace());
            let successor_lost = state == "replaced" && live == Some(generation + 1) && recently;
            let from_its_device = row.get::<String, _>("device_id") == device_id;
            if !from_its_device || !(state == "live" || successor_lost) {
                sqlx::query("DELETE FROM sessions WHERE family = $1").bind(&family).execute(&mut **tx).await?;
                return Ok(Rotation::Reused { user_id: principal.user_id });
            }
            if successor_lost {
                // The phone never got the successor: it ends, and a token of it seen later is a copy.
                sqlx::query("UPDATE sessions SET state = 'revoked' WHERE family = $1 AND state = 'live'")
                    .bind(&family)
                    .execute(&mut **tx)
                    .await?;
            } else {
                sqlx::query("UPDATE sessions SET state = 'replaced', replaced_at = $1 WHERE access_hash = $2")
                    .bind(ts(now))
                    .bind(row.get::<String, _>("access_hash"))
                    .execute(&mut **tx)
                    .await?;
            }
            // Retired generations are kept a few back, to recognise a copied token; older ones go.
            sqlx::query("DELETE FROM sessions WHERE family = $1 AND generation < $2")
                .bind(&family)
                .bind(generation - RETIRED_KEPT)
                .execute(&mut **tx)
                .await?;
            let next = NewSession { user_id: principal.user_id, family, ..next.clone() };
            insert_session(tx, &next, generation + 1, now).await?;
            Ok(Rotation::Rotated(principal))
        })).await
    }

    async fn set_staff_password(&self, user_id: Uuid, password_hash: Option<&str>) -> StoreResult<bool> {
        let password_hash = password_hash.map(str::to_string);
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND role != 'resident'")
                        .bind(password_hash)
                        .bind(user_id.to_string())
                        .execute(&mut **tx)
                        .await?;
                    let found = done.rows_affected() == 1;
                    if found {
                        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                            .bind(user_id.to_string())
                            .execute(&mut **tx)
                            .await?;
                    }
                    Ok(found)
                })
            })
            .await
    }

    async fn session_revoke(&self, access_hash: &str) -> StoreResult<()> {
        let access_hash = access_hash.to_string();
        self.grouped
            .write(move |tx| {
                Box::pin(async move {
                    let access_hash = access_hash.as_str();
                    sqlx::query(
                        "DELETE FROM sessions WHERE family IN (SELECT family FROM sessions WHERE access_hash = $1)",
                    )
                    .bind(access_hash)
                    .execute(&mut **tx)
                    .await?;
                    Ok(())
                })
            })
            .await
    }
}

/// Retired generations of a refresh family kept to recognise a copied token: with 15-minute
/// access tokens, at least the last four hours of a phone in constant use, and days of one used
/// now and then. An older copy is refused (not found) without ending the family.
const RETIRED_KEPT: i64 = 16;

/// How long after a refresh the retired token may still be answered as a retry whose answer was
/// lost (a phone that lost its connection mid-refresh comes back within this). A copy used later
/// ends the family.
fn lost_answer_grace() -> chrono::Duration {
    chrono::Duration::hours(1)
}

/// The resident whose phone this is, created on its first sign-in.
async fn resident_in(tx: &mut Tx, phone: &str, now: DateTime<Utc>) -> StoreResult<Principal> {
    let existing: Option<(String, String)> =
        sqlx::query_as("SELECT id, role FROM users WHERE phone = $1").bind(phone).fetch_optional(&mut **tx).await?;
    let principal = match existing {
        Some((id, role)) => Principal { user_id: parse_uuid(&id)?, role: parse_role(&role)?, agency: None },
        None => {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO users (id, role, phone, display_name, created_at) VALUES ($1, 'resident', $2, $3, $4)",
            )
            .bind(id.to_string())
            .bind(phone)
            .bind(display_name(id))
            .bind(ts(now))
            .execute(&mut **tx)
            .await?;
            Principal { user_id: id, role: Role::Resident, agency: None }
        }
    };
    Ok(principal)
}

/// Checks a code entered on `device_id`, counting the guess against its side (the account's
/// known devices, or new ones); a right code is used up, an expired one deleted. A phone with no
/// code pending still costs a write, so that the time taken does not tell whether a code is
/// pending.
async fn code_right_in(
    tx: &mut Tx,
    phone: &str,
    device_id: &str,
    code_hash: &str,
    now: DateTime<Utc>,
    max_attempts: u32,
) -> StoreResult<bool> {
    let row = sqlx::query("SELECT code_hash, expires_at, attempts, known_attempts FROM otp_codes WHERE phone = $1")
        .bind(phone)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        // The same write and commit as a wrong guess, so that the time taken does not tell
        // whether a code is pending.
        sqlx::query("UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1")
            .bind(phone)
            .execute(&mut **tx)
            .await?;
        return Ok(false);
    };
    if parse_ts(row.get("expires_at"))? <= now {
        sqlx::query("DELETE FROM otp_codes WHERE phone = $1").bind(phone).execute(&mut **tx).await?;
        return Ok(false);
    }
    let (counter, count_wrong) = if is_known(tx, phone, device_id).await? {
        ("known_attempts", "UPDATE otp_codes SET known_attempts = known_attempts + 1 WHERE phone = $1")
    } else {
        ("attempts", "UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1")
    };
    if row.get::<i64, _>(counter) >= i64::from(max_attempts) {
        sqlx::query(count_wrong).bind(phone).execute(&mut **tx).await?;
        return Ok(false);
    }
    let stored_hash: String = row.get("code_hash");
    let right = if constant_time_eq(stored_hash.as_bytes(), code_hash.as_bytes()) {
        sqlx::query("DELETE FROM otp_codes WHERE phone = $1").bind(phone).execute(&mut **tx).await?;
        true
    } else {
        sqlx::query(count_wrong).bind(phone).execute(&mut **tx).await?;
        false
    };
    Ok(right)
}

/// Stores the session of a new sign-in, ending the account's older one on the same device.
async fn open_session_in(tx: &mut Tx, s: &NewSession, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND device_id = $2")
        .bind(s.user_id.to_string())
        .bind(&s.device_id)
        .execute(&mut **tx)
        .await?;
    insert_session(tx, s, 0, now).await?;
    // Only residents sign in with codes: staff (a new console device per sign-in) are not kept.
    sqlx::query(
        "INSERT INTO known_devices (user_id, device_id, last_seen)
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'resident')
         ON CONFLICT (user_id, device_id) DO UPDATE SET last_seen = excluded.last_seen",
    )
    .bind(s.user_id.to_string())
    .bind(&s.device_id)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_session(tx: &mut Tx, s: &NewSession, generation: i64, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (access_hash, refresh_hash, user_id, device_id, access_expires_at, refresh_expires_at,
           created_at, family, generation, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'live')",
    )
    .bind(&s.access_hash)
    .bind(&s.refresh_hash)
    .bind(s.user_id.to_string())
    .bind(&s.device_id)
    .bind(ts(s.access_expires_at))
    .bind(ts(s.refresh_expires_at))
    .bind(ts(now))
    .bind(&s.family)
    .bind(generation)
    .execute(&mut **tx)
    .await?;
    // Expired sessions of this user are dead weight.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND refresh_expires_at < $2")
        .bind(s.user_id.to_string())
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Seconds to wait if one more code for `phone` would break a limit of the asking device's side
/// (known to the account, or new): its window, and for new devices, its day. A window frees up when its oldest sending ages out; only as many
/// rows as the limit are read.
async fn phone_over_limit(
    conn: &mut DbConnection,
    phone: &str,
    known: bool,
    now: DateTime<Utc>,
    limits: OtpLimits,
) -> StoreResult<Option<u64>> {
    // Each side has its window: a flood from new devices does not hold back a known one.
    let mut checks = vec![(limits.per_phone, limits.phone_window_s)];
    if !known {
        checks.push((limits.per_phone_daily, DAY_S));
    }
    for (max, window) in checks {
        let since = now - chrono::Duration::seconds(window);
        let recent: Vec<String> = sqlx::query_scalar(
            "SELECT at FROM otp_requests WHERE phone = $1 AND known = $2 AND at > $3 ORDER BY at LIMIT $4",
        )
        .bind(phone)
        .bind(i32::from(known))
        .bind(ts(since))
        .bind(i64::from(max))
        .fetch_all(&mut *conn)
        .await?;
        if recent.len() as u32 >= max {
            let oldest = recent.first().map(|t| parse_ts(t)).transpose()?.unwrap_or(now);
            return Ok(Some((oldest + chrono::Duration::seconds(window) - now).num_seconds().max(1) as u64));
        }
    }
    Ok(None)
}

const DAY_S: i64 = 86_400;

/// Whether `device_id` is one the account of `phone` has signed in on before.
async fn is_known(conn: &mut DbConnection, phone: &str, device_id: &str) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM known_devices k JOIN users u ON u.id = k.user_id WHERE u.phone = $1 AND k.device_id = $2",
    )
    .bind(phone)
    .bind(device_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// The hour a sending counts in, as the budget's key.
fn budget_hour(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H").to_string()
}

/// Takes one code from this hour's budget; false when it is spent. One conditional upsert: two
/// instances cannot both take the last one.
async fn take_from_budget(tx: &mut Tx, now: DateTime<Utc>, per_hour: u32) -> StoreResult<bool> {
    let taken: Option<i64> = sqlx::query_scalar(
        "INSERT INTO sms_budget (hour, sent) SELECT $1, 1 WHERE $2 > 0
         ON CONFLICT (hour) DO UPDATE SET sent = sms_budget.sent + 1 WHERE sms_budget.sent < $2
         RETURNING sent",
    )
    .bind(budget_hour(now))
    .bind(i64::from(per_hour))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(taken.is_some())
}

async fn count_login_failures(
    conn: &mut DbConnection,
    login: &str,
    addr: &str,
    since: DateTime<Utc>,
) -> StoreResult<u32> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE login = $1 AND addr = $2 AND at > $3")
        .bind(login)
        .bind(addr)
        .bind(ts(since))
        .fetch_one(&mut *conn)
        .await?;
    Ok(n as u32)
}
