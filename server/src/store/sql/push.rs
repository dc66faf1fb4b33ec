// A whole push in one write transaction.

use async_trait::async_trait;
use qala_protocol::OpOutcome;

use super::Backend;
use super::civic::{comment_in, flag_in};
use super::reports::{create_in, mutate_in};
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
        for item in items {
            let outcome = match item {
                PushItem::CreateReport { op, owner, report, prefix, quota } => {
                    create_in(&mut tx, &op, owner, *report, &prefix, quota.as_ref()).await?
                }
                PushItem::Mutate { op, report_id, rule } => {
                    mutate_in(&mut tx, Some(&op), report_id, rule.as_ref()).await?.into_op_outcome()
                }
                PushItem::Comment { op, author, comment, now, quota } => {
                    comment_in(&mut tx, &op, &author, &comment, now, quota.as_ref()).await?
                }
                PushItem::FlagComment { op, flag, now } => {
                    flag_in(&mut tx, &op, &flag, qala_protocol::COMMENT_FLAGS_TO_HIDE, now).await?
                }
                PushItem::Decided(outcome) => outcome,
            };
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok(outcomes)
    }
}
