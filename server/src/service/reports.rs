//! Agency staff working reports: the queue of their agency (all agencies for administrators), and
//! the actions of the report's life. Every action runs the domain rule
//! ([`crate::domain::reports::apply`]) inside the store's write transaction, so a refusal changes
//! nothing, and each change becomes a change row the resident's phone pulls.

use chrono::Utc;
use qala_protocol::{
    AnswerRequest, AssignRequest, DESCRIPTION_MAX_CHARS, MediaKind, MediaRef, MediaState, NOTE_MAX_CHARS, NoteRequest,
    RedactRequest, RejectRequest, Report, ReportQuery, Role, RouteRequest,
};
use uuid::Uuid;

use super::access::Staff;
use super::{ServiceError, ServiceResult};
use crate::app::AppState;
use crate::domain::reports::{Action, RefusalKind, WORKING, apply};
use crate::store::MutateOutcome;

/// The largest page of a report list.
pub const MAX_PAGE: u32 = 500;

/// One page of this member of staff's reports, and how many match in all.
pub async fn list(st: &AppState, staff: &Staff, q: &ReportQuery) -> ServiceResult<(Vec<Report>, u64)> {
    if q.limit.is_some_and(|l| l == 0 || l > MAX_PAGE) {
        return Err(ServiceError::invalid("limit", format!("must be 1 to {MAX_PAGE}")));
    }
    Ok(st.store.list_reports(staff.scope(), q, Utc::now()).await?)
}

/// The report, if this member of staff works it. Another agency's report is "not found": an
/// operator need not know what other agencies handle.
pub async fn get(st: &AppState, staff: &Staff, id: Uuid) -> ServiceResult<Report> {
    match st.store.report(id).await? {
        Some((r, _)) if staff.acts_for(&r.agency) => Ok(r),
        _ => Err(no_report()),
    }
}

/// The report with this registration number, if this member of staff works it.
pub async fn by_number(st: &AppState, staff: &Staff, number: &str) -> ServiceResult<Option<Report>> {
    let r = st.store.report_by_number(number).await?;
    Ok(r.filter(|r| staff.acts_for(&r.agency)))
}

/// Per agency this member of staff works (every agency for administrators), its unfinished
/// reports due before `before`, most urgent first: what a supervisor chases before it is late.
pub async fn due_by(
    st: &AppState,
    staff: &Staff,
    before: chrono::DateTime<Utc>,
) -> ServiceResult<Vec<(String, Vec<Report>)>> {
    let agencies: Vec<String> = match staff.scope() {
        None => st.catalog.get().agencies.iter().map(|a| a.code.clone()).collect(),
        Some(a) => vec![a.to_string()],
    };
    let q = ReportQuery { due_before: Some(before), limit: Some(MAX_PAGE), ..ReportQuery::default() };
    let now = Utc::now();
    let mut out = Vec::with_capacity(agencies.len());
    for a in agencies {
        let (items, _) = st.store.list_reports(Some(&a), &q, now).await?;
        out.push((a, items));
    }
    Ok(out)
}

fn no_report() -> ServiceError {
    ServiceError::NotFound("no such report".into())
}

/// A note within bounds; a blank one is no note.
fn note(field: &str, text: Option<String>) -> ServiceResult<Option<String>> {
    let Some(text) = text else { return Ok(None) };
    qala_protocol::validate::text(&text, field, NOTE_MAX_CHARS, false)?;
    let text = text.trim();
    Ok((!text.is_empty()).then(|| text.to_string()))
}

pub async fn assign(st: &AppState, staff: &Staff, id: Uuid, req: AssignRequest) -> ServiceResult<Report> {
    qala_protocol::validate::text(&req.executor, "executor", 200, true)?;
    let action = Action::Assign { executor: req.executor.trim().into(), note: note("note", req.note)? };
    perform(st, staff, id, action).await
}

pub async fn start(st: &AppState, staff: &Staff, id: Uuid, req: NoteRequest) -> ServiceResult<Report> {
    let action = Action::Start { note: note("note", req.note)? };
    perform(st, staff, id, action).await
}

/// Hands the report to another agency (it came to the wrong one); the deadline stays.
pub async fn route(st: &AppState, staff: &Staff, id: Uuid, req: RouteRequest) -> ServiceResult<Report> {
    let agency = req.agency.trim();
    if st.catalog.get().agency(agency).is_none() {
        return Err(ServiceError::invalid("agency", format!("no agency {:?}", req.agency)));
    }
    let action = Action::Route { agency: agency.to_string(), note: note("note", req.note)? };
    perform(st, staff, id, action).await
}

