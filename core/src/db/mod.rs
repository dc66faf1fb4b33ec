//! The phone's SQLite file: opening, migrations, small helpers.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::CoreResult;

/// Migrations, applied in order, each once, in one transaction with the version bump.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/0001_init.sql")),
    (2, include_str!("../../migrations/0002_public_reports.sql")),
];

/// Opens (creating) the store in WAL mode and migrates it.
pub fn open(path: &Path) -> CoreResult<Connection> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> CoreResult<()> {
    let tx = conn.transaction()?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")?;
    for (version, sql) in MIGRATIONS {
        let done: Option<i64> = tx
            .query_row("SELECT version FROM schema_migrations WHERE version = ?1", [version], |r| r.get(0))
            .optional()?;
        if done.is_none() {
            tx.execute_batch(sql)?;
            tx.execute("INSERT INTO schema_migrations (version) VALUES (?1)", [version])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Every key of the `meta` table, in one place (settings are `setting:<name>`, see `Setting`).
pub mod key {
    /// This phone's id, made on first start.
    pub const DEVICE_ID: &str = "device_id";
    /// The pull cursor: the last change applied.
    pub const CURSOR: &str = "cursor";
    pub const LAST_SUCCESS: &str = "last_success";
    pub const LAST_ERROR: &str = "last_error";
    /// Until when (Unix seconds) pushing waits for a daily quota.
    pub const PUSH_AFTER: &str = "push_after";
    /// The session: the short-lived access token, when it expires, and the refresh token (present =
    /// signed in), bound to the server that issued them.
    pub const ACCESS_TOKEN: &str = "access_token";
    pub const ACCESS_EXPIRES_AT: &str = "access_expires_at";
    pub const REFRESH_TOKEN: &str = "refresh_token";
    pub const SESSION_SERVER: &str = "session_server";
    /// The account the pulled data belongs to (its user id): another account's sign-in drops it.
    pub const ACCOUNT: &str = "account";
    /// Sessions this phone signed out of that the server has not yet been told about.
    pub const REVOCATIONS: &str = "revocations";
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn meta_get(conn: &Connection, key: &str) -> CoreResult<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> CoreResult<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub fn meta_delete(conn: &Connection, key: &str) -> CoreResult<()> {
    conn.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    Ok(())
}
