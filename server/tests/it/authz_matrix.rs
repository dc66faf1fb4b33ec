//! The authorization matrix: every route of the server against six principals, with the expected
//! status of each pair in ONE table ([`ROWS`]).
//!
//! Why: who may do what is decided in many places — the bearer extractors (`Auth`, `Staff`,
//! `Admin`), the domain rules (`acts_for`: an operator acts for one agency), media access, the
//! uploads' owner checks, the console's cookie session, CSRF token and administrator check, the
//! Open311 API key. Each is tested somewhere, but only a table shows the whole picture at a glance,
//! makes every difference between principals visible, and makes a change of any cell a reviewed
//! change of this file. And so that a new route without a row fails, the second test reads the
//! routes from the OpenAPI document (and from the routers' source, for the routes outside it) and
//! fails when a route has no row, or a row no route.
//!
//! The principals (columns, in this order): anonymous; resident A, who wrote the report;
//! resident B, another resident; an operator of agency X, where the report is routed; an operator
//! of agency Y; an administrator. On the API they present their bearer token; on the console
//! (`/console…`) staff present the session cookie they got from the console's sign-in form, and
//! residents — who cannot sign in there — present their API access token as that cookie (the
//! console and the API share one session table, so this is the best a resident could try).
//!
//! Placeholders in paths and bodies are filled from the set-up: `{report}` (A's report in agency
//! X, with the photo `{media}`), `{number}` (its registration number), `{upload}` (an unfinished
//! upload of A's), `{news}`, `{project}`, `{comment}` (A's comment on the project), `{staff}` (a
//! staff account to reset and disable), `{day}` (a holiday), and per request `{uniq}`, `{phone}`,
//! `{device}` (fresh values).
//!
//! Rows whose call changes or ends its target take a fresh one for every single request (see
//! [`Fresh`]): a report to assign, route, answer or reject; a session to sign out; an upload to
//! append to; a news item or project to delete. So the order of rows and of principals does not
//! matter, and a success in one cell cannot change the answer of another.
//!
//! Cells hold HTTP statuses, plus [`LOGIN`]: the console's "sign in first", a 303 to
//! `/console/login` that sets no cookie (a successful sign-out also ends there, but clears the
//! cookie: that is a plain 303).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::common::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use qala_protocol::*;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

/// The console's "sign in first": 303 See Other to `/console/login`, with no `Set-Cookie`.
const LOGIN: u16 = 1303;

const GET: &str = "GET";
const POST: &str = "POST";
const PUT: &str = "PUT";
const DELETE: &str = "DELETE";
const PATCH: &str = "PATCH";
const HEAD: &str = "HEAD";
const OPTIONS: &str = "OPTIONS";

/// The principals, in the order of the table's columns.
const WHO: [&str; 6] = ["anonymous", "resident A", "resident B", "operator X", "operator Y", "admin"];

/// Agency X (the report's), its category, agency Y (another), and where reports get routed to.
const AGENCY_X: &str = "mobility";
const CATEGORY_X: &str = "road_repair";
const AGENCY_Y: &str = "green_economy";
const OPEN311_KEY: &str = "matrix-0123456789abcdef";
/// A staff account that exists only to sign in with on the public sign-in routes.
const LOGIN_ACCOUNT: &str = "matrix.login";
const HOLIDAY: &str = "2099-01-01";
const PHONE_A: u32 = 9601;
const PHONE_B: u32 = 9602;
/// Fresh phone numbers (`{phone}`) start here.
const FRESH_PHONES: u32 = 500_000;

const NEWS_JSON: &str =
    r#"{"title":{"kk":"","ru":"","en":"Matrix news"},"body":{"kk":"","ru":"","en":"Text"},"published":false}"#;
const PROJECT_JSON: &str = r#"{"title":{"kk":"","ru":"","en":"Matrix project"},"description":{"kk":"","ru":"","en":"Text"},"status":"discussion"}"#;

