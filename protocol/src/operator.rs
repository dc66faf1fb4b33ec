//! Requests of the agency side (operators) and of administrators.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Comment, LocalizedText, ProjectStage, ProjectStatus, RejectReason, Report, ReportStatus, Role};

/// Filters for an operator's list of reports. All optional; the list is sorted by deadline.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReportQuery {
    pub status: Option<ReportStatus>,
    pub category: Option<String>,
    /// Only open reports past their deadline.
    pub overdue: Option<bool>,
    /// Only open reports whose deadline is before this time (late ones and those about to be).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_before: Option<DateTime<Utc>>,
    /// Registered at or after.
    pub from: Option<DateTime<Utc>>,
    /// Registered before.
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportList {
    pub items: Vec<Report>,
    /// Matching reports in all (for paging).
    pub total: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignRequest {
    /// Brigade, contractor or employee who will do the work.
    pub executor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerRequest {
    pub text: String,
    /// Photo report: ids of media the operator uploaded (they may still be arriving).
    #[serde(default)]
    pub media: Vec<Uuid>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectRequest {
    pub reason: RejectReason,
    pub text: String,
}

/// Sets what the public sees of a report's description (a name, a phone number or a car plate
/// taken out); the author and the agency keep the original. No text, or a blank one, publishes
/// the original again.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedactRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_description: Option<String>,
}

/// Hands a report to another agency (it was routed to the wrong one). The deadline stays: the
/// resident should not wait longer because of a routing mistake.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RouteRequest {
    /// Code of the agency that takes the report over.
    pub agency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsInput {
    pub title: LocalizedText,
    pub body: LocalizedText,
    /// Unpublished news is kept but nobody else sees it.
    pub published: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectInput {
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub status: ProjectStatus,
    #[serde(default)]
    pub stages: Vec<ProjectStage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion_until: Option<DateTime<Utc>>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HideCommentRequest {
    pub reason: String,
}

/// The id of an object an admin request created.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    pub id: Uuid,
}

/// A news item as administrators see it, published or not.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminNews {
    pub item: crate::NewsItem,
    pub published: bool,
}

/// A staff account as administrators see it (never the password or its hash).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffAccount {
    pub user_id: Uuid,
    pub login: String,
    pub role: Role,
    /// An operator's agency; administrators have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    pub display_name: String,
    /// Has a password; a disabled account has none and cannot sign in.
    pub active: bool,
}

/// A staff account to create. The server generates the password and shows it once.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffInput {
    /// 3–40 characters: letters, digits, '.', '_', '-'; kept in lower case.
    pub login: String,
    pub display_name: String,
    /// `operator` (needs an agency) or `admin` (has none).
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}

/// A generated password, given once: when an account is created or its password is reset.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedPassword {
    pub user_id: Uuid,
    pub login: String,
    pub password: String,
}

/// A comment as moderators see it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModerationItem {
    pub comment: Comment,
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_reason: Option<String>,
    /// Residents who flagged it.
    pub flags: u32,
    /// A moderator has decided on it (flags no longer hide it).
    pub reviewed: bool,
}

/// One dated day off of the working calendar (or, with `working` set, a weekend worked by decree).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    #[serde(default)]
    pub working: bool,
}

/// Counts for one slice of the statistics (a category, an agency, or everything).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsCounts {
    /// Every report registered in the period.
    pub received: u64,
    /// Still with the agency: registered, assigned, in progress or reopened.
    pub in_progress: u64,
    /// Answered (done) or closed after a good rating.
    pub done: u64,
    pub rejected: u64,
    pub withdrawn: u64,
    /// Open and past their deadline now.
    pub overdue: u64,
    /// Share of answered reports answered by their deadline (0–1); none answered: absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_on_time_share: Option<f64>,
    /// Median hours from registration to the answer; none answered: absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_hours_to_answer: Option<f64>,
}

/// Counts for one named group (category or agency code).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsGroup {
    pub code: String,
    #[serde(flatten)]
    pub counts: StatsCounts,
}

/// Statistics of one period.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsPeriod {
    pub total: StatsCounts,
    pub by_category: Vec<StatsGroup>,
    pub by_agency: Vec<StatsGroup>,
}

/// Public statistics: no personal data, only counts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStats {
    pub generated_at: DateTime<Utc>,
    pub last_30_days: StatsPeriod,
    pub all_time: StatsPeriod,
}
