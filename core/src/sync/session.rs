//! The resident's session on this phone: the tokens, signing out, and leaving a server for another.
//!
//! Signing out must end the session on the server too: the refresh token lives 60 days, and a copy
//! of the phone's data (a backup, a lost phone) would otherwise keep a working session. The phone
//! forgets its tokens at once and queues the revocation; every sync cycle tries the queue first, so
//! a sign-out done offline reaches the server when the network returns. A queued revocation names
//! its server, so it still goes to the old server after the resident switched to another.
//!
//! The tokens are bound to the server that issued them (`session_server`): an engine for another
//! address (the resident switched in Settings, `QALA_SERVER` changed) never sends them; it queues
//! their revocation at their own server and counts as signed out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use qala_protocol::Session;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::api::{Api, NOT_QALA};
use super::engine::SyncEngine;
use crate::error::{CoreError, CoreResult};
use crate::{db, entities};

use crate::db::key::{ACCESS_EXPIRES_AT, ACCESS_TOKEN, REFRESH_TOKEN, REVOCATIONS, SESSION_SERVER};
/// Revocations kept at most; the oldest go first (a phone signing out and in over and over while
/// offline must not grow this without end; a forgotten one still expires on the server).
const MAX_REVOCATIONS: usize = 8;
/// A revocation older than a refresh token's life has nothing left to end.
const REVOCATION_KEEP_DAYS: i64 = 60;
/// A revocation is a courtesy to a server that may be gone for good: it must not hold up a sync.
const REVOCATION_CONNECT: Duration = Duration::from_secs(5);
const REVOCATION_TIMEOUT: Duration = Duration::from_secs(10);

/// A session to end on a server.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Revocation {
    server: String,
    refresh_token: String,
    queued_at: DateTime<Utc>,
}

/// The session as stored on the phone.
pub(super) struct StoredTokens {
    pub access: Option<String>,
    pub expires: Option<DateTime<Utc>>,
    pub refresh: Option<String>,
}

/// The session for `server`; empty when the stored one belongs to another server.
pub(super) fn stored_tokens(conn: &Connection, server: &str) -> CoreResult<StoredTokens> {
    if db::meta_get(conn, SESSION_SERVER)?.is_some_and(|s| s != server) {
        return Ok(StoredTokens { access: None, expires: None, refresh: None });
    }
    Ok(StoredTokens {
        access: db::meta_get(conn, ACCESS_TOKEN)?,
        expires: db::meta_get(conn, ACCESS_EXPIRES_AT)?.and_then(|s| s.parse::<DateTime<Utc>>().ok()),
        refresh: db::meta_get(conn, REFRESH_TOKEN)?,
    })
}

/// A session from before tokens were bound to their server (an earlier version of the app) belongs
/// to the server the app was using then: call before the address changes (`QALA_SERVER`).
pub fn adopt_unbound_session(core: &crate::Core, server: &str) -> CoreResult<()> {
    let conn = core.db();
    if db::meta_get(&conn, REFRESH_TOKEN)?.is_some() && db::meta_get(&conn, SESSION_SERVER)?.is_none() {
        db::meta_set(&conn, SESSION_SERVER, server)?;
    }
    Ok(())
}

