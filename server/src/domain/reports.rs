//! The life of a report: creation on arrival, and every action an actor may take on it.
//!
//! These functions mutate a [`Report`] in memory and refuse what the rules forbid; the store calls
//! them inside its write transaction, so a refusal leaves nothing behind.

use chrono::{DateTime, Datelike, Utc};
use qala_protocol::{
    ActorRole, Answer, Category, Complaint, MediaRef, MediaState, NewReport, Rating, RejectReason, Rejection, Report,
    ReportStatus, Role, StatusChange,
};
use uuid::Uuid;

use super::Principal;
use super::calendar::WorkCalendar;

/// Why an action was refused. `kind` decides the HTTP status for operator calls; pushed ops carry
/// `code` and `message` back as a rejection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub code: &'static str,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// The report does not exist for this actor (not found, or not theirs: we do not tell which).
    NotFound,
    /// The report's status does not allow the action.
    Conflict,
    /// The action's own input is invalid.
    Invalid,
}

impl Refusal {
    fn not_found() -> Self {
        Refusal { kind: RefusalKind::NotFound, code: "not_found", message: "no such report".into() }
    }

    fn wrong_status(action: &str, status: ReportStatus) -> Self {
        Refusal {
            kind: RefusalKind::Conflict,
            code: "wrong_status",
            message: format!("cannot {action} a report that is {}", status.as_str()),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Refusal { kind: RefusalKind::Invalid, code, message: message.into() }
    }
}

/// Everything an actor can do to an existing report.
#[derive(Clone, Debug)]
pub enum Action {
    Assign {
        executor: String,
        note: Option<String>,
    },
    /// Hand over to another agency (whose code the caller checked). Back to "registered" there,
    /// with no executor; the deadline stays.
    Route {
        agency: String,
        note: Option<String>,
    },
    Start {
        note: Option<String>,
    },
    Answer {
        text: String,
        media: Vec<MediaRef>,
    },
    Reject {
        reason: RejectReason,
        text: String,
    },
    Rate {
        stars: u8,
        comment: Option<String>,
    },
    Complain {
        text: String,
    },
    Withdraw {
        reason: Option<String>,
    },
}

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Action::Assign { .. } => "assign",
            Action::Route { .. } => "route",
            Action::Start { .. } => "start work on",
            Action::Answer { .. } => "answer",
            Action::Reject { .. } => "reject",
            Action::Rate { .. } => "rate",
            Action::Complain { .. } => "complain about",
            Action::Withdraw { .. } => "withdraw",
        }
    }

    /// Actions only the report's author may take.
    fn is_residents(&self) -> bool {
        matches!(self, Action::Rate { .. } | Action::Complain { .. } | Action::Withdraw { .. })
    }
}

/// Statuses in which the agency still works the report: it may be assigned, routed, answered or
/// rejected (and the resident may withdraw it).
pub const WORKING: [ReportStatus; 4] =
    [ReportStatus::Registered, ReportStatus::Assigned, ReportStatus::InProgress, ReportStatus::Reopened];

/// `ALA-2026-000123`: city prefix, year of registration, yearly sequence.
pub fn registration_number(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}-{year}-{seq:06}")
}

/// The year a registration number counts in (local time).
pub fn registration_year(at: DateTime<Utc>) -> i32 {
    at.with_timezone(&super::calendar::local_offset()).year()
}

/// The report as registered on arrival: routed to the category's agency, with its deadline, its
/// declared media pending, and a history of "submitted" (phone clock) then "registered" (now).
/// The registration number is filled in by the store, which owns the sequence.
pub fn register(new: &NewReport, category: &Category, now: DateTime<Utc>, cal: &WorkCalendar) -> Report {
    Report {
        id: new.id,
        registration_number: String::new(),
        category: category.code.clone(),
        agency: category.agency.clone(),
        description: new.description.trim().to_string(),
        public_description: None,
        location: new.location.clone(),
        address: new.address.as_ref().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
        status: ReportStatus::Registered,
        deadline: cal.deadline(now, category.deadline_days),
        // A phone clock in the future is not believed.
        created_at: new.created_at.min(now),
        registered_at: now,
        media: new
            .media
            .iter()
            .map(|m| MediaRef {
                id: m.id,
                kind: m.kind,
                state: MediaState::Pending,
                sha256: None,
                size: None,
                content_type: None,
            })
            .collect(),
        history: vec![
            StatusChange {
                status: ReportStatus::Submitted,
                at: new.created_at.min(now),
                by: ActorRole::Resident,
                note: None,
            },
            StatusChange { status: ReportStatus::Registered, at: now, by: ActorRole::System, note: None },
        ],
        executor: None,
        answer: None,
        rejection: None,
        rating: None,
        complaints: vec![],
    }
}

fn actor_role(p: &Principal) -> ActorRole {
    match p.role {
        Role::Resident => ActorRole::Resident,
        Role::Operator => ActorRole::Operator,
        Role::Admin => ActorRole::Admin,
    }
}

