//! Console sign-in: a password checked like the API's staff login, a session cookie (HttpOnly,
//! SameSite=Strict; behind TLS `__Host-` and Secure), a CSRF token on every form, and the page
//! language.
//!
//! The cookie carries an access token of the ordinary session table, so revoking works the same
//! way for the console and the API. The CSRF token is derived from the session and the server's
//! secret: nothing more to store, and a token from one session is worthless in another.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use maud::html;
use qala_protocol::Lang;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::forms::{FormResult, Nothing, Posted, form};
use super::i18n::{L, parse_lang};
use super::layout::{Answer, ShowErr, Shown, bare_page, html_page};
use crate::app::AppState;
use crate::auth::{TokenPolicy, hash_token, open_session, random_token};
use crate::error::AppError;
use crate::http::auth::check_staff_password;
use crate::http::extract::{ClientAddr, OverTls, over_tls};
use crate::service::access::{Admin, Staff};

/// The session cookie over plain HTTP (development, a machine's own loopback).
pub const SESSION_COOKIE: &str = "qala_console";
/// The session cookie behind TLS: the `__Host-` prefix makes browsers take it only with Secure,
/// Path=/ and no Domain, so a neighbouring subdomain cannot plant or overwrite it.
pub const SESSION_COOKIE_TLS: &str = "__Host-qala_console";
pub const LANG_COOKIE: &str = "qala_lang";
/// The start of a console session's device id in the sessions table; each sign-in adds its own
/// random part, so that signing in from a second browser does not end the first one's session
/// (a new sign-in ends the older sessions of the same device).
pub(super) const CONSOLE_DEVICE: &str = "console-web";

/// A console session lasts a working shift; then the operator signs in again.
fn shift() -> TokenPolicy {
    TokenPolicy { access_ttl: Duration::hours(10), refresh_ttl: Duration::hours(10) }
}

/// The value of cookie `name`, from every `Cookie` header of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The page language: the cookie the switcher sets, else the browser's first of kk/ru/en, else Russian.
pub fn lang_of(headers: &HeaderMap) -> L {
    if let Some(l) = cookie(headers, LANG_COOKIE).as_deref().and_then(parse_lang) {
        return L(l);
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let first = accept
        .split(',')
        .filter_map(|part| part.split(';').next())
        .filter_map(|tag| parse_lang(tag.trim().get(..2).unwrap_or("")))
        .next();
    L(first.unwrap_or(Lang::Ru))
}

fn session_cookie(value: &str, max_age_s: i64, tls: bool) -> HeaderValue {
    let c = if tls {
        format!("{SESSION_COOKIE_TLS}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age_s}")
    } else {
        format!("{SESSION_COOKIE}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age_s}")
    };
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("qala_console=; Max-Age=0"))
}

/// The CSRF token of a session.
fn csrf_for(secret: &str, access_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret.as_bytes());
    h.update(b"\0console-csrf\0");
    h.update(access_token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// A form posted from another site carries its own Origin: refuse it even before the token.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

/// The language of a page that needs no sign-in.
pub struct Ui(pub L);

impl FromRequestParts<AppState> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Ui(lang_of(&parts.headers)))
    }
}

/// A signed-in operator or administrator. Without a live console session the request is sent
/// to the login page.
pub struct Operator {
    /// Checked by the service layer: agency staff, scoped to their agency.
    pub p: Staff,
    pub name: String,
    /// The operator's agency, named in the page language.
    pub agency_name: Option<String>,
    pub l: L,
    pub csrf: String,
    token_hash: String,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let l = lang_of(&parts.headers);
        let to_login = || Redirect::to("/console/login").into_response();
        // Behind TLS only the `__Host-` cookie counts: a plain one could have been planted.
        let name = if over_tls(parts, st) { SESSION_COOKIE_TLS } else { SESSION_COOKIE };
        let Some(token) = cookie(&parts.headers, name).filter(|t| !t.is_empty()) else {
            return Err(to_login());
        };
        let token_hash = hash_token(&token);
        let p = match st.store.session_by_access(&token_hash, Utc::now()).await {
            Ok(Some(p)) => match Staff::check(p) {
                Ok(staff) => staff,
                Err(_) => return Err(to_login()),
            },
            Ok(None) => return Err(to_login()),
            Err(e) => return Err(Shown(l, e.into()).into_response()),
        };
        let name = match st.store.me(p.user_id).await {
            Ok(me) => me.map(|m| m.display_name).unwrap_or_default(),
            Err(e) => return Err(Shown(l, e.into()).into_response()),
        };
        let agency_name = p.agency.as_deref().map(|code| {
            st.catalog.get().agency(code).map_or_else(|| code.to_string(), |a| a.name.get(l.0).to_string())
        });
        Ok(Operator { csrf: csrf_for(&st.secret, &token), p, name, agency_name, l, token_hash })
    }
}

