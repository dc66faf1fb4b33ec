//! One report: what the resident sent, its history, and the operator's actions on it.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use maud::{Markup, html};
use qala_protocol::{
    AssignRequest, DESCRIPTION_MAX_CHARS, MediaKind, MediaRef, MediaState, NOTE_MAX_CHARS, NoteRequest, RedactRequest,
    RejectReason, RejectRequest, Report, ReportStatus, RouteRequest,
};
use serde::Deserialize;
use uuid::Uuid;

use super::forms::{Posted, opt};
use super::i18n::L;
use super::layout::{Answer, ShowErr, Shown, csrf, deadline, frame, notice, status_chip, when};
use super::queue::{agency_name, category_name};
use super::session::Operator;
use crate::app::AppState;
use crate::domain::reports::WORKING;
use crate::error::AppError;
use crate::media::{ingest, serve::serve_media};
use crate::service::reports;
use crate::service::{ServiceError, ServiceResult};

/// Reasons an operator picks from when rejecting, in the order the form lists them.
pub const REJECT_REASONS: [RejectReason; 6] = [
    RejectReason::NotCompetence,
    RejectReason::Duplicate,
    RejectReason::PrivateProperty,
    RejectReason::InsufficientInfo,
    RejectReason::NotAProblem,
    RejectReason::Other,
];

pub fn reason_code(r: RejectReason) -> &'static str {
    match r {
        RejectReason::NotCompetence => "not_competence",
        RejectReason::Duplicate => "duplicate",
        RejectReason::PrivateProperty => "private_property",
        RejectReason::InsufficientInfo => "insufficient_info",
        RejectReason::NotAProblem => "not_a_problem",
        RejectReason::Other => "other",
    }
}

