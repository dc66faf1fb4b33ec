//! Things a resident does to existing objects — comment, rate, complain, withdraw — each queued in
//! the outbox like a report, in one transaction with its local effect.

use chrono::Utc;
use qala_protocol::{
    Comment, EntityKind, FlagComment, NewComment, NewComplaint, NewRating, Op, OpBody, Position, Rating, Report,
    WithdrawReport,
};
use uuid::Uuid;

use crate::Core;
use crate::entities::{self, Kind};
use crate::error::{CoreError, CoreResult};
use crate::outbox::{self, Touches};

/// The author name shown on my own comments until the server's copy (with my pseudonym) arrives.
pub const ME: &str = "me";

impl Core {
    /// Comments on a project (or answers a comment), offline or not.
    pub fn comment(&self, project: Uuid, parent: Option<Uuid>, body: &str, position: Position) -> CoreResult<Uuid> {
        let c = NewComment {
            id: Uuid::now_v7(),
            project_id: project,
            parent_id: parent,
            body: body.trim().to_string(),
            position,
            created_at: Utc::now(),
        };
        c.validate()?;
        let local = Comment {
            id: c.id,
            project_id: c.project_id,
            parent_id: c.parent_id,
            author: ME.into(),
            body: c.body.clone(),
            position,
            created_at: c.created_at,
        };
        let op = Op { id: Uuid::now_v7(), op: OpBody::Comment(c.clone()) };
        let mut conn = self.db();
        let tx = conn.transaction()?;
        entities::put(&tx, EntityKind::Comment, &c.id.to_string(), &local)?;
        // The server's copy carries my pseudonym, not "me": remember which comments are mine.
        entities::put(&tx, Kind::MyComment, &c.id.to_string(), &true)?;
        outbox::enqueue(&tx, &op, Touches::Comment(&c.id))?;
        tx.commit()?;
        Ok(c.id)
    }

    /// Flags someone's comment for the moderators (abuse, spam, personal data), offline or not.
    /// Remembered here so the screen shows it as flagged; flagging again does nothing.
    pub fn flag_comment(&self, comment: Uuid, reason: Option<&str>) -> CoreResult<()> {
        let f =
            FlagComment { comment_id: comment, reason: reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()) };
        f.validate()?;
        let mut conn = self.db();
        let tx = conn.transaction()?;
        let c: Comment =
            entities::get(&tx, EntityKind::Comment, &comment.to_string())?.ok_or(CoreError::NotFound("comment"))?;
        if c.author == ME || entities::get::<bool>(&tx, Kind::MyComment, &comment.to_string())?.is_some() {
            return Err(qala_protocol::FieldError::new("comment", "you cannot flag your own comment").into());
        }
        if entities::get::<bool>(&tx, Kind::CommentFlag, &comment.to_string())?.is_some() {
            return Ok(());
        }
        entities::put(&tx, Kind::CommentFlag, &comment.to_string(), &true)?;
        let op = Op { id: Uuid::now_v7(), op: OpBody::FlagComment(f) };
        outbox::enqueue(&tx, &op, Touches::Flag(&comment))?;
        tx.commit()?;
        Ok(())
    }

    /// Comments I have flagged.
    pub fn my_flags(&self) -> CoreResult<std::collections::HashSet<Uuid>> {
        self.marked(Kind::CommentFlag)
    }

    /// Comments written on this phone.
    pub fn my_comments(&self) -> CoreResult<std::collections::HashSet<Uuid>> {
        self.marked(Kind::MyComment)
    }

    fn marked(&self, kind: Kind) -> CoreResult<std::collections::HashSet<Uuid>> {
        Ok(entities::ids(&self.db(), kind)?.into_iter().filter_map(|id| Uuid::parse_str(&id).ok()).collect())
    }

    /// Rates the answer to one of my reports (1–5; the server reopens on 1–2).
    pub fn rate(&self, report: Uuid, stars: u8, comment: Option<&str>) -> CoreResult<()> {
        let r = NewRating { report_id: report, stars, comment: comment.map(str::to_string) };
        r.validate()?;
        // The same rule the server applies, shown at once: 1–2 reopens, 3–5 closes.
        self.queue_on_report(report, OpBody::Rate(r), |rep| {
            rep.rating = Some(Rating { stars, comment: comment.map(str::to_string), at: Utc::now() });
            rep.status =
                if stars <= 2 { qala_protocol::ReportStatus::Reopened } else { qala_protocol::ReportStatus::Closed };
        })
    }

    /// Objects to an answer or a rejection of one of my reports.
    pub fn complain(&self, report: Uuid, text: &str) -> CoreResult<()> {
        let c = NewComplaint { report_id: report, text: text.trim().to_string() };
        c.validate()?;
        self.queue_on_report(report, OpBody::Complain(c), |rep| rep.status = qala_protocol::ReportStatus::Reopened)
    }

    pub fn withdraw(&self, report: Uuid, reason: Option<&str>) -> CoreResult<()> {
        let w = WithdrawReport { report_id: report, reason: reason.map(str::to_string) };
        w.validate()?;
        self.queue_on_report(report, OpBody::WithdrawReport(w), |rep| {
            rep.status = qala_protocol::ReportStatus::Withdrawn
        })
    }

    /// Queues an op on a registered report and applies its visible local effect.
    fn queue_on_report(&self, report: Uuid, body: OpBody, local: impl FnOnce(&mut Report)) -> CoreResult<()> {
        let op = Op { id: Uuid::now_v7(), op: body };
        let mut conn = self.db();
        let tx = conn.transaction()?;
        let id = report.to_string();
        let mut rep: Report =
            entities::get(&tx, EntityKind::Report, &id)?.ok_or(CoreError::NotFound("registered report"))?;
        // Keep the server's state beside the optimistic one: it returns if the op is refused.
        entities::keep_server_copy(&tx, EntityKind::Report, &id)?;
        local(&mut rep);
        entities::put(&tx, EntityKind::Report, &id, &rep)?;
        outbox::enqueue(&tx, &op, Touches::Report(&report))?;
        tx.commit()?;
        Ok(())
    }
}