impl Operator {
    /// Every state-changing form passes here: same origin, and this session's token.
    pub fn check(&self, headers: &HeaderMap, given: &str) -> Result<(), Shown> {
        let token_ok = given.len() == self.csrf.len()
            && given.bytes().zip(self.csrf.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same_origin(headers) && token_ok {
            Ok(())
        } else {
            tracing::warn!(user = %self.p.user_id, "console form refused: bad CSRF token or foreign origin");
            Err(Shown(self.l, AppError::Forbidden(self.l.t("console-error-csrf").into())))
        }
    }

    pub fn is_admin(&self) -> bool {
        self.p.role == qala_protocol::Role::Admin
    }
}

/// A signed-in administrator: the administrators' pages take this, so none of them can be
/// reached without the check (an operator gets "administrators only").
pub struct AdminOp {
    pub op: Operator,
    pub admin: Admin,
}

impl std::ops::Deref for AdminOp {
    type Target = Operator;
    fn deref(&self) -> &Operator {
        &self.op
    }
}

impl FromRequestParts<AppState> for AdminOp {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let op = Operator::from_request_parts(parts, st).await?;
        match Admin::check(op.p.clone().into()) {
            Ok(admin) => Ok(AdminOp { op, admin }),
            Err(_) => Err(Shown(op.l, AppError::Forbidden(op.l.t("console-error-admin_only").into())).into_response()),
        }
    }
}

/// Who posted a form: a signed-in operator, or an administrator.
pub trait SignedIn: FromRequestParts<AppState, Rejection = Response> + Send {
    fn operator(&self) -> &Operator;
}

impl SignedIn for Operator {
    fn operator(&self) -> &Operator {
        self
    }
}

impl SignedIn for AdminOp {
    fn operator(&self) -> &Operator {
        &self.op
    }
}

pub async fn login_page(Ui(l): Ui) -> Response {
    html_page(StatusCode::OK, login_form(l, None))
}

fn login_form(l: L, error: Option<&str>) -> maud::Markup {
    bare_page(
        l,
        l.t("console-login-title"),
        html! {
            form.card.login method="post" action="/console/login" {
                h1 { "Qala · " (l.t("console-login-title")) }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                label { (l.t("console-login-login")) input name="login" autocomplete="username" required autofocus; }
                label { (l.t("console-login-password")) input name="password" type="password" autocomplete="current-password" required; }
                button.primary type="submit" { (l.t("console-login-submit")) }
            }
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    login: String,
    password: String,
}

pub async fn login(
    State(st): State<AppState>,
    Ui(l): Ui,
    ClientAddr(addr): ClientAddr,
    OverTls(tls): OverTls,
    headers: HeaderMap,
    f: FormResult<LoginForm>,
) -> Answer {
    if !same_origin(&headers) {
        return Err(Shown(l, AppError::Forbidden(l.t("console-error-csrf").into())));
    }
    let f = form(l, f)?;
    let principal = match check_staff_password(&st, addr, &f.login, &f.password).await {
        Ok(p) => p,
        Err(AppError::BadCredentials) => {
            return Ok(html_page(AppError::BadCredentials.status(), login_form(l, Some(l.t("console-login-failed")))));
        }
        Err(e @ AppError::RateLimited { .. }) => {
            return Ok(html_page(e.status(), login_form(l, Some(l.t("console-login-limited")))));
        }
        Err(e) => return Err(Shown(l, e)),
    };
    let now = Utc::now();
    let device = format!("{CONSOLE_DEVICE}-{}", random_token());
    let session = open_session(st.store.as_ref(), &principal, &device, now, shift()).await.shown(l)?;
    tracing::info!(user = %principal.user_id, "console sign-in");
    let mut resp = Redirect::to("/console").into_response();
    let max_age = shift().access_ttl.num_seconds();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie(&session.access_token, max_age, tls));
    Ok(resp)
}

pub async fn logout(State(st): State<AppState>, OverTls(tls): OverTls, Posted(op, _): Posted<Nothing>) -> Answer {
    st.store.session_revoke(&op.token_hash).await.shown(op.l)?;
    let mut resp = Redirect::to("/console/login").into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0, tls));
    Ok(resp)
}

/// Sets the page language and goes back to the page the switcher was on.
pub async fn set_lang(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let Some(lang) = parse_lang(&code) else {
        return Redirect::to("/console").into_response();
    };
    // Back to the same console page only: never to another site.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("/console").map(|i| r[i..].to_string()))
        .filter(|p| !p.starts_with("/console/lang") && !p.starts_with("/console/login"))
        .unwrap_or_else(|| "/console".into());
    let mut resp = Redirect::to(&back).into_response();
    let c = format!("{LANG_COOKIE}={}; Path=/console; SameSite=Lax; Max-Age=31536000", lang.code());
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; qala_lang=kk"));
        h.append(header::COOKIE, HeaderValue::from_static("qala_console=tok"));
        assert_eq!(cookie(&h, "qala_console").as_deref(), Some("tok"));
        assert_eq!(lang_of(&h).0, Lang::Kk);
    }

    #[test]
    fn language_follows_the_browser_then_russian() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("de-DE,en-US;q=0.8,ru;q=0.5"));
        assert_eq!(lang_of(&h).0, Lang::En);
        assert_eq!(lang_of(&HeaderMap::new()).0, Lang::Ru);
    }

    #[test]
    fn foreign_origins_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("city.kz"));
        assert!(same_origin(&h), "no Origin: an old browser or a same-origin navigation");
        h.insert(header::ORIGIN, HeaderValue::from_static("https://city.kz"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&h));
        assert_ne!(csrf_for("s", "token-a"), csrf_for("s", "token-b"));
    }
}
