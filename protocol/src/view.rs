//! What the app shell hands the UI: screens' data assembled by the phone core. These cross the
//! Tauri bridge (a wire too), so they live here with the other wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{MediaKind, Report};

/// Where a locally written object is on its way to the server.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Waiting in the outbox (offline, or not yet sent).
    Queued,
    /// The server has it.
    Sent,
    /// The server refused it; the reason is shown and the op kept.
    Rejected { code: String, reason: String },
}

/// A media file of one of my reports, as the phone holds it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LocalMedia {
    pub id: Uuid,
    pub kind: MediaKind,
    pub size: u64,
    pub uploaded_bytes: u64,
    pub uploaded: bool,
    /// Why the file cannot be uploaded, if it cannot.
    #[serde(default)]
    pub error: Option<String>,
}

/// One of my reports: what I wrote, how far it got, and the server's view once it has one.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MyReport {
    pub id: Uuid,
    pub category: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub sync: SyncState,
    /// The registered report with its number, status, deadline, history and answer.
    pub report: Option<Report>,
    pub media: Vec<LocalMedia>,
}

/// The sync indicator.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SyncStatus {
    pub signed_in: bool,
    /// Ops waiting to be sent.
    pub queued_ops: u32,
    /// Ops the server refused (shown with their reasons).
    pub rejected_ops: u32,
    pub pending_uploads: u32,
    /// Files that cannot be uploaded (see each file's error).
    pub failed_uploads: u32,
    pub upload_bytes_done: u64,
    pub upload_bytes_total: u64,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}
