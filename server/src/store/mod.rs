//! The storage trait: everything the server keeps, behind one interface that a SQLite (embedded
//! default) and a PostgreSQL (scale-out) implementation both satisfy.
//!
//! Each method is one transaction, as its caller sees it: all of it is kept or none. (The small
//! writes — sign-ins, sessions, uploads — share their commits with others that arrive together,
//! each inside its own savepoint: see `group_commit`.) Business rules stay out of here: callers
//! pass in what the domain computed, or a closure from [`crate::domain::reports`] that the store
//! runs inside its write transaction — so the rules are written once and a refusal rolls
//! everything back.

mod error;
mod group_commit;
pub mod postgres;
mod sql;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qala_protocol::{
    AdminNews, Agency, Category, FlagComment, Me, MediaKind, NewComment, NewsInput, OpOutcome, Project, Report,
    ReportQuery, Role,
};
use uuid::Uuid;

use crate::domain::Principal;
use crate::domain::calendar::Holiday;
use crate::domain::quota::{Charge, QuotaKind};
use crate::domain::reports::Refusal;
pub use error::{OnConstraint, StoreError, StoreResult};
use qala_protocol::scope::Position;

/// An op as the idempotency ledger records it.
#[derive(Clone, Debug)]
pub struct OpKey {
    pub op_id: Uuid,
    pub user_id: Uuid,
    pub kind: &'static str,
}

/// A staff account to create (password already hashed).
#[derive(Clone, Debug)]
pub struct NewStaff {
    pub login: String,
    pub password_hash: String,
    pub role: Role,
    pub agency: Option<String>,
    pub display_name: String,
}

/// What administrators see of staff accounts and of comments to moderate: the protocol's types,
/// as the API returns them.
pub use qala_protocol::{ModerationItem, PersonalData, StaffAccount};

/// What a staff login needs to check a password.
#[derive(Clone, Debug)]
pub struct StaffCredentials {
    pub principal: Principal,
    pub password_hash: String,
}

/// How many one-time codes a phone may be sent, and the whole server. Device ids count for no
/// limit of their own (whoever sends them invents them), but a device the phone's account has
/// signed in on before is *known*: guesses from it are counted apart, and the daily cap and the
/// server's budget, which a flood can spend, do not hold it back.
#[derive(Clone, Copy, Debug)]
pub struct OtpLimits {
    /// Codes sent to one phone per window, a second sending of the live code included. Every code
    /// a flood triggers reaches the resident, who can sign in with it.
    pub per_phone: u32,
    pub phone_window_s: i64,
    /// Codes sent to one phone per day at the request of devices new to its account: with
    /// `max_attempts` guesses each, this bounds guessing from invented devices to 50 a day. A
    /// known device is not held back by it.
    pub per_phone_daily: u32,
    /// Codes the whole server sends per hour to devices new to the phone's account.
    pub sms_per_hour: u32,
    /// Wrong guesses a code takes from devices new to the phone's account, and again from
    /// devices it has signed in on before; then that side must ask for a new code.
    pub max_attempts: u32,
    /// A live code with less life left than this is replaced, not sent again.
    pub min_life_s: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OtpIssue {
    /// Send the code of this nonce (a new one, or the live code again), which expires at
    /// `expires_at`; `budgeted` when it was taken from the server's hourly budget.
    Send { nonce: String, expires_at: DateTime<Utc>, budgeted: bool },
    /// The phone has had its codes for now.
    PhoneLimited { retry_after_s: u64 },
    /// The server's SMS budget for this hour is spent.
    BudgetSpent { retry_after_s: u64 },
}

/// What a code check tells: nothing more than right (and who signed in) or not, so that a caller
/// cannot learn whether a code is pending for a phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OtpCheck {
    Valid(Principal),
    /// Wrong, expired, used, never asked for, or out of guesses.
    Invalid,
}

/// What became of a refresh token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// Traded for the new session.
    Rotated(Principal),
    /// Unknown, expired, or ended.
    Refused,
    /// A retired token used again (or from another device): its whole family has ended.
    Reused { user_id: Uuid },
}

/// A session to store: only hashes of the tokens are kept.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub user_id: Uuid,
    /// The sign-in this session descends from: ended as a whole when a token is copied.
    pub family: String,
    pub device_id: String,
    pub access_hash: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_hash: String,
    pub refresh_expires_at: DateTime<Utc>,
}

