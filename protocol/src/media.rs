//! Media descriptors and the limits both ends enforce.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Largest photo the server accepts, after the phone has resized it (≈300 KB typical).
pub const PHOTO_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Largest video the server accepts.
pub const VIDEO_MAX_BYTES: u64 = 50 * 1024 * 1024;
/// Photos one report may carry.
pub const MAX_PHOTOS_PER_REPORT: usize = 5;
/// Videos one report may carry.
pub const MAX_VIDEOS_PER_REPORT: usize = 1;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Photo,
    Video,
}

impl MediaKind {
    pub fn max_bytes(self) -> u64 {
        match self {
            MediaKind::Photo => PHOTO_MAX_BYTES,
            MediaKind::Video => VIDEO_MAX_BYTES,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "photo" => Some(MediaKind::Photo),
            "video" => Some(MediaKind::Video),
            _ => None,
        }
    }
}

/// A media file a report (or an answer) declares. The bytes travel separately, by resumable upload,
/// under the same id.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclaredMedia {
    pub id: Uuid,
    pub kind: MediaKind,
}

/// Whether the server holds a declared file yet.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MediaState {
    /// Declared, bytes not (completely) arrived yet.
    Pending,
    /// Stored and checked; fetch it at `/api/v1/media/{id}`.
    Received,
}

/// A media file as the server knows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediaRef {
    pub id: Uuid,
    pub kind: MediaKind,
    pub state: MediaState,
    /// Hex sha256 of the stored bytes, once received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}
