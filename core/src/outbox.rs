//! The outbox: every local change writes its op here in the same transaction as the change.

use chrono::Utc;
use qala_protocol::{EntityKind, Op, OpOutcome};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::db::ts;
use crate::entities::Kind;
use crate::error::CoreResult;

/// Which local object an op touches; pulled changes to it wait until the op is acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Touches<'a> {
    Report(&'a Uuid),
    Comment(&'a Uuid),
    /// My flag on someone's comment: it holds nothing back (the comment is not mine).
    Flag(&'a Uuid),
}

impl Touches<'_> {
    fn parts(&self) -> (&'static str, String) {
        match self {
            Touches::Report(id) => (EntityKind::Report.as_str(), id.to_string()),
            Touches::Comment(id) => (EntityKind::Comment.as_str(), id.to_string()),
            Touches::Flag(id) => (Kind::CommentFlag.as_str(), id.to_string()),
        }
    }
}

/// Queues `op` (call inside the transaction that makes the local change).
pub fn enqueue(conn: &Connection, op: &Op, touches: Touches<'_>) -> CoreResult<()> {
    let (kind, id) = touches.parts();
    conn.execute(
        "INSERT INTO outbox (op_id, entity_kind, entity_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![op.id.to_string(), kind, id, serde_json::to_string(op)?, ts(Utc::now())],
    )?;
    Ok(())
}

/// The oldest ops still to send (rejected ones are not resent), at most `limit`.
pub fn pending(conn: &Connection, limit: usize) -> CoreResult<Vec<Op>> {
    let mut stmt = conn.prepare("SELECT body FROM outbox WHERE rejected_code IS NULL ORDER BY seq LIMIT ?1")?;
    let rows = stmt.query_map([limit as i64], |r| r.get::<_, String>(0))?;
    let mut ops = Vec::new();
    for body in rows {
        ops.push(serde_json::from_str(&body?)?);
    }
    Ok(ops)
}

/// Records the server's answer for one op: acknowledged ops leave the outbox, rejected ones stay
/// with the reason. Returns the object the op touched, whose held-back server state may now apply.
pub fn settle(conn: &Connection, op_id: Uuid, outcome: &OpOutcome) -> CoreResult<Option<(String, String)>> {
    let touched: Option<(String, String)> = conn
        .query_row("SELECT entity_kind, entity_id FROM outbox WHERE op_id = ?1", [op_id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match outcome {
        OpOutcome::Applied | OpOutcome::Duplicate => {
            conn.execute("DELETE FROM outbox WHERE op_id = ?1", [op_id.to_string()])?;
        }
        OpOutcome::Rejected { code, reason } => {
            conn.execute(
                "UPDATE outbox SET rejected_code = ?1, rejected_reason = ?2 WHERE op_id = ?3",
                params![code, reason, op_id.to_string()],
            )?;
        }
    }
    Ok(touched)
}

/// Does this object still have ops waiting to be sent? (A rejected op no longer holds the object:
/// the server's state is the truth again.)
pub fn has_unsent(conn: &Connection, kind: &str, id: &str) -> CoreResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM outbox WHERE entity_kind = ?1 AND entity_id = ?2 AND rejected_code IS NULL LIMIT 1",
            params![kind, id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The rejection of the newest op for an object, if the server refused it.
pub fn rejection(conn: &Connection, kind: &str, id: &str) -> CoreResult<Option<(String, String)>> {
    Ok(conn
        .query_row(
            "SELECT rejected_code, rejected_reason FROM outbox WHERE entity_kind = ?1 AND entity_id = ?2
             AND rejected_code IS NOT NULL ORDER BY seq DESC LIMIT 1",
            params![kind, id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}