/// One change-log row as stored: `payload` is the JSON of an [`qala_protocol::Entity`], or `None`
/// for a tombstone. Kept as text so pull can pass it through without re-encoding.
#[derive(Clone, Debug)]
pub struct ChangeRow {
    pub seq: i64,
    pub kind: String,
    pub entity_id: String,
    pub payload: Option<String>,
}

/// One page of a pull: the rows, and the phone's positions after them.
#[derive(Clone, Debug)]
pub struct PullPage {
    pub rows: Vec<ChangeRow>,
    pub has_more: bool,
    pub positions: Vec<Position>,
}

/// What a pull found.
#[derive(Clone, Debug)]
pub enum Pulled {
    Page(PullPage),
    /// A position is below the retention floor: the phone may have missed a pruned deletion.
    Gone,
}

/// An upload in progress (tus).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadRow {
    pub id: Uuid,
    pub owner: Uuid,
    pub kind: MediaKind,
    pub length: u64,
    pub offset: u64,
    /// Hex sha256 of the whole file, when the client declared it at creation.
    pub sha256: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// A stored, checked media file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRow {
    pub id: Uuid,
    pub owner: Uuid,
    pub owner_role: Role,
    pub kind: MediaKind,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    /// Bytes the client uploaded, before the server stripped metadata.
    pub upload_length: u64,
    pub created_at: DateTime<Utc>,
}

/// A report that refers to a media file: who wrote it and which agency handles it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaLink {
    pub report_owner: Uuid,
    pub agency: String,
    /// Referred to by the report's answer (a photo report), not by the report itself.
    pub in_answer: bool,
}

/// What one pass of [`MediaRecords::media_sweep`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MediaSweep {
    /// Media whose rows were deleted; their objects are still to be deleted.
    pub deleted: Vec<Uuid>,
    /// The pass stopped at its limit: more files past the grace period wait to be looked at.
    pub more: bool,
}

#[derive(Clone, Debug)]
pub enum MutateOutcome {
    Applied(Box<Report>),
    /// The op was applied before; nothing changed now.
    Duplicate,
    NotFound,
    Refused(Refusal),
}

/// A rule run inside the write transaction: mutate the report (whose author is the `Uuid`) or refuse.
pub type Mutator<'a> = dyn Fn(&mut Report, Uuid) -> Result<(), Refusal> + Send + Sync + 'a;

/// Everything the server keeps. Implemented by each backend through the sub-traits below, one per
/// kind of data, so that each backend's code splits the same way.
pub trait Store:
    MetaStore + AccountStore + PrivacyStore + ReportStore + CivicStore + ChangeLog + MediaRecords + PushLedger + QuotaLedger
{
}

impl<T> Store for T where
    T: MetaStore
        + AccountStore
        + PrivacyStore
        + ReportStore
        + CivicStore
        + ChangeLog
        + MediaRecords
        + PushLedger
        + QuotaLedger
{
}

/// Import this to call store methods on an `Arc<dyn Store>`.
pub mod prelude {
    pub use super::{
        AccountStore, ChangeLog, CivicStore, MediaRecords, MetaStore, PushLedger, QuotaLedger, ReportStore, Store,
    };
}

/// Settings, the catalogue and the holiday calendar.
#[async_trait]
pub trait MetaStore: Send + Sync + 'static {
    /// The value under `key`, created as `init` on first use (server secrets, settings).
    async fn meta_get_or_init(&self, key: &str, init: &str) -> StoreResult<String>;
    async fn meta_set(&self, key: &str, value: &str) -> StoreResult<()>;
    /// Inserts agencies and categories that are not there yet; existing rows (maybe edited by an
    /// administrator) are left alone.
    async fn seed_catalog(&self, agencies: &[Agency], categories: &[Category]) -> StoreResult<()>;
    async fn agencies(&self) -> StoreResult<Vec<Agency>>;
    async fn categories(&self) -> StoreResult<Vec<Category>>;
    async fn seed_holidays(&self, holidays: &[Holiday]) -> StoreResult<()>;
    async fn holidays(&self) -> StoreResult<Vec<Holiday>>;
    /// Creates or replaces an agency; phones pull the change.
    async fn put_agency(&self, agency: &Agency) -> StoreResult<()>;
    /// Creates or replaces a category (its agency must exist); phones pull the change.
    async fn put_category(&self, category: &Category) -> StoreResult<()>;
    /// Adds or replaces the entry for a day (a holiday, or a working weekend day).
    async fn put_holiday(&self, holiday: &Holiday) -> StoreResult<()>;
    async fn delete_holiday(&self, day: chrono::NaiveDate) -> StoreResult<bool>;
}

