//! Reports: what a resident sends, and what the resident and the public get back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{DeclaredMedia, Location, MediaRef};

/// Longest description, in characters (Open311's limit).
pub const DESCRIPTION_MAX_CHARS: usize = 4000;
/// Longest typed address, in characters.
pub const ADDRESS_MAX_CHARS: usize = 300;
/// Longest answer, rejection text, rating comment or complaint, in characters.
pub const NOTE_MAX_CHARS: usize = 4000;

/// The life of a report. `submitted` exists only on the phone (sent, not yet registered); the server
/// registers on arrival. `done → reopened` on a low rating or a complaint; `closed` when rated ≥ 3.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Submitted,
    Registered,
    Assigned,
    InProgress,
    Done,
    Rejected,
    Reopened,
    Closed,
    Withdrawn,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 9] = [
        ReportStatus::Submitted,
        ReportStatus::Registered,
        ReportStatus::Assigned,
        ReportStatus::InProgress,
        ReportStatus::Done,
        ReportStatus::Rejected,
        ReportStatus::Reopened,
        ReportStatus::Closed,
        ReportStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Submitted => "submitted",
            ReportStatus::Registered => "registered",
            ReportStatus::Assigned => "assigned",
            ReportStatus::InProgress => "in_progress",
            ReportStatus::Done => "done",
            ReportStatus::Rejected => "rejected",
            ReportStatus::Reopened => "reopened",
            ReportStatus::Closed => "closed",
            ReportStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Still waiting for the agency: the deadline runs and can be missed.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReportStatus::Submitted
                | ReportStatus::Registered
                | ReportStatus::Assigned
                | ReportStatus::InProgress
                | ReportStatus::Reopened
        )
    }
}

/// True when an open report has passed its deadline.
pub fn is_overdue(status: ReportStatus, deadline: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status.is_open() && now > deadline
}

/// A report as the phone sends it (inside a `create_report` op).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReport {
    /// UUIDv7 made on the phone; the idempotency key of the report.
    pub id: Uuid,
    /// Category code.
    pub category: String,
    pub description: String,
    pub location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Media the report carries; their bytes arrive by upload under the same ids.
    #[serde(default)]
    pub media: Vec<DeclaredMedia>,
    /// When the resident pressed "send" (phone clock).
    pub created_at: DateTime<Utc>,
}

/// Who made a change.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ActorRole {
    Resident,
    Operator,
    Admin,
    System,
}

/// One step in a report's history.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    pub status: ReportStatus,
    pub at: DateTime<Utc>,
    pub by: ActorRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The agency's answer, with its photo report.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub text: String,
    #[serde(default)]
    pub media: Vec<MediaRef>,
    pub agency: String,
    pub at: DateTime<Utc>,
}

/// Why an operator rejected a report.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Not this city's or not this agency's competence.
    NotCompetence,
    Duplicate,
    /// Private property or a matter between residents.
    PrivateProperty,
    /// Not enough information to act (no usable location or photo).
    InsufficientInfo,
    /// Spam, abuse, or not a city problem.
    NotAProblem,
    Other,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejection {
    pub reason: RejectReason,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// The resident's rating of an answer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    /// 1–5; 1–2 reopens the report as a complaint, 3–5 closes it.
    pub stars: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// A resident's objection to an answer or a rejection; it reopens the report.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaint {
    pub text: String,
    pub at: DateTime<Utc>,
}

/// A report as its author (and the agency) sees it: the whole story.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub id: Uuid,
    /// E.g. `ALA-2026-000123`.
    pub registration_number: String,
    pub category: String,
    /// Agency the report is routed to.
    pub agency: String,
    pub description: String,
    /// What the public sees instead of the description, when an operator redacted it (a name, a
    /// phone number, a car plate). The description itself stays, for the author and the agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_description: Option<String>,
    pub location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub status: ReportStatus,
    /// End of the last working day the agency has.
    pub deadline: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub registered_at: DateTime<Utc>,
    #[serde(default)]
    pub media: Vec<MediaRef>,
    #[serde(default)]
    pub history: Vec<StatusChange>,
    /// Who does the work (a brigade, a contractor), once assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    #[serde(default)]
    pub complaints: Vec<Complaint>,
}

impl Report {
    /// Whether the report has a public copy at all. A withdrawn report has none, and neither has
    /// one rejected as private property or a matter between residents — also while a complaint
    /// has it worked again, until an answer replaces the rejection: its point is someone's home
    /// or yard, and what it says is about people. The author and the agency still see it.
    pub fn is_published(&self) -> bool {
        let private = self.rejection.as_ref().is_some_and(|r| r.reason == RejectReason::PrivateProperty);
        self.status != ReportStatus::Withdrawn && !private
    }

    /// The description the public sees: the operator's redaction, if any.
    pub fn public_text(&self) -> &str {
        self.public_description.as_deref().unwrap_or(&self.description)
    }
}

/// A report as everyone sees it: enough to judge "same problem?" and to follow the city's work,
/// nothing about its author. Phones pull it for every report in their scope, so it is kept small:
/// the description (as redacted, see [`Report::public_text`]) is cut to [`PUBLIC_SUMMARY_CHARS`]
/// characters (`more` says there is more, which the phone fetches online when the report is
/// opened), and the point is snapped to a grid of [`PUBLIC_COORD_STEP`], without the fix's time,
/// source or accuracy.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicReport {
    pub id: Uuid,
    pub registration_number: String,
    pub category: String,
    pub agency: String,
    /// The district the report is filed under (`districts::nearest` of its point); empty in a city
    /// without districts.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub district: String,
    pub description: String,
    /// The description was cut: the whole text is fetched on demand.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    pub lat: f64,
    pub lon: f64,
    /// Never filled any more: a typed address may name a flat or a person, and the point and the
    /// district say where. Kept so that copies pulled before read as they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub status: ReportStatus,
    pub deadline: DateTime<Utc>,
    pub registered_at: DateTime<Utc>,
}