/// The report if this operator may see it; another agency's report is "not found", as in the API.
async fn visible(st: &AppState, op: &Operator, id: Uuid) -> Result<Report, Shown> {
    reports::get(st, &op.p, id).await.map_err(|e| match e {
        ServiceError::NotFound(_) => Shown(op.l, AppError::NotFound(op.l.t("console-error-no_report").into())),
        e => Shown(op.l, e.into()),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

fn media_list(l: L, media: &[MediaRef]) -> Markup {
    html! {
        div.media {
            @for m in media {
                @if m.state == MediaState::Received {
                    @match m.kind {
                        MediaKind::Photo => a href={"/console/media/" (m.id)} target="_blank" {
                            img src={"/console/media/" (m.id)} alt=(l.t("console-report-photo")) loading="lazy";
                        },
                        MediaKind::Video => video src={"/console/media/" (m.id)} controls preload="metadata" {},
                    }
                } @else {
                    span.muted { (l.t("console-report-media_pending")) }
                }
            }
        }
    }
}

fn by(l: L, role: qala_protocol::ActorRole) -> &'static str {
    use qala_protocol::ActorRole::*;
    l.t(match role {
        Resident => "console-role-resident",
        Operator => "console-role-operator",
        Admin => "console-role-admin",
        System => "console-role-system",
    })
}

/// How far apart two reports of one category may be and still be the same problem.
const SAME_PLACE_M: f64 = 300.0;

/// Open reports of the same category within [`SAME_PLACE_M`], nearest first: operators drown in
/// repeats, and a duplicate is rejected with a pointer to the report that is being worked.
async fn nearby_open(st: &AppState, op: &Operator, r: &Report) -> Result<Vec<(Report, f64)>, Shown> {
    let q = qala_protocol::ReportQuery {
        category: Some(r.category.clone()),
        limit: Some(reports::MAX_PAGE),
        ..Default::default()
    };
    let (all, _) = reports::list(st, &op.p, &q).await.shown(op.l)?;
    let mut near: Vec<(Report, f64)> = all
        .into_iter()
        .filter(|o| o.id != r.id && o.status.is_open())
        .map(|o| {
            let d = r.location.distance_m(&o.location);
            (o, d)
        })
        .filter(|(_, d)| *d <= SAME_PLACE_M)
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    near.truncate(10);
    Ok(near)
}

pub async fn page(
    State(st): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
    done: Result<Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    let l = op.l;
    let r = visible(&st, &op, id).await?;
    let catalog = st.catalog.get();
    let now = Utc::now();
    let working = WORKING.contains(&r.status);
    let done = done.map(|Query(d)| d.done).unwrap_or_default();
    let near = if working { nearby_open(&st, &op, &r).await? } else { Vec::new() };
    let loc = &r.location;
    let body = html! {
        @if !done.is_empty() { (notice(l.t("console-report-saved"))) }
        div.grid {
            section.card {
                p { (status_chip(l, r.status)) " " strong { (category_name(l, &catalog, &r.category)) } }
                dl {
                    dt { (l.t("console-col-agency")) } dd #agency { (agency_name(l, &catalog, &r.agency)) }
                    dt { (l.t("console-report-registered")) } dd { (when(r.registered_at)) }
                    dt { (l.t("console-col-deadline")) } dd { (deadline(l, r.deadline, r.status, now)) }
                    @if let Some(e) = &r.executor { dt { (l.t("console-report-executor")) } dd { (e) } }
                }
                h2 { (l.t("console-report-description")) }
                p #description { (r.description) }
                @if let Some(public) = &r.public_description {
                    h2 { (l.t("console-report-public_text")) }
                    p #public-description { (public) }
                }
                details #redact {
                    summary { (l.t("console-redact")) }
                    form #redact-form method="post" action={"/console/reports/" (r.id) "/redact"} {
                        (csrf(&op))
                        p.muted { (l.t("console-redact_hint")) }
                        textarea name="text" maxlength=(DESCRIPTION_MAX_CHARS) { (r.public_text()) }
                        button type="submit" { (l.t("console-redact_save")) }
                    }
                }
            }
            section.card {
                h2 { (l.t("console-report-location")) }
                @if let Some(a) = &r.address { p { (a) } }
                p { (format!("{:.6}, {:.6}", loc.lat, loc.lon))
                    @if let Some(acc) = loc.accuracy_m { " ± " (acc.round()) " " (l.t("console-unit-m")) } }
                // A link, not an embedded map: the page stays usable without outside servers.
                p { a href=(format!("https://www.openstreetmap.org/?mlat={:.6}&mlon={:.6}#map=18/{:.6}/{:.6}", loc.lat, loc.lon, loc.lat, loc.lon))
                    target="_blank" rel="noopener noreferrer" { (l.t("console-report-open_map")) } }
                h2 { (l.t("console-report-media")) }
                @if r.media.is_empty() { p.muted { "—" } } @else { (media_list(l, &r.media)) }
            }
        }
        @if let Some(a) = &r.answer {
            section.card #answer { h2 { (l.t("console-report-answer")) " · " (when(a.at)) } p { (a.text) } (media_list(l, &a.media)) }
        }
        @if let Some(j) = &r.rejection {
            section.card #rejection { h2 { (l.t("console-report-rejection")) " · " (when(j.at)) }
                p { strong { (l.t(&format!("reason-{}", reason_code(j.reason)))) } } p { (j.text) } }
        }
        @if let Some(rt) = &r.rating {
            section.card { h2 { (l.t("console-report-rating")) } p { (rt.stars) " / 5" @if let Some(c) = &rt.comment { " — " (c) } } }
        }
        @if !r.complaints.is_empty() {
            section.card { h2 { (l.t("console-report-complaints")) }
                ul { @for c in &r.complaints { li { (when(c.at)) " — " (c.text) } } } }
        }
        @if !near.is_empty() {
            section.card #nearby {
                h2 { (l.t("console-report-nearby")) }
                ul { @for (o, d) in &near {
                    li { a href={"/console/reports/" (o.id)} { (o.registration_number) } " · " (d.round()) " " (l.t("console-unit-m"))
                        " · " (status_chip(l, o.status)) " · " (o.description.chars().take(80).collect::<String>()) }
                } }
            }
        }
        @if working { (actions(&op, &r, &catalog)) } @else { p.muted { (l.t("console-act-closed")) } }
        section.card {
            h2 { (l.t("console-report-history")) }
            div.scroll { table #history {
                thead { tr { th { (l.t("console-report-time")) } th { (l.t("console-col-status")) } th { (l.t("console-report-by")) } th { (l.t("console-report-note")) } } }
                tbody { @for h in &r.history {
                    tr { td { (when(h.at)) } td { (status_chip(l, h.status)) } td { (by(l, h.by)) } td { (h.note.as_deref().unwrap_or("")) } }
                } }
            } }
        }
    };
    Ok(frame(&op, &r.registration_number, body))
}