/// Residents, staff, one-time codes and sessions.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// The resident with this (normalised) phone, created on first sign-in.
    async fn resident_for_phone(&self, phone: &str, now: DateTime<Utc>) -> StoreResult<Principal>;
    /// Fails with `Taken` when the login is taken and `UnknownReference` for an unknown agency.
    async fn create_staff(&self, staff: &NewStaff, now: DateTime<Utc>) -> StoreResult<Uuid>;
    async fn staff_credentials(&self, login: &str) -> StoreResult<Option<StaffCredentials>>;
    /// Every operator and administrator, by login.
    async fn staff_all(&self) -> StoreResult<Vec<StaffAccount>>;
    /// Records a failed staff login from the client address `addr`, and returns the failures
    /// of `login` from `addr` since `since`.
    async fn login_failed(&self, login: &str, addr: &str, now: DateTime<Utc>, since: DateTime<Utc>)
    -> StoreResult<u32>;
    /// Failed staff logins of `login` from `addr` since `since`.
    async fn login_failures(&self, login: &str, addr: &str, since: DateTime<Utc>) -> StoreResult<u32>;
    /// The account that reports arriving through another channel (a call centre, a bot) belong to,
    /// created on first use. It has no password and no phone: nobody can sign in as it.
    async fn channel_account(&self, name: &str, now: DateTime<Utc>) -> StoreResult<Principal>;
    async fn me(&self, user_id: Uuid) -> StoreResult<Option<Me>>;
    /// Whether one more code for `phone` asked for on `device_id` would be over a limit (seconds
    /// to wait), read without the write lock: floods are refused before they queue for it.
    async fn otp_limited(
        &self,
        phone: &str,
        device_id: &str,
        now: DateTime<Utc>,
        limits: OtpLimits,
    ) -> StoreResult<Option<u64>>;
    /// Counts a sending of a code to `phone`, asked for on `device_id`, against the limits and
    /// the server's budget, and returns the nonce of the code to send: the live one, or `fresh`
    /// (with the hash of its code) when there is none that this device may still use.
    async fn otp_issue(
        &self,
        phone: &str,
        device_id: &str,
        fresh: (&str, &str),
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        limits: OtpLimits,
    ) -> StoreResult<OtpIssue>;
    /// Takes back a sending at `at` that the gateway did not take: it counts for no limit.
    async fn otp_unsent(&self, phone: &str, at: DateTime<Utc>, budgeted: bool) -> StoreResult<()>;
    /// Checks a code for `phone` entered on `device_id`. A right one is used up and signs in, in
    /// the same transaction: the phone's resident (created on its first sign-in) gets `session`,
    /// with its user id filled in, and `device_id` becomes one of the account's known devices.
    async fn otp_sign_in(
        &self,
        phone: &str,
        device_id: &str,
        code_hash: &str,
        now: DateTime<Utc>,
        max_attempts: u32,
        session: &NewSession,
    ) -> StoreResult<OtpCheck>;
    /// Stores the session of a new sign-in. The same account's older sessions on the same device
    /// end: a phone signed in again is not also signed in as before.
    async fn session_create(&self, s: &NewSession, now: DateTime<Utc>) -> StoreResult<()>;
    async fn session_by_access(&self, access_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Principal>>;
    /// Trades a refresh token of `device_id` for the new session `next`, which joins the token's
    /// family (`next.user_id` and `next.family` are taken from it). A retired token used again
    /// ends the family, unless it is the last one retired and its successor never refreshed:
    /// then the answer that carried the successor was lost, and the successor is ended instead.
    async fn session_rotate(
        &self,
        refresh_hash: &str,
        device_id: &str,
        next: &NewSession,
        now: DateTime<Utc>,
    ) -> StoreResult<Rotation>;
    /// Ends the session of this access token and every session of its family.
    async fn session_revoke(&self, access_hash: &str) -> StoreResult<()>;
    /// Sets a staff account's password (`None` disables the account) and ends all its sessions;
    /// false when there is no such staff account.
    async fn set_staff_password(&self, user_id: Uuid, password_hash: Option<&str>) -> StoreResult<bool>;
}

