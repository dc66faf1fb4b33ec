//! Local copies of objects: my own (reports, comments) and pulled ones (catalogue, news, projects,
//! others' comments, public reports). Applying a pulled change never overwrites an object that still
//! has unsent ops: the server's state waits beside it and takes over once the ops are acknowledged.

use qala_protocol::{Change, Entity, EntityKind};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::CoreResult;
use crate::{outbox, public};

/// What a row of the local `entities` table holds: an object the server sends (a kind of the
/// protocol), or one of the phone's own records. Every module names kinds through this type, so the
/// stored names are written once (`as_str`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Pulled(EntityKind),
    /// A report written on this phone and not yet registered (its `NewReport`).
    PendingReport,
    /// A comment written on this phone (a mark: its author is me).
    MyComment,
    /// A comment I flagged (a mark: once per comment).
    CommentFlag,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pulled(k) => k.as_str(),
            Kind::PendingReport => "pending_report",
            Kind::MyComment => "my_comment",
            Kind::CommentFlag => "comment_flag",
        }
    }
}

impl From<EntityKind> for Kind {
    fn from(k: EntityKind) -> Kind {
        Kind::Pulled(k)
    }
}

pub fn put<T: Serialize>(conn: &Connection, kind: impl Into<Kind>, id: &str, value: &T) -> CoreResult<()> {
    conn.execute(
        "INSERT INTO entities (kind, id, data) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
        params![kind.into().as_str(), id, serde_json::to_string(value)?],
    )?;
    Ok(())
}

pub fn get<T: DeserializeOwned>(conn: &Connection, kind: impl Into<Kind>, id: &str) -> CoreResult<Option<T>> {
    let kind = kind.into().as_str();
    let data: Option<String> = conn
        .query_row("SELECT data FROM entities WHERE kind = ?1 AND id = ?2", params![kind, id], |r| r.get(0))
        .optional()?;
    Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
}

