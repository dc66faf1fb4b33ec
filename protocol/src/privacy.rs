//! A resident's rights over their data, as the API speaks of them: the file "Download my data"
//! gives, and what becomes of a resident's reports when they delete their account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Comment, MediaKind, Report};

/// Everything the server keeps about a resident. Media are listed with their checksums; their
/// bytes are fetched from `/api/v1/media/{id}` (the app puts them beside this file).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalData {
    pub generated_at: DateTime<Utc>,
    pub account: AccountRecord,
    /// Devices the account has signed in on (a returning device's guesses at a code are counted
    /// apart from strangers').
    pub devices: Vec<DeviceRecord>,
    /// Sessions that are signed in now.
    pub sessions: Vec<SessionRecord>,
    /// The resident's reports, whole: history, answers, ratings, complaints.
    pub reports: Vec<Report>,
    pub comments: Vec<CommentRecord>,
    pub flags: Vec<FlagRecord>,
    /// Files the resident uploaded.
    pub media: Vec<MediaRecord>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRecord {
    pub user_id: Uuid,
    pub phone: Option<String>,
    /// The name others see under the resident's comments.
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRecord {
    pub device_id: String,
    pub last_seen: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionRecord {
    pub device_id: String,
    pub created_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentRecord {
    pub comment: Comment,
    /// Hidden from everyone (by flags or a moderator).
    pub hidden: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagRecord {
    pub comment_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaRecord {
    pub id: Uuid,
    pub kind: MediaKind,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// What becomes of a resident's reports when they delete their account. Either way the reports
/// lose every link to the resident; the agency keeps its work and the city its statistics.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportsOnDeletion {
    /// They stay, anonymous, as they are.
    Anonymise,
    /// Those the agency still works are withdrawn (and leave the public view); settled ones stay,
    /// anonymous, as the city's history.
    Withdraw,
}

/// `DELETE /api/v1/me`: the account ends, its personal data goes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteAccount {
    pub reports: ReportsOnDeletion,
}