fn clean(note: &Option<String>) -> Option<String> {
    note.as_ref().map(|n| n.trim().to_string()).filter(|n| !n.is_empty())
}

/// Applies `action` by `actor` to `report` (whose author is `owner`). `days_for` gives a category's
/// deadline in working days, for the fresh deadline a reopened report gets.
pub fn apply(
    report: &mut Report,
    owner: Uuid,
    actor: &Principal,
    action: &Action,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
    days_for: &dyn Fn(&str) -> u16,
) -> Result<(), Refusal> {
    use ReportStatus::*;
    let allowed = if action.is_residents() {
        actor.user_id == owner && actor.role == Role::Resident
    } else {
        actor.acts_for(&report.agency)
    };
    if !allowed {
        return Err(Refusal::not_found());
    }
    let from: &[ReportStatus] = match action {
        Action::Assign { .. } | Action::Route { .. } => &WORKING,
        Action::Start { .. } => &[Registered, Assigned, Reopened],
        Action::Answer { .. } | Action::Reject { .. } | Action::Withdraw { .. } => &WORKING,
        Action::Rate { .. } => &[Done],
        Action::Complain { .. } => &[Done, Rejected],
    };
    if !from.contains(&report.status) {
        return Err(Refusal::wrong_status(action.name(), report.status));
    }
    let by = actor_role(actor);
    let (status, note) = match action {
        Action::Assign { executor, note } => {
            let executor = executor.trim();
            if executor.is_empty() {
                return Err(Refusal::invalid("validation", "executor must not be empty"));
            }
            report.executor = Some(executor.to_string());
            (Assigned, clean(note).or_else(|| Some(executor.to_string())))
        }
        Action::Route { agency, note } => {
            if *agency == report.agency {
                return Err(Refusal::invalid("validation", "the report is already with this agency"));
            }
            report.agency = agency.clone();
            report.executor = None;
            (Registered, clean(note))
        }
        Action::Start { note } => (InProgress, clean(note)),
        Action::Answer { text, media } => {
            if text.trim().is_empty() {
                return Err(Refusal::invalid("validation", "an answer needs text"));
            }
            report.answer = Some(Answer {
                text: text.trim().to_string(),
                media: media.clone(),
                agency: report.agency.clone(),
                at: now,
            });
            report.rejection = None;
            // A new answer is rated afresh.
            report.rating = None;
            (Done, None)
        }
        Action::Reject { reason, text } => {
            if text.trim().is_empty() {
                return Err(Refusal::invalid("validation", "a rejection needs an explanation"));
            }
            report.rejection = Some(Rejection { reason: *reason, text: text.trim().to_string(), at: now });
            (Rejected, Some(text.trim().to_string()))
        }
        Action::Rate { stars, comment } => {
            if report.rating.is_some() {
                return Err(Refusal {
                    kind: RefusalKind::Conflict,
                    code: "already_rated",
                    message: "this answer is already rated".into(),
                });
            }
            report.rating = Some(Rating { stars: *stars, comment: clean(comment), at: now });
            if *stars <= 2 {
                let text = clean(comment).unwrap_or_else(|| format!("rated {stars} of 5"));
                report.complaints.push(Complaint { text: text.clone(), at: now });
                (Reopened, Some(text))
            } else {
                (Closed, clean(comment))
            }
        }
        Action::Complain { text } => {
            report.complaints.push(Complaint { text: text.trim().to_string(), at: now });
            (Reopened, Some(text.trim().to_string()))
        }
        Action::Withdraw { reason } => (Withdrawn, clean(reason)),
    };
    if status == Reopened {
        report.deadline = cal.deadline(now, days_for(&report.category));
    }
    report.status = status;
    report.history.push(StatusChange { status, at: now, by, note });
    Ok(())
}

/// Sets what the public sees of the description (`None`: the original). Only staff of the
/// report's agency, in any status (a settled report is public too). Not a step of the report's
/// life: no history entry, and the author's status stays as it was.
pub fn redact(report: &mut Report, actor: &Principal, public_description: Option<String>) -> Result<(), Refusal> {
    if actor.role == Role::Resident || !actor.acts_for(&report.agency) {
        return Err(Refusal::not_found());
    }
    // The original text again is no redaction.
    report.public_description = public_description.filter(|t| *t != report.description);
    Ok(())
}