fn actions(op: &Operator, r: &Report, catalog: &crate::app::Catalog) -> Markup {
    let l = op.l;
    let base = format!("/console/reports/{}", r.id);
    html! {
        section.card.actions {
            h2 { (l.t("console-act-title")) }
            div.grid {
                form #answer-form method="post" action={(base) "/answer"} enctype="multipart/form-data" {
                    h3 { (l.t("console-act-answer")) }
                    (csrf(op))
                    label { (l.t("console-act-answer_text")) textarea name="text" required maxlength=(NOTE_MAX_CHARS) {} }
                    label { (l.t("console-act-photos")) input type="file" name="photo" accept="image/*,video/*" multiple required; }
                    @if !r.media.is_empty() { p.muted { (l.t("console-act-compare")) } (media_list(l, &r.media)) }
                    button.primary type="submit" { (l.t("console-act-answer")) }
                }
                form #reject-form method="post" action={(base) "/reject"} {
                    h3 { (l.t("console-act-reject")) }
                    (csrf(op))
                    label { (l.t("console-act-reject_reason"))
                        select name="reason" required {
                            @for reason in REJECT_REASONS {
                                option value=(reason_code(reason)) { (l.t(&format!("reason-{}", reason_code(reason)))) }
                            }
                        }
                    }
                    label { (l.t("console-act-reject_text")) textarea name="text" required maxlength=(NOTE_MAX_CHARS) {} }
                    button.danger type="submit" { (l.t("console-act-reject")) }
                }
            }
            div.grid {
                form #assign-form method="post" action={(base) "/assign"} {
                    h3 { (l.t("console-act-assign")) }
                    (csrf(op))
                    label { (l.t("console-act-executor")) input name="executor" required maxlength="200" value=[r.executor.as_deref()]; }
                    label { (l.t("console-act-note")) input name="note" maxlength=(NOTE_MAX_CHARS); }
                    button type="submit" { (l.t("console-act-assign")) }
                }
                @if r.status != ReportStatus::InProgress {
                    form #start-form method="post" action={(base) "/start"} {
                        h3 { (l.t("console-act-start")) }
                        (csrf(op))
                        label { (l.t("console-act-note")) input name="note" maxlength=(NOTE_MAX_CHARS); }
                        button type="submit" { (l.t("console-act-start")) }
                    }
                }
                form #route-form method="post" action={(base) "/route"} {
                    h3 { (l.t("console-act-route")) }
                    (csrf(op))
                    label { (l.t("console-act-route_to"))
                        select name="agency" required {
                            @for a in catalog.agencies.iter().filter(|a| a.code != r.agency) {
                                option value=(a.code) { (a.name.get(l.0)) }
                            }
                        }
                    }
                    label { (l.t("console-act-note")) input name="note" maxlength=(NOTE_MAX_CHARS); }
                    button type="submit" { (l.t("console-act-route")) }
                }
            }
        }
    }
}

/// After an action: back to the report, or to the queue when the report left this operator's
/// agency (routed elsewhere).
fn after(op: &Operator, done: ServiceResult<Report>) -> Answer {
    let r = done.shown(op.l)?;
    let id = r.id;
    let to =
        if op.p.acts_for(&r.agency) { format!("/console/reports/{id}?done=1") } else { "/console?routed=1".into() };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    executor: String,
    note: String,
}

