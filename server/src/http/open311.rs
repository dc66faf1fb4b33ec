//! Open311 GeoReport v2 at `/open311/v2`: the city's reports as open data, and an intake for other
//! channels (a call centre, a bot) with an API key. No personal data ever leaves through here: a
//! request is identified by its registration number and carries no author and no media.
//!
//! Every response is built once as a list of fields and rendered as JSON or XML, as the file
//! extension asks; errors use the spec's `errors` shape in the same format.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{DateTime, Duration, Utc};
use qala_protocol::open311::{self, xml_escape};
use qala_protocol::{Category, Lang, OpOutcome, PublicReport, Report, ReportStatus};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::constant_time_eq;
use crate::cache::PUBLIC_MAX_AGE;
use crate::domain::calendar::local_offset;
use crate::domain::reports::register;
use crate::error::AppError;
use crate::store::{OpKey, PublicRequestQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(collection).post(create))
        .route("/open311/v2/services/{file}", get(service))
        .route("/open311/v2/requests/{file}", get(one_request))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// An Open311 error: a status and a description, rendered in the caller's format.
struct Failure(StatusCode, String, Format);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let Failure(status, description, format) = self;
        let fields = vec![("code", Some(status.as_u16().to_string())), ("description", Some(description))];
        let mut resp = render(format, "errors", "error", &[fields]);
        *resp.status_mut() = status;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        resp
    }
}

impl<E: Into<AppError>> From<(E, Format)> for Failure {
    fn from((e, f): (E, Format)) -> Self {
        let e: AppError = e.into();
        let status = e.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %e, "open311 request failed");
            "internal error".to_string()
        } else {
            e.to_string()
        };
        Failure(status, message, f)
    }
}

