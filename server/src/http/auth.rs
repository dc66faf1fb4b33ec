//! Sign-in routes: resident phone + code, staff password, refresh, sign-out, who am I.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use qala_protocol::{
    DeleteAccount, ErrorBody, Me, OtpRequest, OtpRequested, OtpVerify, PersonalData, RefreshRequest, Role, Session,
    StaffLogin, normalize_phone,
};
use uuid::Uuid;

use std::net::IpAddr;

use super::extract::{ApiJson, ApiPath, Auth, ClientAddr, bearer};
use crate::app::{AppState, PASSWORD_WAIT};
use crate::auth::sms::SmsError;
use crate::auth::{
    check_device_id, hash_token, new_session, open_session, otp_code, otp_hash, otp_nonce, verify_password,
};
use crate::domain::Principal;
use crate::error::{AppError, AppResult};
use crate::limits::addr_key;
use crate::service::access::Resident;
use crate::service::privacy;
use crate::store::{OtpCheck, OtpIssue, Rotation};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/otp/request", post(otp_request))
        .route("/auth/otp/verify", post(otp_verify))
        .route("/auth/login", post(staff_login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/me", get(me).delete(delete_me))
        .route("/me/export", get(export))
        .route("/me/reports/{id}/anonymise", post(anonymise))
}

fn phone(input: &str) -> AppResult<String> {
    normalize_phone(input).ok_or_else(|| AppError::validation("phone", "not a Kazakhstan phone number"))
}

/// Sends a one-time code to the phone: the live code again if there is one, so that a second
/// request (the resident's, or anyone's) does not take away a code already on its way. Limited
/// per client address, per phone, and — for devices new to the phone's account, which a flood
/// can invent — per phone per day and per hour for the whole server (the SMS bill).
#[utoipa::path(post, path = "/api/v1/auth/otp/request", request_body = OtpRequest, tag = "auth",
    responses((status = 202, body = OtpRequested), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn otp_request(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<OtpRequest>,
) -> AppResult<(StatusCode, Json<OtpRequested>)> {
    let phone = phone(&req.phone)?;
    check_device_id(&req.device_id)?;
    if !st.sms.available() {
        return Err(SmsError::NotSetUp.into());
    }
    // Cheap refusals first: the address's count in memory, then the phone's in a read; only a
    // request within every limit goes on to the write lock (and the SMS bill).
    st.otp_by_addr.hit(addr).map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
    let now = Utc::now();
    if let Some(retry_after_s) = st.store.otp_limited(&phone, &req.device_id, now, st.settings.otp_limits).await? {
        return Err(AppError::RateLimited { retry_after_s });
    }
    let fresh = otp_nonce();
    let fresh_hash = otp_hash(&st.secret, &phone, &otp_code(&st.secret, &phone, &fresh));
    let expires_at = now + st.settings.otp_ttl;
    let limits = st.settings.otp_limits;
    match st.store.otp_issue(&phone, &req.device_id, (&fresh, &fresh_hash), now, expires_at, limits).await? {
        OtpIssue::Send { nonce, expires_at, budgeted } => {
            match st.sms.send_code(&phone, &otp_code(&st.secret, &phone, &nonce)).await {
                Ok(()) => {}
                // Certainly not sent: it counts for no limit, or a gateway's bad minute would lock
                // phones out.
                Err(SmsError::NotSent) => {
                    st.store.otp_unsent(&phone, now, budgeted).await?;
                    return Err(SmsError::NotSent.into());
                }
                Err(e) => return Err(e.into()),
            }
            let expires_in_s = (expires_at - now).num_seconds().max(0) as u32;
            Ok((StatusCode::ACCEPTED, Json(OtpRequested { phone, expires_in_s })))
        }
        OtpIssue::PhoneLimited { retry_after_s } => Err(AppError::RateLimited { retry_after_s }),
        OtpIssue::BudgetSpent { retry_after_s } => {
            tracing::warn!(per_hour = st.settings.otp_limits.sms_per_hour, "SMS budget of this hour spent");
            Err(AppError::Unavailable {
                message: "sign-in codes cannot be sent just now; try again later".into(),
                retry_after_s,
            })
        }
    }
}

/// Trades the code for a session. Every failure reads the same, whether the code was wrong,
/// expired, out of guesses or never asked for: nobody learns from here that a code is pending.
#[utoipa::path(post, path = "/api/v1/auth/otp/verify", request_body = OtpVerify, tag = "auth",
    responses((status = 200, body = Session), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn otp_verify(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<OtpVerify>,
) -> AppResult<Json<Session>> {
    let phone = phone(&req.phone)?;
    check_device_id(&req.device_id)?;
    let code = req.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::validation("code", "the code has six digits"));
    }
    // Every check counts for its address before it is made (across any number of phones), so
    // that many at once from one address cannot all pass the count before any is counted.
    st.otp_checks_by_addr.hit(addr).map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
    let now = Utc::now();
    let hash = otp_hash(&st.secret, &phone, code);
    // The session is made before the check, so that the check, the account and the session are
    // one write: whose it is, the store fills in.
    let (session, record) = new_session(&placeholder(), &req.device_id, now, st.settings.tokens);
    let max_attempts = st.settings.otp_limits.max_attempts;
    match st.store.otp_sign_in(&phone, &req.device_id, &hash, now, max_attempts, &record).await? {
        OtpCheck::Valid(principal) => Ok(Json(whose(session, &principal))),
        OtpCheck::Invalid => Err(AppError::validation("code", WRONG_CODE)),
    }
}

/// The one answer to every code that does not sign in.
pub const WRONG_CODE: &str = "wrong or expired code; if it keeps failing, ask for a new one";

/// Staff sign-in with login and password.
#[utoipa::path(post, path = "/api/v1/auth/login", request_body = StaffLogin, tag = "auth",
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn staff_login(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<StaffLogin>,
) -> AppResult<Json<Session>> {
    check_device_id(&req.device_id)?;
    let principal = check_staff_password(&st, addr, &req.login, &req.password).await?;
    Ok(Json(open_session(st.store.as_ref(), &principal, &req.device_id, Utc::now(), st.settings.tokens).await?))
}

/// Checks a staff login and password, with the failure limits per login and per client address;
/// the console signs in through here too. A password check costs an argon2 hash (about 19 MiB and
/// tens of milliseconds), so only a bounded number run at once, and a request is refused before
/// it costs one whenever it can be: a login or password longer than any real one, an address or
/// a login with too many recent failures, no free checker within [`PASSWORD_WAIT`].
pub async fn check_staff_password(st: &AppState, addr: IpAddr, login: &str, password: &str) -> AppResult<Principal> {
    if login.chars().count() > LOGIN_MAX_CHARS {
        return Err(AppError::validation("login", format!("at most {LOGIN_MAX_CHARS} characters")));
    }
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return Err(AppError::validation("password", format!("at most {PASSWORD_MAX_CHARS} characters")));
    }
    if let Some(retry_after_s) = st.login_failures_by_addr.blocked(addr) {
        return Err(AppError::RateLimited { retry_after_s });
    }
    let login = login.trim().to_lowercase();
    let now = Utc::now();
    let window = now - chrono::Duration::seconds(LOGIN_WINDOW_S);
    // Counted per login *and* address: a flood of wrong passwords for `admin` from one place
    // does not lock `admin` out from everywhere else.
    let from = addr_key(addr).to_string();
    if st.store.login_failures(&login, &from, window).await? >= LOGIN_MAX_FAILURES {
        return Err(AppError::RateLimited { retry_after_s: LOGIN_WINDOW_S as u64 });
    }
    let checker = tokio::time::timeout(PASSWORD_WAIT, st.password_checks.clone().acquire_owned())
        .await
        .map_err(|_| AppError::RateLimited { retry_after_s: PASSWORD_WAIT.as_secs().max(1) })?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // Counted before the hash: a client that hangs up mid-check has still spent an attempt.
    let _ = st.login_failures_by_addr.hit(addr);
    let creds = st.store.staff_credentials(&login).await?;
    // Verify against a real hash even for unknown logins, so timing does not reveal which exist.
    let (hash, principal) = match creds {
        Some(c) => (c.password_hash, Some(c.principal)),
        None => (dummy_hash()?, None),
    };
    let password = password.to_string();
    // The permit goes with the hash onto the blocking pool: if the client hangs up and this
    // future is dropped, the hash still holds its place until it is done.
    let ok = tokio::task::spawn_blocking(move || {
        let _checker = checker;
        verify_password(&password, &hash)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match (ok, principal) {
        (true, Some(p)) => Ok(p),
        _ => {
            st.store.login_failed(&login, &from, now, window).await?;
            Err(AppError::BadCredentials)
        }
    }
}

/// Failed logins allowed per login from one address within the window; then that pair waits.
const LOGIN_MAX_FAILURES: u32 = 10;
/// Longer logins and passwords than these are nobody's: refused before any lookup or hash.
pub const LOGIN_MAX_CHARS: usize = 64;
pub const PASSWORD_MAX_CHARS: usize = 256;
const LOGIN_WINDOW_S: i64 = 15 * 60;

/// An argon2 hash of a random password, checked when the login does not exist.
fn dummy_hash() -> AppResult<String> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let h = crate::auth::hash_password(&crate::auth::random_token())?;
    Ok(DUMMY.get_or_init(|| h).clone())
}

/// Whose a session is before the store has said: a new session's tokens are made before the
/// write that tells whose they are (the store puts the right user id into the record).
fn placeholder() -> Principal {
    Principal { user_id: Uuid::nil(), role: Role::Resident, agency: None }
}

/// The session made for [`placeholder`], once the store has said whose it is.
fn whose(session: Session, principal: &Principal) -> Session {
    Session { user_id: principal.user_id, role: principal.role, ..session }
}

/// Rotates the refresh token: the old one stops working. A retired token used again ends its
/// whole family (someone copied it), except the last one retired while its successor never
/// refreshed: the phone never got that answer, and asks again with what it has.
#[utoipa::path(post, path = "/api/v1/auth/refresh", request_body = RefreshRequest, tag = "auth",
    responses((status = 200, body = Session), (status = 401, body = ErrorBody)))]
