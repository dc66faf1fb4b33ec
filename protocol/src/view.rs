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
    /// Videos held back because the resident asked for Wi-Fi and the phone is not on it; the
    /// screen offers "send now anyway".
    #[serde(default)]
    pub waiting_for_wifi: u32,
}

/// The app's settings screen and the facts the shell knows about itself.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct AppSettings {
    /// The resident's choice; `None` until chosen (the UI then follows the system language).
    pub lang: Option<crate::Lang>,
    /// Base URL of the sync server.
    pub server: String,
    pub video_wifi_only: bool,
    pub signed_in: bool,
    /// Whether this device can take a location fix itself (GPS on phones; not on desktop).
    pub can_locate: bool,
    /// Whether the shell takes photos and videos with the phone's camera itself (Android); else
    /// the screen uses file inputs with `capture`.
    #[serde(default)]
    pub native_camera: bool,
    /// The district chosen last time, offered first when there is no fix.
    #[serde(default)]
    pub last_area: Option<String>,
}

/// The names of the events the shell sends to the screens.
pub mod events {
    /// Something the sync engine did (payload: [`AppEvent`](super::AppEvent)).
    pub const SYNC: &str = "qala://sync";
    /// A better location fix while the position is watched (payload: [`Fix`](super::Fix)).
    pub const FIX: &str = "qala://fix";
    /// Open a screen (payload: its path, e.g. [`report_path`](super::report_path)).
    pub const OPEN: &str = "qala://open";
}

/// The path of a report's screen in the app: the UI's router reads it, notifications carry it.
pub fn report_path(id: Uuid) -> String {
    format!("/report/{id}")
}

/// What changing the server did. A phone with items not yet sent does not switch until the resident
/// confirms: those items go to the new server after sign-in there (ops on the old server's reports
/// will be refused there, and shown so).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ServerChange {
    pub changed: bool,
    /// Ops and files waiting to be sent.
    pub waiting: u32,
}

/// What the phone's connection is, as the webview reports it (the Network Information API).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    /// Wi-Fi, Ethernet: not paid by the megabyte.
    Unmetered,
    Cellular,
    #[default]
    Unknown,
}

/// A draft report as the capture screen shows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct DraftView {
    pub id: Uuid,
    pub category: Option<String>,
    pub description: String,
    pub location: Option<crate::Location>,
    pub address: Option<String>,
    pub media: Vec<crate::DeclaredMedia>,
    /// Why the last attached file could not be used, if it could not.
    pub error: Option<String>,
}

/// An open report near a draft's location, offered as "same problem?".
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NearbyReport {
    pub report: crate::PublicReport,
    pub distance_m: f64,
}

/// A comment with its way to the server.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CommentView {
    pub comment: crate::Comment,
    pub sync: SyncState,
    /// Written on this phone (the server's copy carries my pseudonym, not "me").
    #[serde(default)]
    pub mine: bool,
    /// I flagged it for the moderators.
    #[serde(default)]
    pub flagged: bool,
    /// How deep in the thread: 0 for a comment on the project, 1 for a reply to it, and so on.
    #[serde(default)]
    pub depth: u32,
}

/// What the shell pushes to the UI as the `qala://sync` event.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AppEvent {
    /// Bytes of one upload went out.
    Progress { media: Uuid, sent: u64, total: u64 },
    /// Something the screens show changed (a cycle ended, a status changed, an answer came).
    Changed,
    /// A cycle failed; the message is for the sync indicator.
    Failed { message: String },
}

/// What asking the device for the location gave. Each outcome leads somewhere: a fix, or the
/// district and the address.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Located {
    Found {
        fix: Fix,
    },
    /// The resident did not allow location for the app.
    Denied,
    /// No fix came (no location service, no signal, the desktop).
    NoFix,
}

/// A fix from the device, with the accuracy it claims.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f32>,
}

/// A setting the phone keeps (in its local store, beside the data).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// The resident's language (`kk`, `ru`, `en`); unset: the system's.
    Lang,
    /// The server's address.
    Server,
    /// `true`: videos wait for Wi-Fi.
    VideoWifiOnly,
    /// The draft being written (its id), so leaving the screen loses nothing.
    CurrentDraft,
    /// The district chosen last, for a phone without GPS.
    LastArea,
    /// The districts whose public reports the phone holds, comma-separated codes, `*` for the whole
    /// city; empty: none, unset: none yet (the first located report's district is adopted). Set
    /// through `Core::set_districts`, which also drops what leaves the scope.
    Districts,
}

impl Setting {
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Lang => "lang",
            Setting::Server => "server",
            Setting::VideoWifiOnly => "video_wifi_only",
            Setting::CurrentDraft => "current_draft",
            Setting::LastArea => "last_area",
            Setting::Districts => "districts",
        }
    }
}
