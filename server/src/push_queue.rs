//! Group commit for pushes.
//!
//! Each push request hands its prepared ops to one queue; a single task takes whatever has queued
//! up, applies it with one `push_batch` (one write transaction, one commit) and answers every
//! request with its own slice of the outcomes. One phone alone still gets its own commit at once;
//! thirty phones pushing together share commits instead of queueing for thirty. The store's
//! guarantees are unchanged: each op applies completely or not at all, and a failed commit fails
//! every request in it, whose phones then resend (duplicates are recognised).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;

use qala_protocol::OpOutcome;
use tokio::sync::{mpsc, oneshot};

use crate::error::{AppError, AppResult};
use crate::store::{PushItem, Store};

/// Most ops combined into one commit.
const MAX_OPS_PER_COMMIT: usize = 1000;

type Reply = oneshot::Sender<AppResult<Vec<OpOutcome>>>;

#[derive(Clone)]
pub struct PushQueue {
    tx: mpsc::Sender<(Vec<PushItem>, Reply)>,
}

impl PushQueue {
    /// Starts the writer task for `store`.
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(store, rx));
        PushQueue { tx }
    }

    /// Applies `items` (in order) and returns their outcomes.
    pub async fn submit(&self, items: Vec<PushItem>) -> AppResult<Vec<OpOutcome>> {
        if items.is_empty() {
            return Ok(vec![]);
        }
        let (reply, answer) = oneshot::channel();
        self.tx.send((items, reply)).await.map_err(|_| AppError::Internal("push writer stopped".into()))?;
        answer.await.map_err(|_| AppError::Internal("push writer dropped a request".into()))?
    }
}

async fn run(store: Arc<dyn Store>, mut rx: mpsc::Receiver<(Vec<PushItem>, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        let mut ops = group[0].0.len();
        while ops < MAX_OPS_PER_COMMIT {
            match rx.try_recv() {
                Ok(next) => {
                    ops += next.0.len();
                    group.push(next);
                }
                Err(_) => break,
            }
        }
        let mut sizes = Vec::with_capacity(group.len());
        let mut replies = Vec::with_capacity(group.len());
        let mut items = Vec::with_capacity(ops);
        for (batch, reply) in group {
            sizes.push(batch.len());
            replies.push(reply);
            items.extend(batch);
        }
        // A panic inside a rule must not take the writer (and every later push) down with it.
        let applied = AssertUnwindSafe(store.push_batch(items)).catch_unwind().await;
        let applied = match applied {
            Ok(done) => done.map_err(AppError::from),
            Err(_) => Err(AppError::Internal("a push panicked".into())),
        };
        match applied {
            Ok(outcomes) => {
                let mut rest = outcomes.into_iter();
                for (size, reply) in sizes.into_iter().zip(replies) {
                    let _ = reply.send(Ok(rest.by_ref().take(size).collect()));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, requests = replies.len(), "push commit failed");
                for reply in replies {
                    let _ = reply.send(Err(AppError::Internal(format!("push failed: {e}"))));
                }
            }
        }
    }
}
