//! Sync: push of the phone's outbox, pull of the change log.

use std::io::Write;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use qala_protocol::{
    ErrorBody, Op, OpBody, OpOutcome, OpResult, PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT, PUSH_MAX_OPS, PullResponse,
    PushRequest, PushResponse, Role,
};
use serde::Deserialize;
use tower_http::compression::CompressionLayer;

use super::extract::{ApiJson, ApiQuery, Auth};
use crate::app::AppState;
use crate::domain::quota::{Charge, QUOTA_EXCEEDED, QuotaKind, seconds_to_next_day};
use crate::domain::reports::{Action, apply, register};
use crate::domain::{Principal, display_name};
use crate::error::{AppError, AppResult};
use crate::store::{OpKey, Pulled, PushItem};
use qala_protocol::scope;

/// A full push (100 reports of 4,000 Cyrillic characters) fits with room to spare.
pub const PUSH_BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push).layer(DefaultBodyLimit::max(PUSH_BODY_LIMIT)))
        // Pages are JSON with the same keys again and again: gzip takes them to a fraction, which is
        // what a first sync on a slow mobile network needs (only when the phone asks for it).
        .route("/sync/pull", get(pull).layer(CompressionLayer::new().gzip(true)))
}

/// Applies a batch of ops, each in its own transaction, and answers per op. An op id seen before
/// answers `duplicate` and changes nothing, so a phone that lost a response simply sends again.
/// New reports and comments count against the resident's daily quotas; an op over a quota is
/// rejected on its own (`quota_exceeded`, with `retry_after_s` in the response) while the other
/// ops of the push go on.
#[utoipa::path(post, path = "/api/v1/sync/push", request_body = PushRequest, tag = "sync", security(("bearer" = [])),
    responses((status = 200, body = PushResponse), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn push(
    State(st): State<AppState>,
    Auth(p): Auth,
    ApiJson(req): ApiJson<PushRequest>,
) -> AppResult<Json<PushResponse>> {
    if p.role != Role::Resident {
        return Err(AppError::Forbidden("push is for residents' phones".into()));
    }
    if req.ops.len() > PUSH_MAX_OPS {
        return Err(AppError::validation("ops", format!("at most {PUSH_MAX_OPS} ops per push")));
    }
    let now = Utc::now();
    let items = req.ops.iter().map(|op| prepare(&st, &p, op, now)).collect();
    let outcomes = st.pushes.submit(items).await?;
    let over_quota = outcomes.iter().any(|o| matches!(o, OpOutcome::Rejected { code, .. } if code == QUOTA_EXCEEDED));
    let retry_after_s = over_quota.then(|| seconds_to_next_day(now));
    let results = req.ops.iter().zip(outcomes).map(|(op, outcome)| OpResult { id: op.id, outcome }).collect();
    Ok(Json(PushResponse { results, retry_after_s }))
}

fn rejected(code: &str, reason: impl Into<String>) -> PushItem {
    PushItem::Decided(OpOutcome::Rejected { code: code.to_string(), reason: reason.into() })
}

/// Validates one op and turns it into what the store runs: the registered report, the comment, or
/// the domain rule for an existing report.
fn prepare(st: &AppState, p: &Principal, op: &Op, now: DateTime<Utc>) -> PushItem {
    let key = OpKey { op_id: op.id, user_id: p.user_id, kind: op.op.kind() };
    let (report_id, action) = match &op.op {
        OpBody::CreateReport(new) => {
            if let Err(e) = new.validate() {
                return rejected("validation", e.to_string());
            }
            let catalog = st.catalog.get();
            let Some(category) = catalog.categories.get(new.category.trim()) else {
                return rejected("unknown_category", format!("no category {:?}", new.category));
            };
            if !category.active {
                return rejected("inactive_category", "this category no longer takes reports");
            }
            let report = Box::new(register(new, category, now, &catalog.calendar));
            let limit = u64::from(st.settings.quotas.reports_per_day);
            return PushItem::CreateReport {
                op: key,
                owner: p.user_id,
                report,
                prefix: st.settings.city_prefix.clone(),
                quota: Some(Charge::new(p.user_id, QuotaKind::Reports, 1, limit, now)),
            };
        }
        OpBody::Comment(c) => {
            if let Err(e) = c.validate() {
                return rejected("validation", e.to_string());
            }
            let limit = u64::from(st.settings.quotas.comments_per_day);
            return PushItem::Comment {
                op: key,
                author: display_name(p.user_id),
                comment: Box::new(c.clone()),
                now,
                quota: Some(Charge::new(p.user_id, QuotaKind::Comments, 1, limit, now)),
            };
        }
        OpBody::WithdrawReport(w) => {
            if let Err(e) = w.validate() {
                return rejected("validation", e.to_string());
            }
            (w.report_id, Action::Withdraw { reason: w.reason.clone() })
        }
        OpBody::Rate(r) => {
            if let Err(e) = r.validate() {
                return rejected("validation", e.to_string());
            }
            (r.report_id, Action::Rate { stars: r.stars, comment: r.comment.clone() })
        }
        OpBody::Complain(c) => {
            if let Err(e) = c.validate() {
                return rejected("validation", e.to_string());
            }
            (c.report_id, Action::Complain { text: c.text.clone() })
        }
        OpBody::FlagComment(f) => {
            if let Err(e) = f.validate() {
                return rejected("validation", e.to_string());
            }
            return PushItem::FlagComment { op: key, flag: f.clone(), now };
        }
    };
    let catalog = st.catalog.get();
    let p = p.clone();
    let rule = move |report: &mut qala_protocol::Report, owner| {
        apply(report, owner, &p, &action, now, &catalog.calendar, &|c| catalog.deadline_days(c))
    };
    PushItem::Mutate { op: key, report_id, rule: Box::new(rule) }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullParams {
    /// `next_cursor` of the previous pull with the same scope; absent (or `0`) on a phone that
    /// holds nothing yet.
    pub cursor: Option<String>,
    /// Page size, 1–1000 (default 200).
    pub limit: Option<u32>,
    /// The districts whose public reports the phone holds, comma-separated codes; `*` for the
    /// whole city; absent or empty for none (the city's content and the resident's own only).
    pub districts: Option<String>,
}

/// The next page of this phone's scope: the city's published content, the resident's own data
/// whole, and the public reports of the chosen districts (`*`: all of them) that are open or settled
/// within the public window. A bucket new to the phone starts with a snapshot.
#[utoipa::path(get, path = "/api/v1/sync/pull", params(PullParams), tag = "sync", security(("bearer" = [])),
    responses((status = 200, body = PullResponse), (status = 401, body = ErrorBody),
        (status = 410, body = ErrorBody, description = "cursor older than the retention window: start again with an empty cursor"),
        (status = 422, body = ErrorBody)))]
