// A whole push in one write transaction.

use async_trait::async_trait;
use qala_protocol::OpOutcome;

use super::{Backend, Tx};
use super::civic::{comment_in, flag_in};
use super::reports::{Registration, create_in, create_many_in, mutate_in};
use crate::store::error::StoreResult;
use crate::store::{PushItem, PushLedger};

#[async_trait]
impl PushLedger for Backend {
    /// Every op writes either all of its rows or none (a rejected or duplicate op writes nothing),
    /// so ops stay independent of each other inside the shared transaction; a database error aborts
    /// the batch and the phone sends it again. One commit per push instead of one per op is what
    /// makes a batch of 100 cheap.
    async fn push_batch(&self, items: Vec<PushItem>) -> StoreResult<Vec<OpOutcome>> {
        let mut tx = self.begin().await?;
        let mut outcomes = Vec::with_capacity(items.len());
        // Consecutive new reports (what a busy push group mostly is) are registered together.
        let mut run: Vec<Registration> = Vec::new();
        for item in items {
            let item = match item {
                PushItem::CreateReport { op, owner, report, prefix, quota } => {
                    run.push(Registration { op, owner, report: *report, prefix, quota });
                    continue;
                }
                other => other,
            };
            if !run.is_empty() {
                outcomes.extend(create_many_in(&mut tx, std::mem::take(&mut run)).await?);
            }
            outcomes.push(apply_in(&mut tx, item).await?);
        }
        if !run.is_empty() {
            outcomes.extend(create_many_in(&mut tx, run).await?);
        }
        tx.commit().await?;
        Ok(outcomes)
    }
}

/// Applies one op of a push in the caller's transaction. (`push_batch` gathers new reports into
/// runs for [`create_many_in`]; a report alone is still one op like the others.)
async fn apply_in(tx: &mut Tx, item: PushItem) -> StoreResult<OpOutcome> {
    Ok(match item {
        PushItem::CreateReport { op, owner, report, prefix, quota } => {
            create_in(tx, &op, owner, *report, &prefix, quota.as_ref()).await?
        }
        PushItem::Mutate { op, report_id, rule } => {
            mutate_in(tx, Some(&op), report_id, rule.as_ref()).await?.into_op_outcome()
        }
        PushItem::Comment { op, author, comment, now, quota } => {
            comment_in(tx, &op, &author, &comment, now, quota.as_ref()).await?
        }
        PushItem::FlagComment { op, flag, now } => {
            flag_in(tx, &op, &flag, qala_protocol::COMMENT_FLAGS_TO_HIDE, now).await?
        }
        PushItem::Decided(outcome) => outcome,
    })
}
