// Helpers every SQL backend compiles: row codecs, the change-log writer, the op ledger, migrations.
// Included (not `mod`-ed) by each backend module, which provides `Db`, `Tx` and `Backend`.

use chrono::{DateTime, SecondsFormat, Utc};
use qala_protocol::{Entity, EntityKind, MediaKind, OpOutcome, Role};
use uuid::Uuid;

use super::{Db, Tx};
use crate::store::error::{StoreError, StoreResult};
use crate::store::OpKey;

/// Sortable text form of a time.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_ts(s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("bad stored time {s:?}: {e}")))
}

pub fn parse_uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("bad stored id {s:?}: {e}")))
}

pub fn parse_role(s: &str) -> StoreResult<Role> {
    Role::parse(s).ok_or_else(|| StoreError::Corrupt(format!("bad stored role {s:?}")))
}

pub fn parse_kind(s: &str) -> StoreResult<MediaKind> {
    MediaKind::parse(s).ok_or_else(|| StoreError::Corrupt(format!("bad stored media kind {s:?}")))
}

/// Brings the schema up to date with `migrator` (sqlx's, embedded by `sqlx::migrate!`; it records
/// what it applied in `_sqlx_migrations`, with checksums, and on PostgreSQL holds an advisory lock
/// while it works, so two instances starting at once do not both migrate).
///
/// A database made before Qala used sqlx's migrator kept its versions in `schema_migrations`,
/// always applied in order: those are adopted (recorded as applied, not run again), and the old
/// table goes. `legacy_exists` is the backend's query for whether that table is there. Adopting
/// twice (two instances at once, or a crash before the old table went) is harmless.
pub async fn migrate(
    pool: &sqlx::Pool<Db>,
    migrator: &sqlx::migrate::Migrator,
    legacy_exists: &'static str,
) -> StoreResult<()> {
    let legacy: i64 = sqlx::query_scalar(legacy_exists).fetch_one(pool).await?;
    if legacy > 0 {
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(pool).await?;
        let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some(applied) = applied {
            if applied > known {
                return Err(StoreError::Corrupt(format!(
                    "schema_migrations names version {applied}, past this server's {known}: a newer Qala's, or another program's"
                )));
            }
            migrator.skip(pool, Some(applied)).await?;
            tracing::info!(applied, "the schema's history moved to sqlx's migrator");
        }
        sqlx::query("DROP TABLE IF EXISTS schema_migrations").execute(pool).await?;
    }
    migrator.run(pool).await?;
    Ok(())
}

/// The bucket a change row goes to (see `qala_protocol::scope`).
#[derive(Clone, Copy, Debug)]
pub enum To<'a> {
    /// Everyone's: catalogue, news, projects, comments.
    City,
    /// One resident's own data.
    Owner(Uuid),
    /// The public copies of the reports filed under a district (`""`: outside every district).
    District(&'a str),
}

impl To<'_> {
    fn owner(self) -> Option<String> {
        match self {
            To::Owner(u) => Some(u.to_string()),
            _ => None,
        }
    }

    fn key(self) -> String {
        match self {
            To::City => "city".into(),
            To::Owner(u) => qala_protocol::scope::own_key(u),
            To::District(d) => qala_protocol::scope::district_key(d),
        }
    }
}

/// Appends a change row of the city's bucket in the caller's transaction.
pub async fn write_change(
    tx: &mut Tx,
    kind: EntityKind,
    id: &str,
    entity: Option<&Entity>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let payload = entity.map(serde_json::to_string).transpose()?;
    write_changes(tx, &[(kind, id, To::City, payload)], now).await
}

/// Most rows written by one multi-row statement (and ids in one `IN` list). A report's row has 14
/// parameters and a push at most 128 reports per chunk with at most 6 media each, so no statement
/// comes near the smallest limit of bound parameters (SQLite's 32,766; PostgreSQL's 65,535).
pub const ROWS_PER_STATEMENT: usize = 128;

/// A change row: what, which, to whom, the payload already serialised (`None`: a tombstone).
pub type ChangeRow<'a> = (EntityKind, &'a str, To<'a>, Option<String>);

/// Appends change rows made at `now`, in one statement, in order.
pub async fn write_changes(tx: &mut Tx, rows: &[ChangeRow<'_>], now: DateTime<Utc>) -> StoreResult<()> {
    let rows: Vec<(ChangeRow<'_>, DateTime<Utc>)> = rows.iter().map(|r| (r.clone(), now)).collect();
    write_changes_at(tx, &rows).await
}

/// Appends change rows, each with the time it was made, in one statement, in order.
pub async fn write_changes_at(tx: &mut Tx, rows: &[(ChangeRow<'_>, DateTime<Utc>)]) -> StoreResult<()> {
    let mut qb = sqlx::QueryBuilder::<Db>::new("INSERT INTO changes (kind, entity_id, owner, bucket, payload, at) ");
    qb.push_values(rows, |mut row, ((kind, id, to, payload), at)| {
        row.push_bind(kind.as_str())
            .push_bind(id.to_string())
            .push_bind(to.owner())
            .push_bind(to.key())
            .push_bind(payload.clone())
            .push_bind(ts(*at));
    });
    qb.build().execute(&mut **tx).await?;
    Ok(())
}

/// Has this op been applied? `Some(outcome)` when the ledger already knows it.
pub async fn op_seen(tx: &mut Tx, op: &OpKey) -> StoreResult<Option<OpOutcome>> {
    let user: Option<String> = sqlx::query_scalar("SELECT user_id FROM applied_ops WHERE op_id = $1")
        .bind(op.op_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(user.map(|u| ledger_outcome(&u, op)))
}

/// What a ledger entry by `user` means for `op`: a duplicate of one's own op, or someone else's id.
pub fn ledger_outcome(user: &str, op: &OpKey) -> OpOutcome {
    if user == op.user_id.to_string() {
        OpOutcome::Duplicate
    } else {
        OpOutcome::Rejected { code: "id_conflict".into(), reason: "this op id belongs to someone else".into() }
    }
}

pub async fn op_record(tx: &mut Tx, op: &OpKey, now: DateTime<Utc>) -> StoreResult<()> {
    op_records(tx, &[(op, now)]).await
}

/// Enters ops in the ledger, each with the time it was applied, in one statement (the caller
/// bounds how many).
pub async fn op_records(tx: &mut Tx, ops: &[(&OpKey, DateTime<Utc>)]) -> StoreResult<()> {
    if ops.is_empty() {
        return Ok(());
    }
    let mut qb = sqlx::QueryBuilder::<Db>::new("INSERT INTO applied_ops (op_id, user_id, kind, at) ");
    qb.push_values(ops, |mut b, (op, at)| {
        b.push_bind(op.op_id.to_string()).push_bind(op.user_id.to_string()).push_bind(op.kind).push_bind(ts(*at));
    });
    qb.build().execute(&mut **tx).await?;
    Ok(())
}

/// The refusal of a row that names an agency the catalogue does not have.
pub fn unknown_agency(code: &str) -> StoreError {
    StoreError::UnknownReference { field: "agency", message: format!("unknown agency {code}") }
}
