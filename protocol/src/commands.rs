//! The contract between the app's screens (qala-ui, wasm) and its shell (qala-app, Tauri): every
//! command with its name, its argument type and its result type, in one table.
//!
//! From this table come the shell's handlers (each takes `args: Args<C>` and answers
//! `Output<C>`), the command list the shell's build step grants (`src-tauri/build.rs` reads
//! [`NAMES`]), and the screens' typed calls (`bridge::invoke::<C>`). A field renamed in an argument
//! type is renamed on both sides at once; a handler whose types stray from its row does not
//! compile; and the shell's tests check that every name has a handler, a registration and a
//! permission.
//!
//! On the wire the arguments travel as the JSON object `{"args": …}`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Agency, AppSettings, Category, CommentView, DraftView, Located, LocationSource, MediaKind, MyReport, NearbyReport,
    NetworkKind, NewsItem, Position, Project, ServerChange, Setting, SyncStatus,
};

/// One command of the shell.
pub trait Command {
    /// The handler's name in the shell (`src-tauri/src/commands.rs`).
    const NAME: &'static str;
    type Args: Serialize + DeserializeOwned;
    type Output: Serialize + DeserializeOwned;
}

/// The argument type of command `C`.
pub type Args<C> = <C as Command>::Args;
/// The result type of command `C`.
pub type Output<C> = <C as Command>::Output;

/// The key the arguments travel under in the invoke payload.
pub const ARGS_KEY: &str = "args";

