//! City news, city projects and the discussion under them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::LocalizedText;

/// Longest comment body, in characters.
pub const COMMENT_MAX_CHARS: usize = 2000;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsItem {
    pub id: Uuid,
    pub title: LocalizedText,
    pub body: LocalizedText,
    pub published_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Open for discussion: residents comment and take a position.
    Discussion,
    Approved,
    InProgress,
    Done,
    Cancelled,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectStage {
    pub title: LocalizedText,
    pub done: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: Uuid,
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub status: ProjectStatus,
    #[serde(default)]
    pub stages: Vec<ProjectStage>,
    /// Comments are accepted until this moment (when set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A resident's stance on a project, stated with a comment.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Position {
    For,
    Against,
    #[default]
    Neutral,
}

/// A comment as everyone sees it. The author is a pseudonym, never a phone number.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: Uuid,
    pub project_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    pub author: String,
    pub body: String,
    pub position: Position,
    pub created_at: DateTime<Utc>,
}

/// A resident's flag on someone else's comment (abuse, spam, someone's personal data). When
/// [`COMMENT_FLAGS_TO_HIDE`] residents have flagged it, the comment is hidden until a moderator
/// reviews it. Queued offline like any op; flagging twice counts once.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagComment {
    pub comment_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Flags from this many different residents hide a comment until it is reviewed.
pub const COMMENT_FLAGS_TO_HIDE: u32 = 3;

/// A comment written on the phone (possibly offline) and pushed as an op.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComment {
    /// UUIDv7 made on the phone.
    pub id: Uuid,
    pub project_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    pub body: String,
    #[serde(default)]
    pub position: Position,
    pub created_at: DateTime<Utc>,
}
