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
    AccountStore, NewSession, NewStaff, OtpCheck, OtpIssue, OtpLimits, StaffAccount, StaffCredentials,
};

#[async_trait]
impl AccountStore for Backend {
    async fn resident_for_phone(&self, phone: &str, now: DateTime<Utc>) -> StoreResult<Principal> {
        let mut tx = self.begin().await?;
        let existing: Option<(String, String)> =
            sqlx::query_as("SELECT id, role FROM users WHERE phone = $1").bind(phone).fetch_optional(&mut *tx).await?;
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
                .execute(&mut *tx)
                .await?;
                Principal { user_id: id, role: Role::Resident, agency: None }
            }
        };
        tx.commit().await?;
        Ok(principal)
    }

    async fn create_staff(&self, staff: &NewStaff, now: DateTime<Utc>) -> StoreResult<Uuid> {
        // Logins are case-insensitive: kept in lower case.
        let login = staff.login.trim().to_lowercase();
        let staff = &NewStaff { login, ..staff.clone() };
        let mut tx = self.begin().await?;
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
        .execute(&mut *tx)
        .await
        .on_unique(|| StoreError::Taken(format!("login {} is taken", staff.login)))
        .on_foreign_key(|| unknown_agency(staff.agency.as_deref().unwrap_or("")))?;
        tx.commit().await?;
        Ok(id)
    }

    async fn channel_account(&self, name: &str, now: DateTime<Utc>) -> StoreResult<Principal> {
        let login = format!("channel:{name}");
        let mut tx = self.begin().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE login = $1").bind(&login).fetch_optional(&mut *tx).await?;
        let id = match existing {
            Some(id) => parse_uuid(&id)?,
            None => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO users (id, role, login, display_name, created_at) VALUES ($1, 'resident', $2, $3, $4)",
                )
                .bind(id.to_string())
                .bind(&login)
                .bind(name)
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        tx.commit().await?;
        Ok(Principal { user_id: id, role: Role::Resident, agency: None })
    }

    async fn login_failed(&self, login: &str, now: DateTime<Utc>, since: DateTime<Utc>) -> StoreResult<u32> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO login_failures (login, at) VALUES ($1, $2)")
            .bind(login)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        // Failures older than a day no longer count for anything.
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(ts(now - chrono::Duration::days(1)))
            .execute(&mut *tx)
            .await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE login = $1 AND at > $2")
            .bind(login)
            .bind(ts(since))
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(n as u32)
    }

    async fn login_failures(&self, login: &str, since: DateTime<Utc>) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE login = $1 AND at > $2")
            .bind(login)
            .bind(ts(since))
            .fetch_one(&self.read)
            .await?;
        Ok(n as u32)
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

    async fn otp_limited(&self, phone: &str, device_id: &str, now: DateTime<Utc>, limits: OtpLimits) -> StoreResult<Option<u64>> {
        let mut conn = self.read.acquire().await?;
        otp_over_limit(&mut conn, phone, device_id, now, limits).await
    }

    async fn otp_issue(
        &self,
        phone: &str,
        device_id: &str,
        code_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        limits: OtpLimits,
    ) -> StoreResult<OtpIssue> {
        let mut tx = self.begin().await?;
        // Checked again inside the write transaction: two requests that both passed the read
        // check cannot both be issued past the limit.
        if let Some(retry_after_s) = otp_over_limit(&mut tx, phone, device_id, now, limits).await? {
            return Ok(OtpIssue::RateLimited { retry_after_s });
        }
        sqlx::query("INSERT INTO otp_requests (phone, device_id, at) VALUES ($1, $2, $3)")
            .bind(phone)
            .bind(device_id)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO otp_codes (phone, device_id, code_hash, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)
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
        let horizon = now - chrono::Duration::seconds(limits.phone_window_s.max(limits.device_window_s).max(86_400));
        sqlx::query("DELETE FROM otp_requests WHERE at < $1").bind(ts(horizon)).execute(&mut *tx).await?;
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
    ) -> StoreResult<OtpCheck> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT device_id, code_hash, expires_at, attempts FROM otp_codes WHERE phone = $1")
            .bind(phone)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(OtpCheck::Missing);
        };
        let attempts = row.get::<i64, _>("attempts") as u32;
        if parse_ts(row.get("expires_at"))? <= now {
            sqlx::query("DELETE FROM otp_codes WHERE phone = $1").bind(phone).execute(&mut *tx).await?;
            tx.commit().await?;
            return Ok(OtpCheck::Missing);
        }
        if attempts >= max_attempts {
            return Ok(OtpCheck::Exhausted);
        }
        let stored_device: String = row.get("device_id");
        let stored_hash: String = row.get("code_hash");
        let outcome = if stored_device == device_id && constant_time_eq(stored_hash.as_bytes(), code_hash.as_bytes()) {
            sqlx::query("DELETE FROM otp_codes WHERE phone = $1").bind(phone).execute(&mut *tx).await?;
            OtpCheck::Valid
        } else {
            sqlx::query("UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1")
                .bind(phone)
                .execute(&mut *tx)
                .await?;
            OtpCheck::Wrong { attempts_left: max_attempts - attempts - 1 }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn session_create(&self, s: &NewSession, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        insert_session(&mut tx, s, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session_by_access(&self, access_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Principal>> {
        let row = sqlx::query(
            "SELECT u.id, u.role, u.agency FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.access_hash = $1 AND s.access_expires_at > $2",
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
    ) -> StoreResult<Option<Principal>> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT u.id, u.role, u.agency, s.device_id FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.refresh_hash = $1 AND s.refresh_expires_at > $2",
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
        sqlx::query("DELETE FROM sessions WHERE refresh_hash = $1").bind(refresh_hash).execute(&mut *tx).await?;
        let next = NewSession { user_id: principal.user_id, ..next.clone() };
        insert_session(&mut tx, &next, now).await?;
        tx.commit().await?;
        Ok(Some(principal))
    }

    async fn set_staff_password(&self, user_id: Uuid, password_hash: Option<&str>) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND role != 'resident'")
            .bind(password_hash)
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
        let found = done.rows_affected() == 1;
        if found {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id.to_string()).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(found)
    }

    async fn session_revoke(&self, access_hash: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE access_hash = $1").bind(access_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_session(tx: &mut Tx, s: &NewSession, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (access_hash, refresh_hash, user_id, device_id, access_expires_at, refresh_expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
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
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND refresh_expires_at < $2")
        .bind(s.user_id.to_string())
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}


/// Seconds to wait if one more code for `phone` on `device_id` would break a limit: per phone in
/// a short window and per day, per device. The window frees up when its oldest request ages out.
async fn otp_over_limit(
    conn: &mut DbConnection,
    phone: &str,
    device_id: &str,
    now: DateTime<Utc>,
    limits: OtpLimits,
) -> StoreResult<Option<u64>> {
    let checks = [
        ("SELECT at FROM otp_requests WHERE phone = $1 AND at > $2 ORDER BY at", phone, limits.per_phone, limits.phone_window_s),
        ("SELECT at FROM otp_requests WHERE phone = $1 AND at > $2 ORDER BY at", phone, limits.per_phone_daily, 86_400),
        ("SELECT at FROM otp_requests WHERE device_id = $1 AND at > $2 ORDER BY at", device_id, limits.per_device, limits.device_window_s),
    ];
    for (sql, key, max, window) in checks {
        let since = now - chrono::Duration::seconds(window);
        let recent: Vec<String> = sqlx::query_scalar(sql).bind(key).bind(ts(since)).fetch_all(&mut *conn).await?;
        if recent.len() as u32 >= max {
            let oldest = parse_ts(&recent[0])?;
            return Ok(Some((oldest + chrono::Duration::seconds(window) - now).num_seconds().max(1) as u64));
        }
    }
    Ok(None)
}