/// A resident's rights over their data: what is kept about them, a report made anonymous, the
/// account erased. Each reads one account's rows through indexes on its id.
#[async_trait]
pub trait PrivacyStore: Send + Sync + 'static {
    /// Everything kept about the resident `user`; `None` for no such resident.
    async fn personal_data(&self, user: Uuid, now: DateTime<Utc>) -> StoreResult<Option<PersonalData>>;
    /// Hands reports of `owner` (those of `ids`, or all) to the account `to`, which nobody signs
    /// in as: the author's phone gets a deletion for each, and their files go with them; the
    /// public copy, the agency's work and the statistics stay. Returns how many were `owner`'s.
    async fn anonymise_reports(
        &self,
        owner: Uuid,
        ids: Option<&[Uuid]>,
        to: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Erases the resident `user`'s personal data, in one transaction: every report goes to
    /// `to` (as [`PrivacyStore::anonymise_reports`]), comments lose text and author and are hidden
    /// for good, and the phone number (a sign-in with it makes a new account), sessions, devices,
    /// codes, flags, the ledger's link and the own change log go. False for no such resident.
    async fn erase_account(&self, user: Uuid, to: Uuid, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Retention of files: the files residents uploaded for reports settled before `before`
    /// leave the reports, and those no other report refers to are deleted (their objects are the
    /// caller's to delete). At most `limit` reports per call.
    async fn unlink_old_files(&self, before: DateTime<Utc>, now: DateTime<Utc>, limit: u32) -> StoreResult<Unlinked>;
    /// Retention of accounts: sessions expired by `now`, codes expired a day ago and devices not
    /// seen since `before` go; then the phone numbers of at most `limit` residents with no
    /// session, no device seen and no report unsettled since `before` are cleared (the number
    /// signs in as a new account). Reads every resident once a pass: run it once per upkeep.
    async fn forget_idle_accounts(&self, before: DateTime<Utc>, now: DateTime<Utc>, limit: u32) -> StoreResult<u32>;
}

/// What one pass of [`PrivacyStore::unlink_old_files`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unlinked {
    /// Reports looked at (each once, ever).
    pub reports: u32,
    /// Media whose rows were deleted; their objects are still to be deleted.
    pub media: Vec<Uuid>,
}

/// A query of public reports (Open311 `requests`).
#[derive(Clone, Debug, Default)]
pub struct PublicRequestQuery {
    /// Registration numbers; when given, the other filters are ignored.
    pub numbers: Option<Vec<String>>,
    pub categories: Option<Vec<String>>,
    /// Only open (`true`) or only closed (`false`) reports.
    pub open: Option<bool>,
    /// Registered at or after.
    pub from: Option<DateTime<Utc>>,
    /// Registered at or before.
    pub to: Option<DateTime<Utc>>,
    pub limit: u32,
}

/// Reports.
#[async_trait]
pub trait ReportStore: Send + Sync + 'static {
    /// Registers a report: allocates its number in the `prefix`-year sequence, stores it and its
    /// change rows, records the op. Same op or same report id again: `Duplicate`.
    async fn create_report(&self, op: &OpKey, owner: Uuid, report: Report, prefix: &str) -> StoreResult<OpOutcome>;
    /// Runs `rule` on the report inside a write transaction and stores the result with its change rows.
    async fn mutate_report(
        &self,
        op: Option<&OpKey>,
        report_id: Uuid,
        rule: &Mutator<'_>,
    ) -> StoreResult<MutateOutcome>;
    /// A report and its author.
    async fn report(&self, id: Uuid) -> StoreResult<Option<(Report, Uuid)>>;
    /// The report with this registration number.
    async fn report_by_number(&self, number: &str) -> StoreResult<Option<Report>>;
    /// The statistics of the reports registered at or after `since` (all when `None`), as of
    /// `now`, aggregated by the database: a few rows per category, however many reports there are.
    async fn stats_rows(
        &self,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<crate::domain::stats::StatsRow>, Vec<crate::domain::stats::AnswerTimes>)>;
    /// Public reports (never withdrawn ones) matching `q`, newest first, at most `q.limit`: every
    /// filter and the limit run in the database, so the cost follows the answer, not the table.
    async fn public_requests(&self, q: &PublicRequestQuery) -> StoreResult<Vec<Report>>;
    /// The city feed: reports (not withdrawn) before `before` in the order (registration time,
    /// id), newest first, filed under `districts` (all when empty), at most `limit`.
    async fn public_feed(
        &self,
        before: Option<(DateTime<Utc>, Uuid)>,
        districts: &[String],
        limit: u32,
    ) -> StoreResult<Vec<Report>>;
    /// Reports of `agency` (all agencies when `None`) matching `q`, by deadline; and the total.
    async fn list_reports(
        &self,
        agency: Option<&str>,
        q: &ReportQuery,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<Report>, u64)>;
}