pub async fn refresh(State(st): State<AppState>, ApiJson(req): ApiJson<RefreshRequest>) -> AppResult<Json<Session>> {
    check_device_id(&req.device_id)?;
    let now = Utc::now();
    let (session, record) = new_session(&placeholder(), &req.device_id, now, st.settings.tokens);
    match st.store.session_rotate(&hash_token(&req.refresh_token), &req.device_id, &record, now).await? {
        Rotation::Rotated(principal) => Ok(Json(whose(session, &principal))),
        Rotation::Refused => Err(AppError::Unauthorized),
        Rotation::Reused { user_id } => {
            tracing::warn!(%user_id, "a retired refresh token was used again: all sessions of its sign-in ended");
            Err(AppError::Unauthorized)
        }
    }
}

/// Ends this device's session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(st): State<AppState>, Auth(_): Auth, headers: HeaderMap) -> AppResult<StatusCode> {
    let token = bearer(&headers).ok_or(AppError::Unauthorized)?;
    st.store.session_revoke(&hash_token(token)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(st): State<AppState>, Auth(p): Auth) -> AppResult<Json<Me>> {
    st.store.me(p.user_id).await?.map(Json).ok_or(AppError::Unauthorized)
}

/// Everything the server keeps about me, as a JSON file ("Download my data"); my files are
/// listed and fetched from `/api/v1/media/{id}`.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = PersonalData), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn export(State(st): State<AppState>, me: Resident) -> AppResult<Json<PersonalData>> {
    let _building = st
        .exports
        .try_acquire()
        .map_err(|_| AppError::Unavailable { message: "busy; retry in a moment".into(), retry_after_s: 5 })?;
    Ok(Json(privacy::export(&st, &me).await?))
}

/// Takes my name off one of my reports: it leaves my phone and my account, and stays for the
/// agency and the city, anonymous.
#[utoipa::path(post, path = "/api/v1/me/reports/{id}/anonymise", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "report id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn anonymise(State(st): State<AppState>, me: Resident, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    privacy::anonymise(&st, &me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes my account: my reports are anonymised (or, those still worked, withdrawn), my personal
/// data goes, every session of mine ends. The app then wipes its own data.
#[utoipa::path(delete, path = "/api/v1/me", request_body = DeleteAccount, tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn delete_me(
    State(st): State<AppState>,
    me: Resident,
    ApiJson(req): ApiJson<DeleteAccount>,
) -> AppResult<StatusCode> {
    privacy::delete_account(&st, &me, req).await?;
    Ok(StatusCode::NO_CONTENT)
}