type Fields = Vec<(&'static str, Option<String>)>;

/// `services.json` → ("services", Json).
fn split(file: &str) -> Result<(&str, Format), Failure> {
    match file.rsplit_once('.') {
        Some((name, "json")) => Ok((name, Format::Json)),
        Some((name, "xml")) => Ok((name, Format::Xml)),
        _ => Err(Failure(StatusCode::NOT_FOUND, "use a .json or .xml path".into(), Format::Json)),
    }
}

fn render(format: Format, root: &str, item: &str, rows: &[Fields]) -> Response {
    let (content_type, body) = rendered(format, root, item, rows);
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The content type and text of a list of rows in `format`.
fn rendered(format: Format, root: &str, item: &str, rows: &[Fields]) -> (&'static str, String) {
    match format {
        Format::Json => {
            let list: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|fields| {
                    fields
                        .iter()
                        .map(|(k, v)| {
                            let value = match (k, v) {
                                (_, None) => serde_json::Value::Null,
                                (&"metadata", Some(b)) => serde_json::Value::Bool(b == "true"),
                                (&"lat" | &"long", Some(n)) => {
                                    n.parse::<f64>().map_or(serde_json::Value::Null, |f| f.into())
                                }
                                (&"code", Some(n)) => n.parse::<u64>().map_or(serde_json::Value::Null, |c| c.into()),
                                (_, Some(s)) => serde_json::Value::String(s.clone()),
                            };
                            (k.to_string(), value)
                        })
                        .collect()
                })
                .collect();
            ("application/json; charset=utf-8", serde_json::to_string(&list).unwrap_or_default())
        }
        Format::Xml => {
            let mut xml = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><{root}>");
            for fields in rows {
                xml.push_str(&format!("<{item}>"));
                for (k, v) in fields {
                    match v {
                        Some(v) => xml.push_str(&format!("<{k}>{}</{k}>", xml_escape(v))),
                        None => xml.push_str(&format!("<{k}/>")),
                    }
                }
                xml.push_str(&format!("</{item}>"));
            }
            xml.push_str(&format!("</{root}>"));
            ("text/xml; charset=utf-8", xml)
        }
    }
}

fn lang_of(q: &HashMap<String, String>) -> Lang {
    match q.get("lang").map(String::as_str) {
        Some("kk") => Lang::Kk,
        Some("ru") => Lang::Ru,
        _ => Lang::En,
    }
}

fn service_fields(c: &Category, agency: &str, lang: Lang) -> Fields {
    vec![
        ("service_code", Some(c.code.clone())),
        ("service_name", Some(c.name.get(lang).to_string())),
        ("description", Some(format!("{} — {} working days", c.name.get(lang), c.deadline_days))),
        ("metadata", Some("false".into())),
        ("type", Some("realtime".into())),
        ("keywords", Some(c.icon.clone())),
        ("group", Some(agency.to_string())),
    ]
}

/// Time in the w3c format with Kazakhstan's offset.
fn w3c(t: DateTime<Utc>) -> String {
    t.with_timezone(&local_offset()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn open_or_closed(s: ReportStatus) -> &'static str {
    if s.is_open() { "open" } else { "closed" }
}

fn request_fields(r: &Report, names: &Names) -> Fields {
    // What a resident's phone gets of another's report, and no more: the description as an
    // operator redacted it, the point on the public grid (see `PublicReport`).
    let public = PublicReport::whole(r);
    // Only the status and, for a rejection, its reason code: the free texts of answers and
    // rejections are for the author and may name people or addresses.
    let notes = match &r.rejection {
        Some(rej) if r.status == ReportStatus::Rejected => serde_json::to_value(rej.reason)
            .ok()
            .and_then(|v| v.as_str().map(|s| format!("rejected: {}", s.replace('_', " ")))),
        _ => Some(r.status.as_str().replace('_', " ")),
    };
    vec![
        ("service_request_id", Some(r.registration_number.clone())),
        ("status", Some(open_or_closed(r.status).into())),
        ("status_notes", notes),
        ("service_name", names.category.get(&r.category).cloned()),
        ("service_code", Some(r.category.clone())),
        ("description", Some(public.description)),
        ("agency_responsible", names.agency.get(&r.agency).cloned()),
        ("service_notice", None),
        ("requested_datetime", Some(w3c(r.registered_at))),
        ("updated_datetime", Some(w3c(r.history.last().map_or(r.registered_at, |h| h.at)))),
        ("expected_datetime", Some(w3c(r.deadline))),
        ("address", public.address),
        ("address_id", None),
        ("zipcode", None),
        ("lat", Some(public.lat.to_string())),
        ("long", Some(public.lon.to_string())),
        ("media_url", None),
    ]
}

/// Category and agency names in one language, from the catalogue in memory.
struct Names {
    category: HashMap<String, String>,
    agency: HashMap<String, String>,
}

fn names(st: &AppState, lang: Lang) -> Names {
    let catalog = st.catalog.get();
    Names {
        category: catalog.categories.values().map(|c| (c.code.clone(), c.name.get(lang).to_string())).collect(),
        agency: catalog.agencies.iter().map(|a| (a.code.clone(), a.name.get(lang).to_string())).collect(),
    }
}

fn parse_date(q: &HashMap<String, String>, key: &str, f: Format) -> Result<Option<DateTime<Utc>>, Failure> {
    open311::date(q, key).map_err(|e| Failure(StatusCode::BAD_REQUEST, e.to_string(), f))
}

/// How long an Open311 list waits for the public reader before it is told to retry.
const PUBLIC_READ_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Most requests in one answer (as the GeoReport v2 text suggests: 1,000 at most).
const MAX_REQUESTS: u32 = 1000;

fn list_param(q: &HashMap<String, String>, key: &str, f: Format) -> Result<Option<Vec<String>>, Failure> {
    open311::list(q, key).map_err(|e| Failure(StatusCode::BAD_REQUEST, e.to_string(), f))
}

/// `GET services.{fmt}` and `GET requests.{fmt}`.
async fn collection(
    State(st): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (name, f) = match split(&file) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let lang = lang_of(&q);
    // The same question within a minute gets the same answer, from memory. The key holds only
    // the parameters the answer depends on: an unknown `&x=<nonce>` cannot miss the cache.
    let known = ["service_request_id", "service_code", "status", "start_date", "end_date", "lang"];
    let key = format!("{file}?{:?}", known.map(|k| q.get(k)));
    if let Some((content_type, body)) = st.open311_answers.get(&key) {
        return ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, PUBLIC_MAX_AGE)], body).into_response();
    }
    let result: Result<Response, Failure> = async {
        let names = names(&st, lang);
        match name {
            "services" => {
                let cats = st.store.categories().await.map_err(|e| Failure::from((e, f)))?;
                let rows: Vec<Fields> = cats
                    .iter()
                    .filter(|c| c.active)
                    .map(|c| service_fields(c, names.agency.get(&c.agency).map_or("", String::as_str), lang))
                    .collect();
                Ok(render(f, "services", "service", &rows))
            }
            "requests" => {
                let numbers = list_param(&q, "service_request_id", f)?;
                let categories = list_param(&q, "service_code", f)?;
                let statuses = list_param(&q, "status", f)?;
                let open = match statuses.as_deref() {
                    Some(s) if s.iter().all(|s| s == "open") => Some(true),
                    Some(s) if s.iter().all(|s| s == "closed") => Some(false),
                    Some(s) if s.iter().all(|s| s == "open" || s == "closed") => None,
                    Some(_) => return Err(Failure(StatusCode::BAD_REQUEST, "status is open or closed".into(), f)),
                    None => None,
                };
                let now = Utc::now();
                let start = parse_date(&q, "start_date", f)?;
                let end = parse_date(&q, "end_date", f)?;
                // Ids override every other filter; otherwise the window defaults to the 90 days up
                // to `end_date` (or now).
                let query = PublicRequestQuery {
                    from: Some(start.unwrap_or(end.unwrap_or(now) - Duration::days(90))),
                    to: end,
                    numbers,
                    categories,
                    open,
                    limit: MAX_REQUESTS,
                };
                // Anonymous and up to 1,000 rows: one such query at a time, so that a flood of
                // distinct queries takes at most one core, however fast it comes.
                let _reader = tokio::time::timeout(PUBLIC_READ_WAIT, st.public_reads.acquire())
                    .await
                    .map_err(|_| Failure(StatusCode::SERVICE_UNAVAILABLE, "busy; retry in a moment".into(), f))?
                    .map_err(|e| Failure::from((AppError::Internal(e.to_string()), f)))?;
                // Whoever held the reader may have just answered the same question.
                if let Some((content_type, body)) = st.open311_answers.get(&key) {
                    return Ok(([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, PUBLIC_MAX_AGE)], body)
                        .into_response());
                }
                let reports = st.store.public_requests(&query).await.map_err(|e| Failure::from((e, f)))?;
                let rows: Vec<Fields> = reports.iter().map(|r| request_fields(r, &names)).collect();
                let (content_type, body) = rendered(f, "service_requests", "request", &rows);
                let body = bytes::Bytes::from(body);
                st.open311_answers.put(key.clone(), content_type, body.clone());
                Ok(([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, PUBLIC_MAX_AGE)], body)
                    .into_response())
            }
            _ => Err(Failure(StatusCode::NOT_FOUND, "no such resource".into(), f)),
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `GET services/{code}.{fmt}`: the service definition (no extra attributes are asked for).
async fn service(State(st): State<AppState>, Path(file): Path<String>) -> Response {
    let (code, f) = match split(&file) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    match st.catalog.get().categories.get(code) {
        // A definition is one object (not a list); Qala asks for no extra attributes.
        Some(c) if c.active => match f {
            Format::Json => (
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                serde_json::json!({ "service_code": c.code, "attributes": [] }).to_string(),
            )
                .into_response(),
            Format::Xml => (
                [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_definition><service_code>{}</service_code>\
                     <attributes/></service_definition>",
                    xml_escape(&c.code)
                ),
            )
                .into_response(),
        },
        _ => Failure(StatusCode::NOT_FOUND, format!("no service {code}"), f).into_response(),
    }
}