/// Forgets the session if it is still the one `refresh` belongs to (the server refused it), in one
/// transaction with the check, so a sign-in that landed meanwhile stays.
pub(super) fn forget_if_current(core: &crate::Core, server: &str, refresh: &str) -> CoreResult<()> {
    let mut conn = core.db();
    let tx = conn.transaction()?;
    if stored_tokens(&tx, server)?.refresh.as_deref() == Some(refresh) {
        forget_tokens(&tx)?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn keep_session(conn: &Connection, server: &str, s: &Session) -> CoreResult<()> {
    let account = s.user_id.to_string();
    if db::meta_get(conn, db::key::ACCOUNT)?.is_some_and(|previous| previous != account) {
        // Another account on this phone: the last one's reports and its place in the log go (what
        // still waits to be sent stays, as after a sign-out).
        entities::forget_pulled(conn, false)?;
        db::meta_delete(conn, db::key::CURSOR)?;
    }
    db::meta_set(conn, db::key::ACCOUNT, &account)?;
    db::meta_set(conn, SESSION_SERVER, server)?;
    db::meta_set(conn, ACCESS_TOKEN, &s.access_token)?;
    db::meta_set(conn, ACCESS_EXPIRES_AT, &db::ts(s.access_expires_at))?;
    db::meta_set(conn, REFRESH_TOKEN, &s.refresh_token)?;
    Ok(())
}

/// Forgets the tokens without telling anyone (the server already refused them).
pub(super) fn forget_tokens(conn: &Connection) -> CoreResult<()> {
    for k in [ACCESS_TOKEN, ACCESS_EXPIRES_AT, REFRESH_TOKEN, SESSION_SERVER] {
        db::meta_delete(conn, k)?;
    }
    Ok(())
}

fn revocations(conn: &Connection) -> CoreResult<Vec<Revocation>> {
    // A value this code did not write is dropped rather than trusted.
    Ok(db::meta_get(conn, REVOCATIONS)?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
}

fn set_revocations(conn: &Connection, list: &[Revocation]) -> CoreResult<()> {
    if list.is_empty() {
        db::meta_delete(conn, REVOCATIONS)
    } else {
        db::meta_set(conn, REVOCATIONS, &serde_json::to_string(list)?)
    }
}

impl SyncEngine {
    /// Stores a session this engine's server just issued for the refresh token `used`, unless the
    /// phone signed out (or in again) while the refresh was on the way: then the new session is
    /// nobody's, and its revocation is queued. Returns whether it was kept.
    pub(super) fn keep_refreshed(&self, used: &str, s: &Session) -> CoreResult<bool> {
        let mut conn = self.core.db();
        let tx = conn.transaction()?;
        let current = stored_tokens(&tx, self.api.server())?.refresh;
        let kept = current.as_deref() == Some(used);
        if kept {
            keep_session(&tx, self.api.server(), s)?;
        } else {
            queue(&tx, self.api.server(), s.refresh_token.clone())?;
        }
        tx.commit()?;
        Ok(kept)
    }

    /// Keeps a new sign-in's session. A session it replaces (signing in again without signing out)
    /// is revoked, not left alive on the server for 60 days.
    pub(super) fn replace_session(&self, s: &Session) -> CoreResult<()> {
        let mut conn = self.core.db();
        let tx = conn.transaction()?;
        if db::meta_get(&tx, REFRESH_TOKEN)?.is_some_and(|old| old != s.refresh_token) {
            self.queue_revocation(&tx)?;
        }
        keep_session(&tx, self.api.server(), s)?;
        tx.commit()?;
        Ok(())
    }

    /// Tokens of another server (the address changed under them) are never sent to this one:
    /// their revocation is queued for their own server and they are forgotten here.
    pub(super) fn retire_foreign_session(&self) -> CoreResult<()> {
        let mut conn = self.core.db();
        let bound = db::meta_get(&conn, SESSION_SERVER)?;
        if bound.as_deref().is_none_or(|s| s == self.api.server()) {
            return Ok(());
        }
        let tx = conn.transaction()?;
        self.queue_revocation(&tx)?;
        forget_tokens(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Signs out: the tokens are forgotten at once and the session's revocation is queued for this
    /// engine's server (sent by the next cycle; nudge the engine to send it now). Local data stays:
    /// the outbox waits for the next sign-in.
    pub fn sign_out(&self) -> CoreResult<()> {
        let mut conn = self.core.db();
        let tx = conn.transaction()?;
        self.queue_revocation(&tx)?;
        forget_tokens(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Before the app talks to another server. This server's session ends as with [`sign_out`],
    /// and nothing bound to this server is kept for the next: the pulled objects and the cursor
    /// (the next server has its own history), the addresses of unfinished uploads (they would
    /// send the file, and the token, to the old server) and a quota wait. The outbox stays: its ops
    /// carry their own ids and go to the server the resident signs in to next; the screen warns
    /// before switching when it is not empty ([`Core::unsent_count`]).
    ///
    /// [`sign_out`]: SyncEngine::sign_out
    /// [`Core::unsent_count`]: crate::Core::unsent_count
    pub fn leave_server(&self) -> CoreResult<()> {
        let mut conn = self.core.db();
        let tx = conn.transaction()?;
        self.queue_revocation(&tx)?;
        forget_tokens(&tx)?;
        entities::forget_pulled(&tx, false)?;
        for k in [db::key::CURSOR, db::key::PUSH_AFTER, db::key::LAST_SUCCESS, db::key::LAST_ERROR] {
            db::meta_delete(&tx, k)?;
        }
        crate::media::files::forget_uploads(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Queues the revocation of the stored session at the server that issued it.
    fn queue_revocation(&self, conn: &Connection) -> CoreResult<()> {
        let Some(refresh_token) = db::meta_get(conn, REFRESH_TOKEN)? else { return Ok(()) };
        let server = db::meta_get(conn, SESSION_SERVER)?.unwrap_or_else(|| self.api.server().to_string());
        queue(conn, &server, refresh_token)
    }

    /// Sends the queued revocations, all at once and each with a short timeout; those the network
    /// kept from their server stay for the next cycle. Returns how many are still queued.
    pub async fn revoke_pending(&self) -> CoreResult<usize> {
        // One sender at a time: two would rotate the same refresh token against each other.
        let _one = self.revoking.lock().await;
        let queued = revocations(&self.core.db())?;
        if queued.is_empty() {
            return Ok(0);
        }
        let done = futures_util::future::join_all(queued.iter().map(|r| self.revoke(r))).await;
        let conn = self.core.db();
        let mut list = revocations(&conn)?;
        // An entry is known by its token (which `revoke` may have rotated and stored meanwhile).
        list.retain(|x| !done.iter().flatten().any(|token| *token == x.refresh_token));
        let expired = Utc::now() - chrono::Duration::days(REVOCATION_KEEP_DAYS);
        list.retain(|r| r.queued_at > expired);
        set_revocations(&conn, &list)?;
        Ok(list.len())
    }

    /// Ends one session. The server ends a session by its access token, which the phone no longer
    /// holds: the refresh token buys a fresh one (rotating the refresh token, which is kept in
    /// case the second call fails), and that one signs out. Only Qala's own refusal counts as
    /// "already over": a captive portal's or a proxy's error page says nothing about the session.
    ///
    /// Returns the token of the entry when the session is over, `None` when it must be tried again.
    /// A rotated token is stored before the second call, so an interruption between the two (the
    /// network, the app being closed) leaves the live token queued, not the dead one.
    async fn revoke(&self, r: &Revocation) -> Option<String> {
        let api = Api::with_timeouts(&r.server, REVOCATION_CONNECT, REVOCATION_TIMEOUT);
        let session = match api.refresh(&r.refresh_token, self.core.device_id()).await {
            Ok(s) => s,
            Err(CoreError::SignedOut) => return Some(r.refresh_token.clone()),
            Err(CoreError::Server { status, code, .. })
                if (400..500).contains(&status) && ![408, 429].contains(&status) && code != NOT_QALA =>
            {
                return Some(r.refresh_token.clone());
            }
            Err(e) => {
                tracing::info!(server = %r.server, error = %e, "sign-out not yet sent to the server");
                return None;
            }
        };
        if let Err(e) = self.rotated(&r.refresh_token, &session.refresh_token) {
            tracing::warn!(error = %e, "a rotated token could not be stored");
        }
        match api.logout(&session.access_token).await {
            Ok(()) | Err(CoreError::SignedOut) => Some(session.refresh_token),
            Err(e) => {
                tracing::info!(server = %r.server, error = %e, "sign-out not yet sent to the server");
                None
            }
        }
    }

    /// A queued session's refresh token was rotated: the queue holds the new one, for a full life.
    fn rotated(&self, old: &str, new: &str) -> CoreResult<()> {
        let conn = self.core.db();
        let mut list = revocations(&conn)?;
        for r in list.iter_mut().filter(|r| r.refresh_token == old) {
            r.refresh_token = new.to_string();
            r.queued_at = Utc::now();
        }
        set_revocations(&conn, &list)
    }
}

/// Adds a revocation, keeping the newest [`MAX_REVOCATIONS`].
fn queue(conn: &Connection, server: &str, refresh_token: String) -> CoreResult<()> {
    let mut list = revocations(conn)?;
    list.push(Revocation { server: server.to_string(), refresh_token, queued_at: Utc::now() });
    let excess = list.len().saturating_sub(MAX_REVOCATIONS);
    list.drain(..excess);
    set_revocations(conn, &list)
}