/// News, city projects and their discussion.
#[async_trait]
pub trait CivicStore: Send + Sync + 'static {
    async fn add_comment(&self, op: &OpKey, author: &str, c: &NewComment, now: DateTime<Utc>)
    -> StoreResult<OpOutcome>;
    /// Hides a comment from everyone and marks it reviewed; false when there is no such comment.
    async fn hide_comment(&self, id: Uuid, reason: &str) -> StoreResult<bool>;
    /// Shows a hidden comment again and marks it reviewed, so flags no longer hide it.
    async fn restore_comment(&self, id: Uuid) -> StoreResult<bool>;
    /// Records a resident's flag; the `threshold`-th flag of an unreviewed comment hides it.
    async fn flag_comment(
        &self,
        op: &OpKey,
        flag: &FlagComment,
        threshold: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<OpOutcome>;
    /// Comments for moderators: hidden by flags and not reviewed first, then the newest.
    async fn comments_for_review(&self, limit: u32) -> StoreResult<Vec<ModerationItem>>;
    /// Creates or replaces a news item; unpublished news leaves the public log (tombstone).
    async fn put_news(&self, id: Uuid, input: &NewsInput, now: DateTime<Utc>) -> StoreResult<()>;
    async fn delete_news(&self, id: Uuid) -> StoreResult<bool>;
    /// Every news item, newest first, with its published flag.
    async fn news_all(&self) -> StoreResult<Vec<AdminNews>>;
    async fn projects_all(&self) -> StoreResult<Vec<Project>>;
    async fn put_project(&self, project: &Project) -> StoreResult<()>;
    async fn project(&self, id: Uuid) -> StoreResult<Option<Project>>;
    async fn delete_project(&self, id: Uuid) -> StoreResult<bool>;
}