pub async fn assign(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, f): Posted<AssignForm>) -> Answer {
    let req = AssignRequest { executor: f.executor, note: opt(&f.note) };
    after(&op, reports::assign(&st, &op.p, id, req).await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoteForm {
    note: String,
}

pub async fn start(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, f): Posted<NoteForm>) -> Answer {
    after(&op, reports::start(&st, &op.p, id, NoteRequest { note: opt(&f.note) }).await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RouteForm {
    agency: String,
    note: String,
}

pub async fn route(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, f): Posted<RouteForm>) -> Answer {
    let req = RouteRequest { agency: f.agency, note: opt(&f.note) };
    after(&op, reports::route(&st, &op.p, id, req).await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RedactForm {
    text: String,
}

pub async fn redact(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, f): Posted<RedactForm>) -> Answer {
    after(&op, reports::redact(&st, &op.p, id, RedactRequest { public_description: opt(&f.text) }).await)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RejectForm {
    reason: String,
    text: String,
}

pub async fn reject(State(st): State<AppState>, Path(id): Path<Uuid>, Posted(op, f): Posted<RejectForm>) -> Answer {
    let l = op.l;
    let reason = REJECT_REASONS
        .into_iter()
        .find(|r| reason_code(*r) == f.reason)
        .ok_or_else(|| Shown(l, AppError::validation("reason", "pick a reason from the list")))?;
    after(&op, reports::reject(&st, &op.p, id, RejectRequest { reason, text: f.text }).await)
}

/// The answer with its photo report, sent as one multipart form. The CSRF token is checked
/// before any file is stored; every file is checked and cleaned like a tus upload.
pub async fn answer(
    State(st): State<AppState>,
    op: Operator,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Answer {
    let l = op.l;
    let bad = |m: String| Shown(l, AppError::BadRequest(m));
    let mut multipart = multipart.map_err(|e| bad(e.body_text()))?;
    let (mut token, mut text, mut files) = (String::new(), String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|e| bad(e.body_text()))? {
        match field.name().unwrap_or("") {
            "csrf" => token = field.text().await.map_err(|e| bad(e.body_text()))?,
            "text" => text = field.text().await.map_err(|e| bad(e.body_text()))?,
            "photo" => {
                // The CSRF field comes first in the form: refuse before reading any file.
                op.check(&headers, &token)?;
                let data = field.bytes().await.map_err(|e| bad(e.body_text()))?;
                // A file input left empty still sends a part, with no bytes.
                if !data.is_empty() {
                    files.push(data.to_vec());
                }
            }
            _ => {}
        }
    }
    op.check(&headers, &token)?;
    // An answer without a photo report is what residents call a formal answer: the console asks
    // for one, to be checked against the resident's own photo.
    if files.is_empty() {
        return Err(Shown(l, AppError::validation("photo", l.t("console-act-photo_required"))));
    }
    // Refuse before storing anything if the report cannot be answered by this operator.
    reports::check_answer(&st, &op.p, id, &text, files.len()).await.shown(l)?;
    let mut media: Vec<MediaRef> = Vec::with_capacity(files.len());
    for data in files {
        match ingest::whole_file(&st, &op.p, data).await {
            Ok(m) => media.push(m),
            Err(e) => {
                // A later file was refused: the ones stored before it belong to nothing.
                forget_files(&st, media.iter().map(|m| m.id).collect()).await;
                return Err(Shown(l, e));
            }
        }
    }
    let ids: Vec<Uuid> = media.iter().map(|m| m.id).collect();
    let done = after(&op, reports::answer_stored(&st, &op.p, id, text, media).await);
    // Refused (the report changed since the check above, say): nothing refers to the files, so
    // they go. After a server-side failure the answer may have committed after all: keep them.
    if let Err(Shown(_, e)) = &done
        && e.status().is_client_error()
    {
        forget_files(&st, ids).await;
    }
    done
}

/// Removes the bytes of files stored for an answer that did not happen. Best effort: a file left
/// behind is only wasted space, never shown (no report refers to it).
async fn forget_files(st: &AppState, ids: Vec<Uuid>) {
    for id in ids {
        if let Err(e) = st.media.delete(id).await {
            tracing::warn!(%id, error = %e, "an unused answer file could not be removed");
        }
    }
}

/// A report's photo or video, for a signed-in operator who may see it (the API's rule and answer).
pub async fn media(State(st): State<AppState>, op: Operator, Path(id): Path<Uuid>, headers: HeaderMap) -> Answer {
    serve_media(&st, &op.p, id, &headers).await.shown(op.l)
}