macro_rules! commands {
    ($( $(#[$doc:meta])* $ty:ident = $name:literal ( $args:ty ) -> $out:ty ; )*) => {
        $(
            $(#[$doc])*
            pub enum $ty {}
            impl Command for $ty {
                const NAME: &'static str = $name;
                type Args = $args;
                type Output = $out;
            }
        )*
        /// Every command's name, in the table's order.
        pub const NAMES: &[&str] = &[$($name),*];
        /// `(type name, command name, argument type name)` of every row: the shell's tests match
        /// handlers to rows by it.
        pub const ROWS: &[(&str, &str, &str)] = &[$((stringify!($ty), $name, stringify!($args))),*];
    };
}

commands! {
    /// The app's settings as the screens show them.
    Settings = "settings" (NoArgs) -> AppSettings;
    /// Changes one setting (`lang`, `video_wifi_only`, `last_area`).
    SetSetting = "set_setting" (SetSettingArgs) -> ();
    /// Points the app at another server; unsent work needs `confirmed`.
    ChangeServer = "change_server" (ChangeServerArgs) -> ServerChange;
    GetSyncStatus = "sync_status" (NoArgs) -> SyncStatus;
    /// The connection type as the webview knows it.
    SetNetwork = "set_network" (SetNetworkArgs) -> ();
    /// The route a tapped notification asked for, once.
    TakeOpened = "take_opened" (NoArgs) -> Option<String>;
    /// The videos waiting for Wi-Fi go on the current network.
    SendVideosNow = "send_videos_now" (NoArgs) -> ();
    SyncNow = "sync_now" (NoArgs) -> ();
    RequestCode = "request_code" (RequestCodeArgs) -> ();
    SignIn = "sign_in" (SignInArgs) -> ();
    SignOut = "sign_out" (NoArgs) -> ();
    MyReports = "my_reports" (NoArgs) -> Vec<MyReport>;
    MyReportById = "my_report" (IdArgs) -> Option<MyReport>;
    Categories = "categories" (NoArgs) -> Vec<Category>;
    Agencies = "agencies" (NoArgs) -> Vec<Agency>;
    News = "news" (NoArgs) -> Vec<NewsItem>;
    Projects = "projects" (NoArgs) -> Vec<Project>;
    Comments = "comments" (ProjectArgs) -> Vec<CommentView>;
    /// Open reports of a category near a point ("same problem nearby?").
    Nearby = "nearby" (NearbyArgs) -> Vec<NearbyReport>;
    /// The districts whose reports the phone holds (`*`: the whole city; none: only my own).
    Districts = "districts" (NoArgs) -> Vec<String>;
    /// Follows other districts: the reports of those left go at once, new ones come with a sync.
    SetDistricts = "set_districts" (SetDistrictsArgs) -> ();
    /// The city feed of the followed districts, newest first, a page after `before`: the server's
    /// online, what the phone holds offline.
    Feed = "feed" (FeedArgs) -> Vec<crate::PublicReport>;
    /// A report as the public sees it, whole (read online when the phone holds only its summary).
    PublicReportById = "public_report" (IdArgs) -> Option<crate::PublicReport>;
    /// A report found by its registration number (online).
    FindReport = "find_report" (FindReportArgs) -> Option<crate::PublicReport>;
    /// The draft being written, or a new one.
    CurrentDraft = "current_draft" (NoArgs) -> DraftView;
    /// A file's bytes as the request body, the draft's id in the `draft` header (no JSON).
    Attach = "attach" (NoArgs) -> DraftView;
    Detach = "detach" (DetachArgs) -> DraftView;
    SetLocation = "set_location" (SetLocationArgs) -> DraftView;
    SetAddress = "set_address" (SetAddressArgs) -> DraftView;
    SetCategory = "set_category" (SetCategoryArgs) -> DraftView;
    SetDescription = "set_description" (SetDescriptionArgs) -> DraftView;
    /// A fix from the phone's location service.
    Locate = "locate" (NoArgs) -> Located;
    /// A photo or video from the phone's own camera app (Android).
    Capture = "capture" (CaptureArgs) -> DraftView;
    /// Queues the draft as a report; answers the report's id.
    Submit = "submit" (DraftArgs) -> Uuid;
    DiscardDraft = "discard_draft" (DraftArgs) -> ();
    Rate = "rate" (RateArgs) -> ();
    Complain = "complain" (ComplainArgs) -> ();
    Withdraw = "withdraw" (WithdrawArgs) -> ();
    /// Writes a comment on a project; answers its id.
    CommentOn = "comment" (CommentArgs) -> Uuid;
    FlagComment = "flag_comment" (FlagCommentArgs) -> ();
    /// Downloads everything the server keeps about me, with my files, into one JSON file
    /// (online); answers where it was saved.
    ExportMyData = "export_my_data" (NoArgs) -> String;
    /// Takes my name off one of my reports (online): it leaves my account and this phone, and
    /// stays for the agency and the city.
    AnonymiseReport = "anonymise_report" (IdArgs) -> ();
    /// Deletes my account at the server, then everything of it on this phone (online).
    DeleteMyAccount = "delete_my_account" (DeleteMyAccountArgs) -> ();
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeleteMyAccountArgs {
    pub reports: crate::ReportsOnDeletion,
}

/// The arguments of a command that takes none.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct NoArgs {}

/// A setting the screens change (`lang`, `video_wifi_only`, `last_area`; the server has its own
/// command, the draft is the shell's).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetSettingArgs {
    pub key: Setting,
    pub value: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ChangeServerArgs {
    pub server: String,
    pub confirmed: bool,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetNetworkArgs {
    pub kind: NetworkKind,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RequestCodeArgs {
    pub phone: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignInArgs {
    pub phone: String,
    pub code: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdArgs {
    pub id: Uuid,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProjectArgs {
    pub project: Uuid,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NearbyArgs {
    pub category: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetDistrictsArgs {
    pub districts: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedArgs {
    /// The registration time and id of the last report of the previous page.
    pub before: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    pub limit: u32,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FindReportArgs {
    pub number: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct DraftArgs {
    pub draft: Uuid,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct DetachArgs {
    pub draft: Uuid,
    pub media: Uuid,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SetLocationArgs {
    pub draft: Uuid,
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f32>,
    pub source: LocationSource,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetAddressArgs {
    pub draft: Uuid,
    pub address: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetCategoryArgs {
    pub draft: Uuid,
    pub code: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetDescriptionArgs {
    pub draft: Uuid,
    pub text: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaptureArgs {
    pub draft: Uuid,
    pub kind: MediaKind,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RateArgs {
    pub report: Uuid,
    pub stars: u8,
    pub comment: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ComplainArgs {
    pub report: Uuid,
    pub text: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct WithdrawArgs {
    pub report: Uuid,
    pub reason: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CommentArgs {
    pub project: Uuid,
    pub parent: Option<Uuid>,
    pub body: String,
    pub position: Position,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FlagCommentArgs {
    pub comment: Uuid,
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for name in NAMES {
            assert!(seen.insert(name), "{name} twice");
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
        }
        assert_eq!(NAMES.len(), ROWS.len());
    }

    #[test]
    fn no_args_travel_as_an_empty_object() {
        assert_eq!(serde_json::to_string(&NoArgs {}).unwrap(), "{}");
        let _: NoArgs = serde_json::from_str("{}").unwrap();
    }
}