pub async fn pull(State(st): State<AppState>, Auth(p): Auth, ApiQuery(q): ApiQuery<PullParams>) -> AppResult<Response> {
    let limit = q.limit.unwrap_or(PULL_DEFAULT_LIMIT);
    if !(1..=PULL_MAX_LIMIT).contains(&limit) {
        return Err(AppError::validation("limit", format!("must be 1 to {PULL_MAX_LIMIT}")));
    }
    let districts =
        scope::parse_districts(q.districts.as_deref()).map_err(|e| AppError::validation("districts", e.to_string()))?;
    let scope = scope::buckets(p.user_id, &districts).map_err(|e| AppError::validation("districts", e.to_string()))?;
    let positions =
        scope::positions(q.cursor.as_deref(), scope).map_err(|e| AppError::validation("cursor", e.to_string()))?;
    let page = match st.store.pull(positions, limit).await? {
        Pulled::Page(page) => page,
        Pulled::Gone => {
            return Err(AppError::Gone(
                "this cursor is older than the retention window; start again with an empty cursor".into(),
            ));
        }
    };
    let next_cursor = scope::cursor(&page.positions);
    // Written by hand around the stored payloads: they are JSON this server serialised itself, so
    // they go out as they are, without being parsed and checked again for every pull.
    let mut body = Vec::with_capacity(
        64 + next_cursor.len()
            + page.rows.iter().map(|r| 64 + r.payload.as_ref().map_or(4, String::len)).sum::<usize>(),
    );
    body.extend_from_slice(b"{\"changes\":[");
    for (i, r) in page.rows.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        write!(
            body,
            "{{\"seq\":{},\"kind\":{},\"id\":{},\"entity\":{}}}",
            r.seq,
            serde_json::to_string(&r.kind)?,
            serde_json::to_string(&r.entity_id)?,
            r.payload.as_deref().unwrap_or("null")
        )?;
    }
    write!(body, "],\"next_cursor\":{},\"has_more\":{}}}", serde_json::to_string(&next_cursor)?, page.has_more)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