pub fn all<T: DeserializeOwned>(conn: &Connection, kind: impl Into<Kind>) -> CoreResult<Vec<T>> {
    let mut stmt = conn.prepare("SELECT data FROM entities WHERE kind = ?1")?;
    let rows = stmt.query_map([kind.into().as_str()], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for d in rows {
        out.push(serde_json::from_str(&d?)?);
    }
    Ok(out)
}

/// The ids of every local object of `kind`.
pub fn ids(conn: &Connection, kind: impl Into<Kind>) -> CoreResult<Vec<String>> {
    let mut stmt = conn.prepare("SELECT id FROM entities WHERE kind = ?1")?;
    let rows = stmt.query_map([kind.into().as_str()], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn delete(conn: &Connection, kind: impl Into<Kind>, id: &str) -> CoreResult<()> {
    delete_stored(conn, kind.into().as_str(), id)
}

/// Keeps the server's state of an object beside the local one about to change optimistically: it
/// returns if the change is refused.
pub fn keep_server_copy(conn: &Connection, kind: impl Into<Kind>, id: &str) -> CoreResult<()> {
    conn.execute(
        "UPDATE entities SET server = COALESCE(server, data) WHERE kind = ?1 AND id = ?2",
        params![kind.into().as_str(), id],
    )?;
    Ok(())
}

/// Deletes by the kind's stored name (as the outbox keeps it).
fn delete_stored(conn: &Connection, kind: &str, id: &str) -> CoreResult<()> {
    conn.execute("DELETE FROM entities WHERE kind = ?1 AND id = ?2", params![kind, id])?;
    Ok(())
}

/// Applies one pulled change (call inside the transaction that also stores the cursor). Returns
/// what it did, for events.
pub fn apply(conn: &Connection, change: &Change) -> CoreResult<Applied> {
    if change.kind == EntityKind::PublicReport {
        // Nobody edits other residents' reports on a phone: nothing to guard.
        return match &change.entity {
            Some(Entity::PublicReport(r)) => {
                public::put(conn, r)?;
                Ok(Applied::Stored { before: None })
            }
            Some(_) => Err(crate::CoreError::Server {
                status: 200,
                code: "malformed_change".into(),
                message: format!("change {} is not a public report", change.seq),
            }),
            None => {
                public::delete(conn, &change.id)?;
                Ok(Applied::Deleted)
            }
        };
    }
    let kind = change.kind.as_str();
    let id = change.id.as_str();
    let guarded = matches!(change.kind, EntityKind::Report | EntityKind::Comment);
    let local_exists = conn
        .query_row("SELECT 1 FROM entities WHERE kind = ?1 AND id = ?2", params![kind, id], |_| Ok(()))
        .optional()?
        .is_some();
    if guarded && local_exists && outbox::has_unsent(conn, kind, id)? {
        let server = change.entity.as_ref().map(data_of).transpose()?;
        conn.execute(
            "UPDATE entities SET server = ?3 WHERE kind = ?1 AND id = ?2",
            params![kind, id, server.unwrap_or_default()],
        )?;
        return Ok(Applied::Deferred);
    }
    match &change.entity {
        Some(entity) => {
            let data = data_of(entity)?;
            let before: Option<String> = conn
                .query_row("SELECT data FROM entities WHERE kind = ?1 AND id = ?2", params![kind, id], |r| r.get(0))
                .optional()?;
            conn.execute(
                "INSERT INTO entities (kind, id, data, server) VALUES (?1, ?2, ?3, NULL)
                 ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, server = NULL",
                params![kind, id, data],
            )?;
            if change.kind == EntityKind::Report {
                // My report is registered now: the local pending copy has done its job.
                delete(conn, Kind::PendingReport, id)?;
            }
            Ok(Applied::Stored { before })
        }
        None => {
            delete(conn, change.kind, id)?;
            Ok(Applied::Deleted)
        }
    }
}

/// Drops every pulled object that has no unsent op, so the next pull from cursor 0 brings the
/// server's state back whole. Only the kinds the server sends are touched: what exists only on this
/// phone (reports not yet registered, the marks of which comments are mine and which I flagged)
/// cannot come back by pulling, so it stays. With `with_catalog` false the catalogue stays too (a
/// phone leaving one server keeps capture working until the next server's catalogue arrives).
pub fn forget_pulled(conn: &Connection, with_catalog: bool) -> CoreResult<usize> {
    let mut dropped = public::forget(conn)?;
    let catalog = [EntityKind::Agency, EntityKind::Category];
    let kept = |k: &EntityKind| *k == EntityKind::PublicReport || (!with_catalog && catalog.contains(k));
    for kind in EntityKind::ALL.into_iter().filter(|k| !kept(k)) {
        dropped += conn.execute(
            "DELETE FROM entities WHERE kind = ?1 AND NOT EXISTS (SELECT 1 FROM outbox o
               WHERE o.entity_kind = entities.kind AND o.entity_id = entities.id)",
            [kind.as_str()],
        )?;
    }
    Ok(dropped)
}

/// When a local object's ops are all acknowledged, the server's state waiting beside it wins.
/// `kind` is the stored name the outbox names it by.
pub fn release(conn: &Connection, kind: &str, id: &str) -> CoreResult<()> {
    if outbox::has_unsent(conn, kind, id)? {
        return Ok(());
    }
    let server: Option<Option<String>> = conn
        .query_row("SELECT server FROM entities WHERE kind = ?1 AND id = ?2", params![kind, id], |r| r.get(0))
        .optional()?;
    match server.flatten() {
        Some(s) if s.is_empty() => delete_stored(conn, kind, id)?,
        Some(s) => {
            conn.execute(
                "UPDATE entities SET data = ?3, server = NULL WHERE kind = ?1 AND id = ?2",
                params![kind, id, s],
            )?;
        }
        None => {}
    }
    Ok(())
}

/// The JSON of the object inside an entity (the table keeps kind and id apart).
fn data_of(entity: &Entity) -> CoreResult<String> {
    Ok(match entity {
        Entity::Agency(v) => serde_json::to_string(v)?,
        Entity::Category(v) => serde_json::to_string(v)?,
        Entity::News(v) => serde_json::to_string(v)?,
        Entity::Project(v) => serde_json::to_string(v)?,
        Entity::Comment(v) => serde_json::to_string(v)?,
        Entity::Report(v) => serde_json::to_string(v)?,
        Entity::PublicReport(v) => serde_json::to_string(v)?,
    })
}

/// What applying a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Stored; `before` is the previous local data, if any.
    Stored {
        before: Option<String>,
    },
    Deleted,
    /// Held back because the local object has unsent ops.
    Deferred,
}