/// Marks every reference to media `received.id` (in the report and in its answer) as received.
/// Returns whether anything changed.
pub fn fill_media(report: &mut Report, received: &MediaRef) -> bool {
    let mut changed = false;
    let answer_refs = report.answer.iter_mut().flat_map(|a| a.media.iter_mut());
    for r in report.media.iter_mut().chain(answer_refs) {
        if r.id == received.id && r.state != MediaState::Received {
            *r = received.clone();
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use qala_protocol::{LocalizedText, Location, LocationSource};

    fn category() -> Category {
        Category {
            code: "road_repair".into(),
            name: LocalizedText::new("Жол", "Дороги", "Roads"),
            agency: "mobility".into(),
            deadline_days: 10,
            icon: "road".into(),
            active: true,
        }
    }

    fn fresh() -> (Report, Uuid) {
        let owner = Uuid::now_v7();
        let new = NewReport {
            id: Uuid::now_v7(),
            category: "road_repair".into(),
            description: " hole ".into(),
            location: Location {
                lat: 43.2,
                lon: 76.9,
                accuracy_m: None,
                source: LocationSource::Pin,
                fixed_at: Utc::now(),
            },
            address: Some("  ".into()),
            media: vec![],
            created_at: Utc::now() + chrono::Duration::hours(5),
        };
        (register(&new, &category(), Utc::now(), &WorkCalendar::default()), owner)
    }

    fn resident(id: Uuid) -> Principal {
        Principal { user_id: id, role: Role::Resident, agency: None }
    }

    fn operator(agency: &str) -> Principal {
        Principal { user_id: Uuid::now_v7(), role: Role::Operator, agency: Some(agency.into()) }
    }

    fn run(r: &mut Report, owner: Uuid, who: &Principal, a: Action) -> Result<(), Refusal> {
        apply(r, owner, who, &a, Utc::now(), &WorkCalendar::default(), &|_| 10)
    }

    #[test]
    fn registration_cleans_input_and_distrusts_future_clocks() {
        let (r, _) = fresh();
        assert_eq!(r.description, "hole");
        assert_eq!(r.address, None);
        assert!(r.created_at <= r.registered_at);
        assert_eq!(r.status, ReportStatus::Registered);
        assert_eq!(registration_number("ALA", 2026, 123), "ALA-2026-000123");
    }

    #[test]
    fn low_rating_reopens_high_rating_closes() {
        let (mut r, owner) = fresh();
        let op = operator("mobility");
        run(&mut r, owner, &op, Action::Answer { text: "fixed".into(), media: vec![] }).unwrap();
        run(&mut r, owner, &resident(owner), Action::Rate { stars: 2, comment: None }).unwrap();
        assert_eq!(r.status, ReportStatus::Reopened);
        assert_eq!(r.complaints.len(), 1);
        run(&mut r, owner, &op, Action::Answer { text: "really fixed".into(), media: vec![] }).unwrap();
        assert_eq!(r.rating, None, "a new answer is rated afresh");
        run(&mut r, owner, &resident(owner), Action::Rate { stars: 4, comment: None }).unwrap();
        assert_eq!(r.status, ReportStatus::Closed);
        let e = run(&mut r, owner, &resident(owner), Action::Rate { stars: 1, comment: None }).unwrap_err();
        assert_eq!(e.kind, RefusalKind::Conflict);
    }

    #[test]
    fn strangers_and_other_agencies_see_nothing() {
        let (mut r, owner) = fresh();
        let e = run(&mut r, owner, &operator("housing"), Action::Start { note: None }).unwrap_err();
        assert_eq!(e.kind, RefusalKind::NotFound);
        let e = run(&mut r, owner, &resident(Uuid::now_v7()), Action::Withdraw { reason: None }).unwrap_err();
        assert_eq!(e.kind, RefusalKind::NotFound);
        assert_eq!(r.history.len(), 2, "refusals leave no trace");
    }

    #[test]
    fn routing_hands_the_report_over_and_keeps_the_deadline() {
        let (mut r, owner) = fresh();
        let deadline = r.deadline;
        let from = operator("mobility");
        run(&mut r, owner, &from, Action::Assign { executor: "Brigade 3".into(), note: None }).unwrap();
        let to = |agency: &str| Action::Route { agency: agency.into(), note: Some("lighting, not roads".into()) };
        run(&mut r, owner, &from, to("energy")).unwrap();
        assert_eq!((r.agency.as_str(), r.status, r.executor.as_deref()), ("energy", ReportStatus::Registered, None));
        assert_eq!(r.deadline, deadline);
        let e = run(&mut r, owner, &from, Action::Start { note: None }).unwrap_err();
        assert_eq!(e.kind, RefusalKind::NotFound, "the old agency lets go");
        let e = run(&mut r, owner, &operator("energy"), to("energy")).unwrap_err();
        assert_eq!(e.kind, RefusalKind::Invalid);
    }

    #[test]
    fn status_order_is_enforced() {
        let (mut r, owner) = fresh();
        let e = run(&mut r, owner, &resident(owner), Action::Rate { stars: 5, comment: None }).unwrap_err();
        assert_eq!(e.code, "wrong_status");
        run(&mut r, owner, &resident(owner), Action::Withdraw { reason: None }).unwrap();
        let e = run(&mut r, owner, &operator("mobility"), Action::Start { note: None }).unwrap_err();
        assert_eq!(e.kind, RefusalKind::Conflict);
    }
}