/// Characters of a description that travel with the public copy of a report.
pub const PUBLIC_SUMMARY_CHARS: usize = 120;
/// The grid a public report's point is snapped to, in degrees: about 22 m north–south and 16 m
/// east–west at Almaty's latitude — enough for "same problem nearby?" (whose radius is 300 m),
/// not a resident's doorstep or which of two entrances they stood at.
pub const PUBLIC_COORD_STEP: f64 = 0.0002;

impl PublicReport {
    /// The public copy with the whole description (what an online fetch answers).
    pub fn whole(r: &Report) -> Self {
        let mut p = PublicReport::from(r);
        p.description = r.public_text().to_string();
        p.more = false;
        p
    }
}

/// `v` snapped to the nearest multiple of [`PUBLIC_COORD_STEP`] (printed with four decimals, no
/// float noise).
pub fn public_coord(v: f64) -> f64 {
    ((v / PUBLIC_COORD_STEP).round() * PUBLIC_COORD_STEP * 1e4).round() / 1e4
}

impl From<&Report> for PublicReport {
    fn from(r: &Report) -> Self {
        let text = r.public_text();
        let cut = text.char_indices().nth(PUBLIC_SUMMARY_CHARS).map(|(i, _)| i);
        let description = match cut {
            Some(i) => text[..i].trim_end().to_string(),
            None => text.to_string(),
        };
        PublicReport {
            id: r.id,
            registration_number: r.registration_number.clone(),
            category: r.category.clone(),
            agency: r.agency.clone(),
            district: crate::districts::code_of(r.location.lat, r.location.lon).to_string(),
            description,
            more: cut.is_some(),
            lat: public_coord(r.location.lat),
            lon: public_coord(r.location.lon),
            address: None,
            status: r.status,
            deadline: r.deadline,
            registered_at: r.registered_at,
        }
    }
}

/// Rate the answer to one of my reports.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRating {
    pub report_id: Uuid,
    pub stars: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Object to an answer or a rejection of one of my reports.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComplaint {
    pub report_id: Uuid,
    pub text: String,
}

/// Withdraw one of my reports that the agency has not finished.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawReport {
    pub report_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LocationSource;

    fn report(description: &str) -> Report {
        let at = Utc::now();
        Report {
            id: Uuid::nil(),
            registration_number: "ALA-2026-000001".into(),
            category: "road_repair".into(),
            agency: "mobility".into(),
            description: description.into(),
            public_description: None,
            location: Location {
                lat: 43.238_949,
                lon: 76.889_709,
                accuracy_m: Some(4.0),
                source: LocationSource::Gps,
                fixed_at: at,
            },
            address: None,
            status: ReportStatus::Registered,
            deadline: at,
            created_at: at,
            registered_at: at,
            media: vec![],
            history: vec![],
            executor: None,
            answer: None,
            rejection: None,
            rating: None,
            complaints: vec![],
        }
    }

    #[test]
    fn the_public_point_is_on_a_grid_of_about_twenty_metres() {
        let p = PublicReport::from(&report("hole"));
        assert_eq!((p.lat, p.lon), (43.239, 76.8898));
        for v in [43.238_949, 76.889_709, 43.0001, -0.0003] {
            let snapped = public_coord(v);
            assert!((snapped - v).abs() <= PUBLIC_COORD_STEP / 2.0 + 1e-9, "{v} → {snapped}");
            let steps = snapped / PUBLIC_COORD_STEP;
            assert!((steps - steps.round()).abs() < 1e-6, "{snapped} is on the grid");
        }
        // About 22 m north–south: two points 5 m apart mostly land on the same cell.
        assert_eq!(public_coord(43.238_91), public_coord(43.238_95));
    }

    #[test]
    fn the_public_sees_the_redaction_and_never_a_private_rejection() {
        let mut r = report("Сосед Иванов, тел. 8 701 123 45 67, снова бросил мусор");
        assert_eq!(PublicReport::whole(&r).description, r.description);
        r.public_description = Some("Снова бросили мусор".into());
        assert_eq!(PublicReport::from(&r).description, "Снова бросили мусор");
        assert_eq!(PublicReport::whole(&r).description, "Снова бросили мусор");
        assert!(r.is_published());
        r.status = ReportStatus::Rejected;
        r.rejection = Some(Rejection { reason: RejectReason::Duplicate, text: "x".into(), at: Utc::now() });
        assert!(r.is_published(), "a duplicate is still public");
        r.rejection = Some(Rejection { reason: RejectReason::PrivateProperty, text: "x".into(), at: Utc::now() });
        assert!(!r.is_published());
        r.status = ReportStatus::Reopened;
        assert!(!r.is_published(), "the author's complaint does not publish a neighbour dispute");
        r.rejection = None;
        r.status = ReportStatus::Done;
        assert!(r.is_published(), "an answer replaced the rejection");
        r.status = ReportStatus::Withdrawn;
        assert!(!r.is_published());
    }
}
