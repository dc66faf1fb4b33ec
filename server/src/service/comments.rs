//! Moderation of residents' comments on projects: hiding breaks nothing (the comment stays, with
//! its reason), and a moderator's decision stops flags from hiding it again.

use qala_protocol::ModerationItem;
use uuid::Uuid;

use super::access::Admin;
use super::{ServiceError, ServiceResult};
use crate::app::AppState;

/// How many comments a review page lists at most, the most urgent first.
pub const REVIEW_LIMIT: u32 = 200;

pub async fn for_review(st: &AppState, _: &Admin) -> ServiceResult<Vec<ModerationItem>> {
    Ok(st.store.comments_for_review(REVIEW_LIMIT).await?)
}

pub async fn hide(st: &AppState, _: &Admin, id: Uuid, reason: &str) -> ServiceResult<()> {
    qala_protocol::validate::text(reason, "reason", 500, true)?;
    if st.store.hide_comment(id, reason.trim()).await? { Ok(()) } else { Err(no_comment()) }
}

/// Shows a hidden comment again, or keeps a flagged one: either way a moderator has decided.
pub async fn restore(st: &AppState, _: &Admin, id: Uuid) -> ServiceResult<()> {
    if st.store.restore_comment(id).await? { Ok(()) } else { Err(no_comment()) }
}

fn no_comment() -> ServiceError {
    ServiceError::NotFound("no such comment".into())
}