/// What a request carries besides its credentials.
#[derive(Clone, Copy)]
enum Body {
    None,
    /// JSON, placeholders filled.
    Json(&'static str),
    /// A console form; the principal's CSRF token is added as `csrf`.
    Form(&'static [(&'static str, &'static str)]),
    /// A urlencoded form without a CSRF token (Open311).
    PlainForm(&'static [(&'static str, &'static str)]),
    /// `Tus-Resumable` only.
    Tus,
    /// tus creation of a 1,000-byte photo under a fresh media id.
    TusCreate,
    /// The whole file of the (fresh) upload `{upload}`, from offset 0.
    TusPatch,
    /// The console's multipart answer: CSRF token, text and one photo.
    Answer,
}

/// A target made afresh for every single request of the row, because the call changes or ends it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fresh {
    No,
    /// A new session of the principal: staff sign in again (through the console for console
    /// rows); residents sign in again for API rows (on the console they only ever have their API
    /// token, which the console refuses without touching it).
    Session,
    /// A new report of resident A in agency X: `{report}`.
    Report,
    /// A new unfinished upload of resident A: `{upload}`.
    Upload,
    News,
    Project,
}

#[derive(Clone, Copy)]
struct Row {
    method: &'static str,
    path: &'static str,
    /// anonymous, resident A, resident B, operator X, operator Y, admin.
    expect: [u16; 6],
    body: Body,
    fresh: Fresh,
}

const fn row(method: &'static str, path: &'static str, expect: [u16; 6]) -> Row {
    Row { method, path, expect, body: Body::None, fresh: Fresh::No }
}

impl Row {
    const fn json(self, text: &'static str) -> Row {
        Row { body: Body::Json(text), ..self }
    }

    const fn form(self, fields: &'static [(&'static str, &'static str)]) -> Row {
        Row { body: Body::Form(fields), ..self }
    }

    const fn sends(self, body: Body) -> Row {
        Row { body, ..self }
    }

    const fn fresh(self, fresh: Fresh) -> Row {
        Row { fresh, ..self }
    }

    fn is_console(&self) -> bool {
        self.path.starts_with("/console")
    }
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    //  method    path                                             anon   res A  res B  op X   op Y   admin
    // ---- Public API: the same answer whoever asks; a bearer token neither helps nor hurts.
    row(GET,     "/healthz",                                       [200,   200,   200,   200,   200,   200]),
    row(GET,     "/api/v1/openapi.json",                           [200,   200,   200,   200,   200,   200]),
    row(GET,     "/api/v1/catalog",                                [200,   200,   200,   200,   200,   200]),
    row(GET,     "/api/v1/stats",                                  [200,   200,   200,   200,   200,   200]),
    row(POST,    "/api/v1/auth/otp/request",                       [202,   202,   202,   202,   202,   202])
        .json(r#"{"phone":"{phone}","device_id":"{device}"}"#),
    // A well-formed code for a phone that was sent none: 422 for everyone, as any wrong code
    // (no session is involved, and nothing tells whether a code is pending).
    row(POST,    "/api/v1/auth/otp/verify",                        [422,   422,   422,   422,   422,   422])
        .json(r#"{"phone":"{phone}","device_id":"{device}","code":"123456"}"#),
    // The right password of a staff account signs in, whoever sends it.
    row(POST,    "/api/v1/auth/login",                             [200,   200,   200,   200,   200,   200])
        .json(r#"{"login":"matrix.login","password":"{login_pw}","device_id":"{device}"}"#),
    // Only the refresh token in the body counts, not the bearer: a bogus one is refused for all.
    row(POST,    "/api/v1/auth/refresh",                           [401,   401,   401,   401,   401,   401])
        .json(r#"{"refresh_token":"not-a-refresh-token","device_id":"{device}"}"#),
    // ---- Signed-in API
    row(POST,    "/api/v1/auth/logout",                            [401,   204,   204,   204,   204,   204]).fresh(Fresh::Session),
    row(GET,     "/api/v1/me",                                     [401,   200,   200,   200,   200,   200]),
    // A resident's rights are residents' (staff accounts are the administrators' to manage).
    row(GET,     "/api/v1/me/export",                              [401,   200,   200,   403,   403,   403]),
    row(POST,    "/api/v1/me/reports/{report}/anonymise",          [401,   204,   404,   403,   403,   403])
        .fresh(Fresh::Report),
    // A choice that is neither `anonymise` nor `withdraw`: nothing is deleted here.
    row(DELETE,  "/api/v1/me",                                     [401,   422,   422,   403,   403,   403])
        .json(r#"{"reports":"keep"}"#),
    // Push is for residents' phones; staff are refused even an empty batch.
    row(POST,    "/api/v1/sync/push",                              [401,   200,   200,   403,   403,   403]).json(r#"{"ops":[]}"#),
    // Pull has no role check: staff get the public changes (and their own, which are none).
    row(GET,     "/api/v1/sync/pull",                              [401,   200,   200,   200,   200,   200]),
    row(GET,     "/api/v1/reports",                                [401,   200,   200,   200,   200,   200]),
    row(GET,     "/api/v1/reports/{report}",                       [401,   200,   200,   200,   200,   200]),
    // ---- Uploads: anyone signed in may upload; an upload exists only for its owner (404 to all others).
    row(OPTIONS, "/api/v1/uploads",                                [204,   204,   204,   204,   204,   204]).sends(Body::Tus),
    row(POST,    "/api/v1/uploads",                                [401,   201,   201,   201,   201,   201]).sends(Body::TusCreate),
    row(HEAD,    "/api/v1/uploads/{upload}",                       [401,   200,   404,   404,   404,   404]).sends(Body::Tus),
    row(PATCH,   "/api/v1/uploads/{upload}",                       [401,   204,   404,   404,   404,   404])
        .sends(Body::TusPatch).fresh(Fresh::Upload),
    // Routed but not in the OpenAPI document (see UNDOCUMENTED).
    row(OPTIONS, "/api/v1/uploads/{upload}",                       [204,   204,   204,   204,   204,   204]).sends(Body::Tus),
    // The author, staff of the report's agency and administrators; 404 to everyone else.
    row(GET,     "/api/v1/media/{media}",                          [401,   200,   404,   200,   404,   200]),
    // ---- Operator API: residents 403 (not staff); another agency's report does not exist (404).
    row(GET,     "/api/v1/operator/reports",                       [401,   403,   403,   200,   200,   200]),
    row(GET,     "/api/v1/operator/reports/{report}",              [401,   403,   403,   200,   404,   200]),
    row(POST,    "/api/v1/operator/reports/{report}/assign",       [401,   403,   403,   200,   404,   200])
        .fresh(Fresh::Report).json(r#"{"executor":"Brigade 7"}"#),
    row(POST,    "/api/v1/operator/reports/{report}/route",        [401,   403,   403,   200,   404,   200])
        .fresh(Fresh::Report).json(r#"{"agency":"housing"}"#),
    row(POST,    "/api/v1/operator/reports/{report}/start",        [401,   403,   403,   200,   404,   200])
        .fresh(Fresh::Report).json("{}"),
    row(POST,    "/api/v1/operator/reports/{report}/answer",       [401,   403,   403,   200,   404,   200])
        .fresh(Fresh::Report).json(r#"{"text":"Fixed"}"#),
    row(POST,    "/api/v1/operator/reports/{report}/reject",       [401,   403,   403,   200,   404,   200])
        .fresh(Fresh::Report).json(r#"{"reason":"other","text":"Not a city problem"}"#),
    row(POST,    "/api/v1/operator/reports/{report}/redact",       [401,   403,   403,   200,   404,   200])
        .fresh(Fresh::Report).json(r#"{"public_description":"A hole"}"#),
    // ---- Administrator API: 403 to residents and operators alike.
    row(GET,     "/api/v1/admin/news",                             [401,   403,   403,   403,   403,   200]),
    row(POST,    "/api/v1/admin/news",                             [401,   403,   403,   403,   403,   201]).json(NEWS_JSON),
    row(PUT,     "/api/v1/admin/news/{news}",                      [401,   403,   403,   403,   403,   204]).json(NEWS_JSON),
    row(DELETE,  "/api/v1/admin/news/{news}",                      [401,   403,   403,   403,   403,   204]).fresh(Fresh::News),
    row(GET,     "/api/v1/admin/projects",                         [401,   403,   403,   403,   403,   200]),
    row(POST,    "/api/v1/admin/projects",                         [401,   403,   403,   403,   403,   201]).json(PROJECT_JSON),
    row(PUT,     "/api/v1/admin/projects/{project}",               [401,   403,   403,   403,   403,   204]).json(PROJECT_JSON),
    row(DELETE,  "/api/v1/admin/projects/{project}",               [401,   403,   403,   403,   403,   204]).fresh(Fresh::Project),
    row(POST,    "/api/v1/admin/comments/{comment}/hide",          [401,   403,   403,   403,   403,   204]).json(r#"{"reason":"spam"}"#),
    row(GET,     "/api/v1/admin/comments",                         [401,   403,   403,   403,   403,   200]),
    row(POST,    "/api/v1/admin/comments/{comment}/restore",       [401,   403,   403,   403,   403,   204]),
    row(PUT,     "/api/v1/admin/agencies",                         [401,   403,   403,   403,   403,   204])
        .json(r#"{"code":"matrix_api_agency","name":{"kk":"","ru":"","en":"Matrix agency"}}"#),
    row(PUT,     "/api/v1/admin/categories",                       [401,   403,   403,   403,   403,   204])
        .json(r#"{"code":"matrix_api_cat","name":{"kk":"","ru":"","en":"Matrix category"},"agency":"mobility","deadline_days":5,"icon":"other"}"#),
    row(GET,     "/api/v1/admin/staff",                            [401,   403,   403,   403,   403,   200]),
    row(POST,    "/api/v1/admin/staff",                            [401,   403,   403,   403,   403,   201])
        .json(r#"{"login":"mxapi{uniq}","display_name":"Matrix","role":"operator","agency":"mobility"}"#),
    row(POST,    "/api/v1/admin/staff/{staff}/password",           [401,   403,   403,   403,   403,   200]),
    row(POST,    "/api/v1/admin/staff/{staff}/disable",            [401,   403,   403,   403,   403,   204]),
    row(GET,     "/api/v1/admin/holidays",                         [401,   403,   403,   403,   403,   200]),
    row(PUT,     "/api/v1/admin/holidays",                         [401,   403,   403,   403,   403,   204])
        .json(r#"{"date":"{day}","name":"Matrix day"}"#),
    row(DELETE,  "/api/v1/admin/holidays/{day}",                   [401,   403,   403,   403,   403,   204]),
    // ---- Public pages and Open311: open data for everyone; the intake's only credential is its API key.
    row(GET,     "/stats",                                         [200,   200,   200,   200,   200,   200]),
    row(GET,     "/open311/v2/services.json",                      [200,   200,   200,   200,   200,   200]),
    row(GET,     "/open311/v2/requests.json",                      [200,   200,   200,   200,   200,   200]),
    row(GET,     "/open311/v2/services/road_repair.json",          [200,   200,   200,   200,   200,   200]),
    row(GET,     "/open311/v2/requests/{number}.json",             [200,   200,   200,   200,   200,   200]),
    row(POST,    "/open311/v2/requests.json",                      [403,   403,   403,   403,   403,   403])
        .sends(Body::PlainForm(&[("service_code", "road_repair"), ("lat", "43.25"), ("long", "76.95"), ("description", "Matrix pothole")])),
    row(POST,    "/open311/v2/requests.json",                      [200,   200,   200,   200,   200,   200])
        .sends(Body::PlainForm(&[("api_key", "{key}"), ("service_code", "road_repair"), ("lat", "43.25"), ("long", "76.95"), ("description", "Matrix pothole")])),
    // ---- Console, public: the sign-in page, its form (right password: 303 to /console with a cookie), the stylesheet, the language switch.
    row(GET,     "/console/login",                                 [200,   200,   200,   200,   200,   200]),
    row(POST,    "/console/login",                                 [303,   303,   303,   303,   303,   303])
        .form(&[("login", "matrix.login"), ("password", "{login_pw}")]),
    row(GET,     "/console/style.css",                             [200,   200,   200,   200,   200,   200]),
    row(GET,     "/console/lang/en",                               [303,   303,   303,   303,   303,   303]),
    // ---- Console, staff: no session (or a resident's token) is sent to the login page.
    // Signing out ends the session and clears the cookie (303); without a session: LOGIN.
    row(POST,    "/console/logout",                                [LOGIN, LOGIN, LOGIN, 303,   303,   303]).form(&[]).fresh(Fresh::Session),
    row(GET,     "/console",                                       [LOGIN, LOGIN, LOGIN, 200,   200,   200]),
    // Finding a report by number: 303 to its page for its agency; "not found" (200) for another.
    row(GET,     "/console?number={number}",                       [LOGIN, LOGIN, LOGIN, 303,   200,   303]),
    row(GET,     "/console/escalation",                            [LOGIN, LOGIN, LOGIN, 200,   200,   200]),
    row(GET,     "/console/reports/{report}",                      [LOGIN, LOGIN, LOGIN, 200,   404,   200]),
    // Actions redirect back to the report (or, once routed away, to the queue): 303; another agency: 404.
    row(POST,    "/console/reports/{report}/assign",               [LOGIN, LOGIN, LOGIN, 303,   404,   303])
        .fresh(Fresh::Report).form(&[("executor", "Brigade 7"), ("note", "")]),
    row(POST,    "/console/reports/{report}/start",                [LOGIN, LOGIN, LOGIN, 303,   404,   303])
        .fresh(Fresh::Report).form(&[("note", "")]),
    row(POST,    "/console/reports/{report}/route",                [LOGIN, LOGIN, LOGIN, 303,   404,   303])
        .fresh(Fresh::Report).form(&[("agency", "housing"), ("note", "")]),
    row(POST,    "/console/reports/{report}/reject",               [LOGIN, LOGIN, LOGIN, 303,   404,   303])
        .fresh(Fresh::Report).form(&[("reason", "other"), ("text", "Not a city problem")]),
    row(POST,    "/console/reports/{report}/redact",               [LOGIN, LOGIN, LOGIN, 303,   404,   303])
        .fresh(Fresh::Report).form(&[("text", "A hole")]),
    row(POST,    "/console/reports/{report}/answer",               [LOGIN, LOGIN, LOGIN, 303,   404,   303])
        .fresh(Fresh::Report).sends(Body::Answer),
    row(GET,     "/console/media/{media}",                         [LOGIN, LOGIN, LOGIN, 200,   404,   200]),
    // ---- Console, administrators: operators get 403 (with a valid CSRF token, so the 403 is the
    // administrator check). Forms that succeed redirect (303); staff creation and a new password
    // answer with the page showing the password (200).
    row(GET,     "/console/admin/catalog",                         [LOGIN, LOGIN, LOGIN, 403,   403,   200]),
    row(POST,    "/console/admin/agencies",                        [LOGIN, LOGIN, LOGIN, 403,   403,   303])
        .form(&[("code", "matrix_agency"), ("name_en", "Matrix agency")]),
    row(POST,    "/console/admin/categories",                      [LOGIN, LOGIN, LOGIN, 403,   403,   303])
        .form(&[("code", "matrix_cat"), ("name_en", "Matrix category"), ("agency", "mobility"), ("deadline_days", "5"), ("icon", "other")]),
    row(GET,     "/console/admin/staff",                           [LOGIN, LOGIN, LOGIN, 403,   403,   200]),
    row(POST,    "/console/admin/staff",                           [LOGIN, LOGIN, LOGIN, 403,   403,   200])
        .form(&[("login", "mx{uniq}"), ("display_name", "Matrix"), ("role", "operator"), ("agency", "mobility")]),
    row(POST,    "/console/admin/staff/{staff}/password",          [LOGIN, LOGIN, LOGIN, 403,   403,   200]).form(&[]),
    row(POST,    "/console/admin/staff/{staff}/disable",           [LOGIN, LOGIN, LOGIN, 403,   403,   303]).form(&[]),
    row(GET,     "/console/admin/news",                            [LOGIN, LOGIN, LOGIN, 403,   403,   200]),
    row(POST,    "/console/admin/news",                            [LOGIN, LOGIN, LOGIN, 403,   403,   303])
        .form(&[("title_en", "Matrix news"), ("body_en", "Text"), ("published", "1")]),
    row(GET,     "/console/admin/news/{news}",                     [LOGIN, LOGIN, LOGIN, 403,   403,   200]),
    row(POST,    "/console/admin/news/{news}",                     [LOGIN, LOGIN, LOGIN, 403,   403,   303])
        .form(&[("title_en", "Matrix news"), ("body_en", "Text"), ("published", "1")]),
    row(POST,    "/console/admin/news/{news}/publish",             [LOGIN, LOGIN, LOGIN, 403,   403,   303]).form(&[("published", "1")]),
    row(POST,    "/console/admin/news/{news}/delete",              [LOGIN, LOGIN, LOGIN, 403,   403,   303]).form(&[]).fresh(Fresh::News),
    row(GET,     "/console/admin/projects",                        [LOGIN, LOGIN, LOGIN, 403,   403,   200]),
    row(POST,    "/console/admin/projects",                        [LOGIN, LOGIN, LOGIN, 403,   403,   303])
        .form(&[("title_en", "Matrix project"), ("description_en", "Text"), ("status", "discussion"), ("stages", "")]),
    row(POST,    "/console/admin/projects/{project}/delete",       [LOGIN, LOGIN, LOGIN, 403,   403,   303]).form(&[]).fresh(Fresh::Project),
    row(POST,    "/console/admin/projects/{project}",              [LOGIN, LOGIN, LOGIN, 403,   403,   303])
        .form(&[("status", "discussion"), ("stages", "")]),
    row(GET,     "/console/admin/comments",                        [LOGIN, LOGIN, LOGIN, 403,   403,   200]),
    row(POST,    "/console/admin/comments/{comment}/hide",         [LOGIN, LOGIN, LOGIN, 403,   403,   303]).form(&[("reason", "spam")]),
    row(POST,    "/console/admin/comments/{comment}/restore",      [LOGIN, LOGIN, LOGIN, 403,   403,   303]).form(&[]),
    row(GET,     "/console/admin/holidays",                        [LOGIN, LOGIN, LOGIN, 403,   403,   200]),
    row(POST,    "/console/admin/holidays",                        [LOGIN, LOGIN, LOGIN, 403,   403,   303])
        .form(&[("date", "{day}"), ("name", "Matrix day")]),
    row(POST,    "/console/admin/holidays/{day}/delete",           [LOGIN, LOGIN, LOGIN, 403,   403,   303]).form(&[]),
];

/// API routes the router serves but the OpenAPI document does not list (route patterns).
const UNDOCUMENTED: &[(&str, &str)] = &[(OPTIONS, "/api/v1/uploads/{id}")];

/// The routers' source, for the routes outside the OpenAPI document (and the undocumented API
/// ones): `(prefix, file)`. `stats.rs` holds two routers, the API's `/stats` and the public page.
const ROUTER_SOURCES: &[(&str, &str)] = &[
    ("/api/v1", include_str!("../../src/http/auth.rs")),
    ("/api/v1", include_str!("../../src/http/sync.rs")),
    ("/api/v1", include_str!("../../src/http/uploads.rs")),
    ("/api/v1", include_str!("../../src/http/media.rs")),
    ("/api/v1", include_str!("../../src/http/operator.rs")),
    ("/api/v1", include_str!("../../src/http/public.rs")),
    ("/api/v1", include_str!("../../src/http/admin/catalog.rs")),
    ("/api/v1", include_str!("../../src/http/admin/staff.rs")),
    ("/api/v1", include_str!("../../src/http/admin/news.rs")),
    ("/api/v1", include_str!("../../src/http/admin/projects.rs")),
    ("/api/v1", include_str!("../../src/http/admin/comments.rs")),
    ("/api/v1", include_str!("../../src/http/admin/holidays.rs")),
    ("/api/v1", include_str!("../../src/http/catalog.rs")),
    ("/api/v1", include_str!("../../src/http/openapi.rs")),
    ("/api/v1", include_str!("../../src/http/stats.rs")),
    ("", include_str!("../../src/http/stats.rs")),
    ("", include_str!("../../src/http/health.rs")),
    ("", include_str!("../../src/http/open311.rs")),
    ("", include_str!("../../src/console/mod.rs")),
    ("", include_str!("../../src/console/admin/catalog.rs")),
    ("", include_str!("../../src/console/admin/staff.rs")),
    ("", include_str!("../../src/console/admin/news.rs")),
    ("", include_str!("../../src/console/admin/projects.rs")),
    ("", include_str!("../../src/console/admin/comments.rs")),
    ("", include_str!("../../src/console/admin/holidays.rs")),
];

/// `.merge(` calls in `http/mod.rs` when [`ROUTER_SOURCES`] was written: a new one is a router
/// this test does not read yet.
const MERGES: usize = 14;
/// `.merge(` calls in `http/admin/mod.rs` and `console/admin/mod.rs` (one module per resource).
const ADMIN_MERGES: usize = 12;

const METHODS: [&str; 7] = [GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS];

/// Does the row's path (placeholders and all, query ignored) fall under the route `pattern`?
/// Any `{…}` segment of the pattern matches any segment.
fn fits(pattern: &str, row_path: &str) -> bool {
    let path = row_path.split('?').next().unwrap_or_default();
    let p: Vec<&str> = pattern.split('/').collect();
    let r: Vec<&str> = path.split('/').collect();
    p.len() == r.len() && p.iter().zip(&r).all(|(p, r)| (p.starts_with('{') && p.ends_with('}')) || p == r)
}

fn has_row(method: &str, pattern: &str) -> bool {
    ROWS.iter().any(|r| r.method == method && fits(pattern, r.path))
}

/// `(METHOD, path pattern)` of every `.route("…", get(…).post(…))` line of a router's source.
fn routes_in(prefix: &str, source: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // A line may hold several `.route(…)` calls (rustfmt joins short chains): each one's handlers
    // run to the next.
    let calls = source
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .flat_map(|l| l.split(".route(\"").skip(1).map(move |rest| (l, rest)));
    for (line, rest) in calls {
        let end = rest.find('"').expect("the route's path ends on its line");
        let (path, handlers) = (&rest[..end], &rest[end..]);
        let mut found = 0;
        for m in METHODS {
            let call = format!("{}(", m.to_lowercase());
            let named = handlers
                .match_indices(&call)
                .any(|(i, _)| !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':'));
            if named {
                out.push((m.to_string(), format!("{prefix}{path}")));
                found += 1;
            }
        }
        assert!(found > 0, "no method read from a route line (write it on one line): {line}");
    }
    out
}

/// Every route and every row are in the table / are a route.
#[tokio::test]
async fn every_route_has_a_row_and_every_row_a_route() {
    let merges = include_str!("../../src/http/mod.rs").matches(".merge(").count();
    assert_eq!(merges, MERGES, "http/mod.rs merges another router: add its file to ROUTER_SOURCES (and rows)");
    let admin_merges = include_str!("../../src/http/admin/mod.rs").matches(".merge(").count()
        + include_str!("../../src/console/admin/mod.rs").matches(".merge(").count();
    assert_eq!(admin_merges, ADMIN_MERGES, "an admin router merges another module: add it to ROUTER_SOURCES");
    let routed: Vec<(String, String)> =
        ROUTER_SOURCES.iter().flat_map(|(prefix, src)| routes_in(prefix, src)).collect();
    assert!(routed.len() >= 60, "routes read from the routers' source: {}", routed.len());

    let server = TestServer::start();
    let doc: Value = no_redirects().get(server.api("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("a path item")
                .keys()
                .map(|k| k.to_uppercase())
                .filter(|m| METHODS.contains(&m.as_str()))
                .map(|m| (m, path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(documented.len() >= 30, "documented operations: {}", documented.len());

    let mut problems = Vec::new();
    for (m, p) in &documented {
        if !has_row(m, p) {
            problems.push(format!("{m} {p}: in the OpenAPI document, but no row in ROWS"));
        }
    }
    for (m, p) in &routed {
        if !has_row(m, p) {
            problems.push(format!("{m} {p}: routed, but no row in ROWS"));
        }
    }
    for r in ROWS {
        let in_doc = documented.iter().any(|(m, p)| m.as_str() == r.method && fits(p, r.path));
        let known = UNDOCUMENTED.iter().any(|(m, p)| *m == r.method && fits(p, r.path));
        if r.path.starts_with("/api/") && in_doc == known {
            problems.push(if in_doc {
                format!("{} {}: documented now; take it out of UNDOCUMENTED", r.method, r.path)
            } else {
                format!("{} {}: an API row the OpenAPI document does not have", r.method, r.path)
            });
        }
        if !documented.iter().chain(&routed).any(|(m, p)| m.as_str() == r.method && fits(p, r.path)) {
            problems.push(format!("{} {}: a row for no route", r.method, r.path));
        }
    }
    assert!(problems.is_empty(), "the table and the routes differ:\n{}", problems.join("\n"));
}

/// Every cell of the table, against the real server.
#[tokio::test]
async fn every_principal_gets_the_status_in_the_table() {
    let w = World::new().await;
    let mut wrong = Vec::new();
    for row in ROWS {
        for (who, &expected) in row.expect.iter().enumerate() {
            let n = w.counter.fetch_add(1, Ordering::Relaxed);
            let mut vars = w.vars.clone();
            vars.insert("uniq", n.to_string());
            vars.insert("phone", phone(FRESH_PHONES + n));
            vars.insert("device", device());
            let mut creds = w.creds[who].clone();
            w.fresh(row, who, &mut vars, &mut creds).await;
            let (got, body) = w.call(row, &creds, &vars).await;
            if got != expected {
                let body: String = body.chars().take(200).collect();
                wrong.push(format!(
                    "{} {} as {}: expected {}, got {} — {body}",
                    row.method,
                    row.path,
                    WHO[who],
                    label(expected),
                    label(got)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cells differ from the table:\n{}",
        wrong.len(),
        ROWS.len() * 6,
        wrong.join("\n")
    );
}

fn label(status: u16) -> String {
    if status == LOGIN { "LOGIN".into() } else { status.to_string() }
}

/// What a principal presents: a bearer token on the API, a cookie (and its CSRF token) on the console.
#[derive(Clone, Default)]
struct Creds {
    bearer: Option<String>,
    cookie: Option<String>,
    csrf: String,
}

type Vars = HashMap<&'static str, String>;

/// The running server, the principals and the set-up's objects.
struct World {
    server: TestServer,
    /// Follows no redirects: a 303 is an answer of its own here.
    http: reqwest::Client,
    creds: [Creds; 6],
    /// Staff logins and passwords, to sign in again.
    logins: [Option<(&'static str, String)>; 6],
    /// Residents' phones, to sign in again.
    phones: [Option<String>; 6],
    resident_a: Client,
    admin: Client,
    vars: Vars,
    /// The file a fresh upload is made for, sent whole by the PATCH row.
    patch_file: Vec<u8>,
    /// The photo report of the console's answer.
    answer_photo: Vec<u8>,
    counter: AtomicU32,
}

impl World {
    async fn new() -> World {
        let key = format!("matrix:{OPEN311_KEY}");
        // Destructive rows take a fresh report each: far more than a resident's daily quota.
        let server = TestServer::start_with(&["--open311-key", key.as_str(), "--quota-reports-per-day", "100000"]);
        let dir = server.dir.path();
        let pw_x = add_staff(dir, "op.x", "operator", Some(AGENCY_X));
        let pw_y = add_staff(dir, "op.y", "operator", Some(AGENCY_Y));
        let pw_admin = add_staff(dir, "chief", "admin", None);
        let pw_login = add_staff(dir, LOGIN_ACCOUNT, "operator", Some(AGENCY_X));
        let pw_victim = add_staff(dir, "matrix.victim", "operator", Some(AGENCY_Y));

        let a = Client::resident(&server, &phone(PHONE_A)).await;
        let b = Client::resident(&server, &phone(PHONE_B)).await;
        let op_x = Client::staff(&server, "op.x", &pw_x).await;
        let op_y = Client::staff(&server, "op.y", &pw_y).await;
        let admin = Client::staff(&server, "chief", &pw_admin).await;
        let http = no_redirects();
        let console_x = console_sign_in(&http, &server, "op.x", &pw_x).await;
        let console_y = console_sign_in(&http, &server, "op.y", &pw_y).await;
        let console_admin = console_sign_in(&http, &server, "chief", &pw_admin).await;
        let resident = |c: &Client| Creds {
            bearer: Some(c.token.clone()),
            cookie: Some(format!("qala_console={}", c.token)),
            csrf: String::new(),
        };
        let staff = |c: &Client, (cookie, csrf): (String, String)| Creds {
            bearer: Some(c.token.clone()),
            cookie: Some(cookie),
            csrf,
        };
        let creds = [
            Creds::default(),
            resident(&a),
            resident(&b),
            staff(&op_x, console_x),
            staff(&op_y, console_y),
            staff(&admin, console_admin),
        ];

        // Resident A's report in agency X, with a photo.
        let photo = Uuid::now_v7();
        a.upload(photo, "photo", &jpeg(30_000, 1), 1 << 20).await;
        let report = new_report(CATEGORY_X, vec![DeclaredMedia { id: photo, kind: MediaKind::Photo }]);
        let report_id = report.id;
        applied(a.push(vec![create_op(report)]).await);
        let number = a.my_report(report_id).await.registration_number;
        // An upload of A's that has no bytes yet.
        let upload = Uuid::now_v7();
        let r = a.tus_create(upload, "photo", 200_000, None).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        let news = created(&admin, "/admin/news", NEWS_JSON).await;
        let project = created(&admin, "/admin/projects", PROJECT_JSON).await;
        let comment = Uuid::now_v7();
        let c = NewComment {
            id: comment,
            project_id: project,
            parent_id: None,
            body: "Matrix comment".into(),
            position: Position::Neutral,
            created_at: chrono::Utc::now(),
        };
        applied(a.push(vec![Op { id: Uuid::now_v7(), op: OpBody::Comment(c) }]).await);
        let victim = Client::staff(&server, "matrix.victim", &pw_victim).await.session.expect("a session").user_id;

        let vars: Vars = HashMap::from([
            ("report", report_id.to_string()),
            ("media", photo.to_string()),
            ("number", number),
            ("upload", upload.to_string()),
            ("news", news.to_string()),
            ("project", project.to_string()),
            ("comment", comment.to_string()),
            ("staff", victim.to_string()),
            ("day", HOLIDAY.to_string()),
            ("key", OPEN311_KEY.to_string()),
            ("login_pw", pw_login),
        ]);
        World {
            http,
            creds,
            logins: [None, None, None, Some(("op.x", pw_x)), Some(("op.y", pw_y)), Some(("chief", pw_admin))],
            phones: [None, Some(phone(PHONE_A)), Some(phone(PHONE_B)), None, None, None],
            resident_a: a,
            admin,
            vars,
            patch_file: jpeg(20_000, 4),
            answer_photo: jpeg(30_000, 3),
            counter: AtomicU32::new(0),
            server,
        }
    }

    /// Makes the row's fresh target for one request.
    async fn fresh(&self, row: &Row, who: usize, vars: &mut Vars, creds: &mut Creds) {
        match row.fresh {
            Fresh::No => {}
            Fresh::Session => *creds = self.session_again(who, row.is_console()).await,
            Fresh::Report => {
                let r = new_report(CATEGORY_X, vec![]);
                let id = r.id;
                applied(self.resident_a.push(vec![create_op(r)]).await);
                vars.insert("report", id.to_string());
            }
            Fresh::Upload => {
                let id = Uuid::now_v7();
                let r = self.resident_a.tus_create(id, "photo", self.patch_file.len(), None).await;
                assert_eq!(r.status(), StatusCode::CREATED);
                vars.insert("upload", id.to_string());
            }
            Fresh::News => {
                vars.insert("news", created(&self.admin, "/admin/news", NEWS_JSON).await.to_string());
            }
            Fresh::Project => {
                vars.insert("project", created(&self.admin, "/admin/projects", PROJECT_JSON).await.to_string());
            }
        }
    }

    /// A new session of principal `who`, to end without ending the one the other rows use.
    async fn session_again(&self, who: usize, console: bool) -> Creds {
        let mut c = self.creds[who].clone();
        if let Some((login, password)) = &self.logins[who] {
            if console {
                let (cookie, csrf) = console_sign_in(&self.http, &self.server, login, password).await;
                c.cookie = Some(cookie);
                c.csrf = csrf;
            } else {
                c.bearer = Some(Client::staff(&self.server, login, password).await.token);
            }
        } else if let Some(phone) = &self.phones[who]
            && !console
        {
            c.bearer = Some(resident_again(&self.server, phone).await);
        }
        c
    }

    /// Sends one cell's request; returns the status as the table writes it, and the body.
    async fn call(&self, row: &Row, creds: &Creds, vars: &Vars) -> (u16, String) {
        let path = fill(row.path, vars);
        assert!(!path.contains('{'), "a placeholder without a value in {path}");
        let method = Method::from_bytes(row.method.as_bytes()).unwrap();
        let mut rb = self.http.request(method, self.server.url(&path));
        if row.is_console() {
            if let Some(cookie) = &creds.cookie {
                rb = rb.header(COOKIE, cookie);
            }
        } else if let Some(token) = &creds.bearer {
            rb = rb.bearer_auth(token);
        }
        let fields = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter().map(|(k, v)| (k.to_string(), fill(v, vars))).collect()
        };
        rb = match row.body {
            Body::None => rb,
            Body::Json(text) => {
                let v: Value = serde_json::from_str(&fill(text, vars)).expect("the row's JSON");
                rb.json(&v)
            }
            Body::Form(list) => {
                let mut form = vec![("csrf".to_string(), creds.csrf.clone())];
                form.extend(fields(list));
                rb.form(&form)
            }
            Body::PlainForm(list) => rb.form(&fields(list)),
            Body::Tus => rb.header("Tus-Resumable", "1.0.0"),
            Body::TusCreate => {
                let id = Uuid::now_v7().to_string();
                let meta = format!("id {},kind {}", STANDARD.encode(id), STANDARD.encode("photo"));
                rb.header("Tus-Resumable", "1.0.0").header("Upload-Length", "1000").header("Upload-Metadata", meta)
            }
            Body::TusPatch => rb
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0")
                .header(CONTENT_TYPE, "application/offset+octet-stream")
                .body(self.patch_file.clone()),
            Body::Answer => {
                let (content_type, body) = answer_form(&creds.csrf, &self.answer_photo);
                rb.header(CONTENT_TYPE, content_type).body(body)
            }
        };
        let r = rb.send().await.unwrap();
        let to_login = r.headers().get(LOCATION).is_some_and(|l| l.as_bytes() == b"/console/login");
        let status = r.status().as_u16();
        let status = if status == 303 && to_login && !r.headers().contains_key(SET_COOKIE) { LOGIN } else { status };
        (status, r.text().await.unwrap_or_default())
    }
}

/// `template` with every `{name}` of `vars` replaced.
fn fill(template: &str, vars: &Vars) -> String {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

fn no_redirects() -> reqwest::Client {
    // reqwest speaks TLS through rustls in this workspace; one crypto provider per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn applied(out: PushResponse) {
    assert!(out.results.iter().all(|r| r.outcome == OpOutcome::Applied), "{out:?}");
}

/// Creates a news item or project through the administrator API; returns its id.
async fn created(admin: &Client, path: &str, json: &str) -> Uuid {
    let body: Value = serde_json::from_str(json).unwrap();
    let r = admin.post(path, &body).await;
    assert_eq!(r.status(), StatusCode::CREATED, "{path}");
    r.json::<Created>().await.unwrap().id
}

/// Signs in through the console's form; returns the session cookie and the session's CSRF token.
async fn console_sign_in(http: &reqwest::Client, server: &TestServer, login: &str, password: &str) -> (String, String) {
    let r =
        http.post(server.url("/console/login")).form(&[("login", login), ("password", password)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "console sign-in of {login}");
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let cookie = set.split(';').next().unwrap().to_string();
    let html = http.get(server.url("/console")).header(COOKIE, &cookie).send().await.unwrap().text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string();
    assert_eq!(csrf.len(), 32, "a CSRF token on {login}'s queue page");
    (cookie, csrf)
}

/// A second session of a resident who signed in before; returns its access token.
async fn resident_again(server: &TestServer, phone: &str) -> String {
    // The log still holds the earlier code for this phone: wait for a different one. (A new code
    // equal to the old one, one chance in a million, would time out here.)
    let earlier = server.last_code(phone);
    let anon = Client::anonymous(server);
    let device_id = device();
    let r = anon.post("/auth/otp/request", &OtpRequest { phone: phone.into(), device_id: device_id.clone() }).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED, "{}", r.text().await.unwrap());
    let line = server.wait_log(
        |v| v["target"] == "qala::sms" && v["phone"] == phone && v["code"] != earlier.as_str(),
        Duration::from_secs(5),
    );
    let code = line["code"].as_str().expect("code").to_string();
    let r = anon.post("/auth/otp/verify", &OtpVerify { phone: phone.into(), device_id, code }).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Session>().await.unwrap().access_token
}

/// The console's answer form as a browser sends it: `multipart/form-data` with the CSRF token
/// first, the text, and one photo.
fn answer_form(csrf: &str, photo: &[u8]) -> (String, Vec<u8>) {
    const B: &str = "qala-matrix-boundary-5f2c9a17";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("text", "Fixed, photo attached")] {
        body.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"after.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(photo);
    body.extend_from_slice(format!("\r\n--{B}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={B}"), body)
}
