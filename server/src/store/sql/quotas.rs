// Daily quotas: one counter per account, local day and kind, charged in the transaction of the
// write it counts.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::NaiveDate;
use uuid::Uuid;

use sqlx::QueryBuilder;

use super::{Backend, Db, Tx};
use crate::domain::quota::{Charge, QuotaKind};
use crate::store::error::StoreResult;
use crate::store::QuotaLedger;

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Adds `c.amount` to the account's counter for `c.day` unless that would pass `c.limit`: true
/// when charged, false (and nothing written) when over. The check and the increment are one
/// statement on one row found by its key, so the cost does not depend on the account's history,
/// and no other write can come between them (writers are serialised, see the backends). Call it
/// after every other reason to refuse the write: the counter stays only if the write does.
pub(super) async fn charge_in(tx: &mut Tx, c: &Charge) -> StoreResult<bool> {
    Ok(!charge_many_in(tx, std::slice::from_ref(c)).await?.is_empty())
}

/// [`charge_in`] for many counters at once, each key (account, kind, day) at most once: one
/// statement per distinct limit. Returns the keys charged; a key over its limit is left unwritten.
pub(super) async fn charge_many_in(tx: &mut Tx, charges: &[Charge]) -> StoreResult<Vec<(Uuid, QuotaKind, NaiveDate)>> {
    let key = |c: &Charge| (c.user_id, c.kind, c.day);
    // PostgreSQL refuses a statement that updates one row twice, SQLite would add twice: the
    // caller sums an account's charges first.
    debug_assert_eq!(charges.iter().map(key).collect::<HashSet<_>>().len(), charges.len(), "one charge per key");
    // A new counter row is inserted without the limit's check: refuse what cannot fit up front.
    let fits: Vec<&Charge> = charges.iter().filter(|c| c.amount <= c.limit).collect();
    let mut limits: Vec<u64> = fits.iter().map(|c| c.limit).collect();
    limits.sort_unstable();
    limits.dedup();
    let mut charged = Vec::with_capacity(fits.len());
    for limit in limits {
        let group: Vec<&&Charge> = fits.iter().filter(|c| c.limit == limit).collect();
        for chunk in group.chunks(super::ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::<Db>::new("INSERT INTO quota_usage (day, user_id, kind, used) ");
            qb.push_values(chunk, |mut b, c| {
                b.push_bind(c.day.to_string()).push_bind(c.user_id.to_string()).push_bind(c.kind.as_str()).push_bind(to_i64(c.amount));
            });
            qb.push(
                " ON CONFLICT (day, user_id, kind) DO UPDATE SET used = quota_usage.used + excluded.used
                  WHERE quota_usage.used + excluded.used <= ",
            )
            .push_bind(to_i64(limit))
            .push(" RETURNING day, user_id, kind");
            let rows: HashSet<(String, String, String)> =
                qb.build_query_as().fetch_all(&mut **tx).await?.into_iter().collect();
            for c in chunk {
                if rows.contains(&(c.day.to_string(), c.user_id.to_string(), c.kind.as_str().to_string())) {
                    charged.push(key(c));
                }
            }
        }
    }
    Ok(charged)
}

#[async_trait]
impl QuotaLedger for Backend {
    async fn quota_used(&self, user: Uuid, kind: QuotaKind, day: NaiveDate) -> StoreResult<u64> {
        let used: Option<i64> =
            sqlx::query_scalar("SELECT used FROM quota_usage WHERE day = $1 AND user_id = $2 AND kind = $3")
                .bind(day.to_string())
                .bind(user.to_string())
                .bind(kind.as_str())
                .fetch_optional(&self.read)
                .await?;
        Ok(used.unwrap_or(0).max(0) as u64)
    }

    async fn quota_prune(&self, before: NaiveDate) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let done =
            sqlx::query("DELETE FROM quota_usage WHERE day < $1").bind(before.to_string()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}