pub async fn reject(st: &AppState, staff: &Staff, id: Uuid, req: RejectRequest) -> ServiceResult<Report> {
    qala_protocol::validate::text(&req.text, "text", NOTE_MAX_CHARS, true)?;
    perform(st, staff, id, Action::Reject { reason: req.reason, text: req.text }).await
}

fn answer_text(text: &str, files: usize) -> ServiceResult<()> {
    qala_protocol::validate::text(text, "text", NOTE_MAX_CHARS, true)?;
    if files > qala_protocol::MAX_PHOTOS_PER_REPORT {
        let m = format!("at most {} files", qala_protocol::MAX_PHOTOS_PER_REPORT);
        return Err(ServiceError::invalid("media", m));
    }
    Ok(())
}

/// Answers with text and a photo report whose files are uploaded (by tus) before or after: they
/// fill in as they arrive. A file a resident uploaded cannot be passed off as the agency's.
pub async fn answer(st: &AppState, staff: &Staff, id: Uuid, req: AnswerRequest) -> ServiceResult<Report> {
    answer_text(&req.text, req.media.len())?;
    let mut media = Vec::with_capacity(req.media.len());
    for mid in &req.media {
        let kind = match st.store.media(*mid).await? {
            Some(m) if m.owner_role != Role::Resident => m.kind,
            Some(_) => return Err(ServiceError::invalid("media", "a photo report must be uploaded by staff")),
            None => MediaKind::Photo,
        };
        media.push(MediaRef {
            id: *mid,
            kind,
            state: MediaState::Pending,
            sha256: None,
            size: None,
            content_type: None,
        });
    }
    perform(st, staff, id, Action::Answer { text: req.text, media }).await
}

/// Checks, before any file of an answer is stored, that this member of staff may answer the report
/// now and that the answer is well formed.
pub async fn check_answer(st: &AppState, staff: &Staff, id: Uuid, text: &str, files: usize) -> ServiceResult<()> {
    answer_text(text, files)?;
    let r = get(st, staff, id).await?;
    if !WORKING.contains(&r.status) {
        return Err(ServiceError::Conflict(format!("cannot answer a report that is {}", r.status.as_str())));
    }
    Ok(())
}

/// Answers with files already stored and checked (the console's form carries them in the request).
pub async fn answer_stored(
    st: &AppState,
    staff: &Staff,
    id: Uuid,
    text: String,
    media: Vec<MediaRef>,
) -> ServiceResult<Report> {
    answer_text(&text, media.len())?;
    perform(st, staff, id, Action::Answer { text, media }).await
}

/// Sets what the public sees of the report's description: an operator takes out a name, a phone
/// number or a car plate; the author and the agency keep the original. No text (or a blank one)
/// publishes the original again. The public copy on residents' phones changes with it.
pub async fn redact(st: &AppState, staff: &Staff, id: Uuid, req: RedactRequest) -> ServiceResult<Report> {
    let text = match req.public_description {
        Some(text) => {
            // A browser's form sends line breaks as CRLF: the text left as it was is no redaction.
            let text = text.replace("\r\n", "\n");
            qala_protocol::validate::text(&text, "public_description", DESCRIPTION_MAX_CHARS, false)?;
            Some(text.trim().to_string()).filter(|t| !t.is_empty())
        }
        None => None,
    };
    let rule = move |report: &mut Report, _owner| crate::domain::reports::redact(report, staff, text.clone());
    outcome(st.store.mutate_report(None, id, &rule).await?)
}

/// Runs an action through the domain rules inside the store's transaction.
async fn perform(st: &AppState, staff: &Staff, id: Uuid, action: Action) -> ServiceResult<Report> {
    let now = Utc::now();
    let catalog = st.catalog.get();
    let rule = move |report: &mut Report, owner| {
        apply(report, owner, staff, &action, now, &catalog.calendar, &|c| catalog.deadline_days(c))
    };
    outcome(st.store.mutate_report(None, id, &rule).await?)
}

/// What a staff action on a report came to, as the service's answer.
fn outcome(o: MutateOutcome) -> ServiceResult<Report> {
    match o {
        MutateOutcome::Applied(r) => Ok(*r),
        MutateOutcome::NotFound | MutateOutcome::Duplicate => Err(no_report()),
        MutateOutcome::Refused(r) => Err(match r.kind {
            RefusalKind::NotFound => ServiceError::NotFound(r.message),
            RefusalKind::Conflict => ServiceError::Conflict(r.message),
            RefusalKind::Invalid => ServiceError::Invalid { field: None, message: r.message },
        }),
    }
}
