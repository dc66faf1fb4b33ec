//! The sync envelopes: push of what the phone wrote, pull of what changed.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Agency, Category, Comment, FlagComment, NewComment, NewComplaint, NewRating, NewReport, NewsItem, Project,
    PublicReport, Report, WithdrawReport,
};

/// Most ops one push may carry.
pub const PUSH_MAX_OPS: usize = 100;
/// Default and largest page of a pull.
pub const PULL_DEFAULT_LIMIT: u32 = 200;
pub const PULL_MAX_LIMIT: u32 = 1000;

/// One operation the phone wrote into its outbox. `id` is a UUIDv7 made on the phone and is the
/// idempotency key: the server applies an op id at most once.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Op {
    pub id: Uuid,
    pub op: OpBody,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum OpBody {
    CreateReport(NewReport),
    WithdrawReport(WithdrawReport),
    Comment(NewComment),
    Rate(NewRating),
    Complain(NewComplaint),
    FlagComment(FlagComment),
}

impl OpBody {
    pub fn kind(&self) -> &'static str {
        match self {
            OpBody::CreateReport(_) => "create_report",
            OpBody::WithdrawReport(_) => "withdraw_report",
            OpBody::Comment(_) => "comment",
            OpBody::Rate(_) => "rate",
            OpBody::Complain(_) => "complain",
            OpBody::FlagComment(_) => "flag_comment",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    /// At most 100 ops, applied in order, each in its own transaction.
    pub ops: Vec<Op>,
}

/// The rejection code of an op refused by a daily quota: the one rejection worth sending again
/// (after the push response's `retry_after_s`).
pub const QUOTA_EXCEEDED: &str = "quota_exceeded";

/// What happened to one op.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpOutcome {
    /// Applied now.
    Applied,
    /// Applied earlier (same op id, or the same object already exists): nothing changed now.
    Duplicate,
    /// Refused; the phone keeps the op and shows the reason. Resending will not help — except for
    /// code `quota_exceeded`, which may be sent again after the response's `retry_after_s`.
    Rejected { code: String, reason: String },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpResult {
    pub id: Uuid,
    #[serde(flatten)]
    pub outcome: OpOutcome,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One result per op, in the order sent.
    pub results: Vec<OpResult>,
    /// When some op was refused by a daily quota (`quota_exceeded`): seconds until the quotas
    /// free up (they all do at local midnight, so one wait serves every such op), after which
    /// those ops may be sent again. Absent otherwise; older clients ignore it. It is not a field
    /// of `Rejected`, so that code matching `Rejected { code, reason }` keeps compiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
}

/// Kinds of objects that travel in the change log.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Agency,
    Category,
    News,
    Project,
    Comment,
    /// One of my reports, complete.
    Report,
    /// Anyone's report, without personal data (for "same problem nearby?").
    PublicReport,
}

impl EntityKind {
    /// Every kind, in the order a first pull brings them.
    pub const ALL: [EntityKind; 7] = [
        EntityKind::Agency,
        EntityKind::Category,
        EntityKind::News,
        EntityKind::Project,
        EntityKind::Comment,
        EntityKind::Report,
        EntityKind::PublicReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Agency => "agency",
            EntityKind::Category => "category",
            EntityKind::News => "news",
            EntityKind::Project => "project",
            EntityKind::Comment => "comment",
            EntityKind::Report => "report",
            EntityKind::PublicReport => "public_report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The full current state of one object.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Agency(Agency),
    Category(Category),
    News(NewsItem),
    Project(Project),
    Comment(Comment),
    Report(Box<Report>),
    PublicReport(PublicReport),
}

impl Entity {
    pub fn kind(&self) -> EntityKind {
        match self {
            Entity::Agency(_) => EntityKind::Agency,
            Entity::Category(_) => EntityKind::Category,
            Entity::News(_) => EntityKind::News,
            Entity::Project(_) => EntityKind::Project,
            Entity::Comment(_) => EntityKind::Comment,
            Entity::Report(_) => EntityKind::Report,
            Entity::PublicReport(_) => EntityKind::PublicReport,
        }
    }
}

/// One row of the change log. `entity` is the object's complete state after the change; `None` is a
/// tombstone: delete the object with this kind and id.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub seq: i64,
    pub kind: EntityKind,
    pub id: String,
    #[serde(default)]
    pub entity: Option<Entity>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass this as `cursor` next time (with the same `districts`). Store it in the same transaction
    /// as the applied changes. It is opaque to the phone: the server's position in each part of the
    /// phone's scope (see `scope` and the README, "Pull (scoped)").
    pub next_cursor: String,
    /// More changes wait after `next_cursor`: pull again at once.
    pub has_more: bool,
}