/// The change log phones pull.
#[async_trait]
pub trait ChangeLog: Send + Sync + 'static {
    /// The next page of a phone's scope: from each bucket the rows after its position (as a
    /// snapshot while it has one: the latest row of each object, no deletions), merged by `seq`,
    /// at most `limit`. Read in one snapshot of the database, with the retention floor.
    async fn pull(&self, positions: Vec<Position>, limit: u32) -> StoreResult<Pulled>;
    /// Positions below this may have missed a pruned tombstone (`pull` answers `Gone` for them);
    /// read alone by the health check.
    async fn retention_floor(&self) -> StoreResult<i64>;
    /// Takes out of the public scope (a deletion in their district's bucket) at most `limit`
    /// reports that reached a final status before `settled_before`; returns how many.
    async fn leave_public_scope(&self, settled_before: DateTime<Utc>, limit: u32) -> StoreResult<u32>;
    /// Files at most `limit` reports that have no district yet (those of a database older than
    /// scopes) under their district, moving their public rows to its bucket; returns how many.
    async fn file_reports(&self, limit: u32) -> StoreResult<u32>;
    /// Drops change rows superseded by a newer row for the same object, and tombstones older than
    /// `before`; raises the retention floor past any dropped tombstone. Returns rows dropped.
    async fn compact(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// Uploads in progress and stored media.
#[async_trait]
pub trait MediaRecords: Send + Sync + 'static {
    /// Creates the upload, or returns the existing one with the same id and owner. A new upload is
    /// charged to `quota` (its length) in the same transaction; over the quota nothing is created
    /// and the answer is `StoreError::QuotaExceeded`.
    async fn upload_create(&self, u: &UploadRow, now: DateTime<Utc>, quota: Option<&Charge>) -> StoreResult<UploadRow>;
    async fn upload(&self, id: Uuid) -> StoreResult<Option<UploadRow>>;
    /// Unfinished uploads of one account.
    async fn open_uploads(&self, owner: Uuid) -> StoreResult<u32>;
    /// Moves the offset from `from` to `to` if it is still `from`.
    async fn upload_advance(&self, id: Uuid, from: u64, to: u64, expires_at: DateTime<Utc>) -> StoreResult<bool>;
    async fn upload_delete(&self, id: Uuid) -> StoreResult<()>;
    /// Deletes the upload only if it is still expired at `now` (a chunk may have just extended
    /// it, or its owner started it again); whether it did.
    async fn upload_delete_expired(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Up to `limit` uploads expired before `now`.
    async fn uploads_expired(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Uuid>>;
    /// Records a completed file, ends its upload, and fills it into every report that declared it.
    async fn media_complete(&self, m: &MediaRow) -> StoreResult<()>;
    async fn media(&self, id: Uuid) -> StoreResult<Option<MediaRow>>;
    /// Reports that refer to this media file.
    async fn media_links(&self, id: Uuid) -> StoreResult<Vec<MediaLink>>;
    /// Collects media no report uses. Looks at up to `limit` files stored before `before`, in the
    /// order they were stored, from where the previous pass stopped (a mark kept in the database),
    /// and deletes the rows of those that no report and no answer refers to. Each pass reads a
    /// bounded slice, and over time each file is looked at once: a file referred to then is kept for
    /// good (references are never removed). The objects of the returned ids are the caller's to
    /// delete, after this has committed.
    async fn media_sweep(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<MediaSweep>;
}

/// One op of a push, ready for the store: what the domain decided, or the rule to run.
/// Items own everything they need so that pushes of several requests can be applied together.
pub enum PushItem {
    CreateReport {
        op: OpKey,
        owner: Uuid,
        report: Box<Report>,
        prefix: Arc<str>,
        /// The author's daily report quota, charged if the report is new.
        quota: Option<Charge>,
    },
    Mutate {
        op: OpKey,
        report_id: Uuid,
        rule: Box<Mutator<'static>>,
    },
    Comment {
        op: OpKey,
        author: String,
        comment: Box<NewComment>,
        now: DateTime<Utc>,
        /// The author's daily comment quota, charged if the comment is new.
        quota: Option<Charge>,
    },
    FlagComment {
        op: OpKey,
        flag: FlagComment,
        now: DateTime<Utc>,
    },
    /// Refused before reaching the store (invalid input).
    Decided(OpOutcome),
}

/// Applying a whole push.
#[async_trait]
pub trait PushLedger: Send + Sync + 'static {
    /// Applies the items in order, each atomically on its own (applied, duplicate or rejected
    /// without a trace), and makes the batch durable with one commit. A crash before that commit
    /// loses the whole batch and the phone, which got no answer, sends it again.
    async fn push_batch(&self, items: Vec<PushItem>) -> StoreResult<Vec<OpOutcome>>;
}

/// Counters of the daily quotas (see [`crate::domain::quota`]). Charging happens inside the write
/// it counts (`PushItem`'s `quota`, `upload_create`); this is for reading and for upkeep.
#[async_trait]
pub trait QuotaLedger: Send + Sync + 'static {
    /// How much of `kind` the account has used on the local day `day`.
    async fn quota_used(&self, user: Uuid, kind: QuotaKind, day: chrono::NaiveDate) -> StoreResult<u64>;
    /// Drops the counters of the days before `before`; returns the rows dropped.
    async fn quota_prune(&self, before: chrono::NaiveDate) -> StoreResult<u64>;
}

impl MutateOutcome {
    /// How a mutation answers a pushed op.
    pub fn into_op_outcome(self) -> OpOutcome {
        match self {
            MutateOutcome::Applied(_) => OpOutcome::Applied,
            MutateOutcome::Duplicate => OpOutcome::Duplicate,
            MutateOutcome::NotFound => {
                OpOutcome::Rejected { code: "not_found".into(), reason: "no such report".into() }
            }
            MutateOutcome::Refused(r) => OpOutcome::Rejected { code: r.code.into(), reason: r.message },
        }
    }
}