/// `GET requests/{id}.{fmt}`.
async fn one_request(
    State(st): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (id, f) = match split(&file) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let result: Result<Response, Failure> = async {
        let names = names(&st, lang_of(&q));
        let found = st.store.report_by_number(id).await.map_err(|e| Failure::from((e, f)))?;
        match found.as_ref().filter(|r| r.is_published()) {
            Some(r) => Ok(render(f, "service_requests", "request", &[request_fields(r, &names)])),
            None => Err(Failure(StatusCode::NOT_FOUND, format!("no request {id}"), f)),
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST requests.{fmt}`: a report from another channel. Needs `api_key`; a position (`lat`,
/// `long`) is required here, since every report is routed and shown on a map.
async fn create(
    State(st): State<AppState>,
    Path(file): Path<String>,
    Form(p): Form<HashMap<String, String>>,
) -> Response {
    let (name, f) = match split(&file) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    if name != "requests" {
        return Failure(StatusCode::NOT_FOUND, "no such resource".into(), f).into_response();
    }
    let given = p.get("api_key").map(String::as_str).unwrap_or_default();
    let Some(channel) = st
        .settings
        .open311_keys
        .iter()
        .find(|(_, key)| !given.is_empty() && constant_time_eq(key.as_bytes(), given.as_bytes()))
        .map(|(c, _)| c.clone())
    else {
        return Failure(StatusCode::FORBIDDEN, "api_key missing or not valid".into(), f).into_response();
    };
    let now = Utc::now();
    let new = match open311::new_report(&p, Uuid::now_v7(), now) {
        Ok(new) => new,
        Err(e) => return Failure(StatusCode::BAD_REQUEST, e.to_string(), f).into_response(),
    };
    let catalog = st.catalog.get();
    let Some(category) = catalog.categories.get(&new.category).filter(|c| c.active) else {
        return Failure(StatusCode::BAD_REQUEST, "service_code is unknown".into(), f).into_response();
    };
    let result: Result<Response, AppError> = async {
        let owner = st.store.channel_account(&channel, now).await?;
        let report = register(&new, category, now, &catalog.calendar);
        let key = OpKey { op_id: Uuid::now_v7(), user_id: owner.user_id, kind: "open311" };
        match st.store.create_report(&key, owner.user_id, report, &st.settings.city_prefix).await? {
            OpOutcome::Applied => {}
            other => return Err(AppError::Internal(format!("open311 intake: {other:?}"))),
        }
        let (r, _) = st.store.report(new.id).await?.ok_or_else(|| AppError::Internal("report vanished".into()))?;
        tracing::info!(channel, number = %r.registration_number, "report taken through open311");
        let fields = vec![
            ("service_request_id", Some(r.registration_number.clone())),
            ("service_notice", Some(format!("registered; answer expected by {}", w3c(r.deadline)))),
            ("account_id", None),
        ];
        Ok(render(f, "service_requests", "request", &[fields]))
    }
    .await;
    result.unwrap_or_else(|e| Failure::from((e, f)).into_response())
}
