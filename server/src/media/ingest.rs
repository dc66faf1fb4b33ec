//! The one way a media file comes in, whoever sends it: a resident's tus upload, an operator's photo
//! report from the console form, and later the bot. The bytes are told apart by what they are
//! (never by a name or a declared type), checked against what the sender declared, stripped of what
//! would reveal more than the picture (EXIF but the orientation from photos, location boxes from
//! videos), hashed, stored and recorded.
//!
//! Two steps, because a caller cleans up differently after each: [`prepare`] is the CPU work and
//! the checks (a refusal: nothing of the file is kept), [`keep`] stores and records it (a failure
//! there is the server's, and a tus upload stays to be finished again).

use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;
use qala_protocol::{MediaKind, MediaRef, MediaState, Role};
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::Principal;
use crate::error::{AppError, AppResult};
use crate::store::MediaRow;
use qala_media::{mp4, photo, sniff};

/// What a sender declared before the bytes came (a tus upload's metadata).
#[derive(Clone, Debug)]
pub struct Declared {
    pub kind: MediaKind,
    pub length: u64,
    /// Hex sha256 of the whole file, if declared.
    pub sha256: Option<String>,
}

/// The memory that files being finished may hold at once, shared by their sizes: a video of the
/// largest size may be finished beside another (what the server allowed before, two files of any
/// size at once), and a hundred phones' photos of a few hundred KB are finished side by side
/// instead of two by two (measured in the load bench, a hundred phones sending a photo at once:
/// the median of the last request went from 121 ms to 63 ms when the limit stopped counting files).
#[derive(Clone)]
pub struct MemoryBudget(Arc<Semaphore>);

/// The budget, in KiB: two of the largest videos.
const BUDGET_KIB: u32 = (2 * qala_protocol::VIDEO_MAX_BYTES / 1024) as u32;
const _: () = assert!(BUDGET_KIB > 0 && 2 * qala_protocol::VIDEO_MAX_BYTES / 1024 <= u32::MAX as u64);

impl Default for MemoryBudget {
    fn default() -> Self {
        MemoryBudget(Arc::new(Semaphore::new(BUDGET_KIB as usize)))
    }
}

impl MemoryBudget {
    /// Waits until a file of `length` bytes may be held. A photo counts twice (its cleaned copy
    /// is made beside it); a video once (cleaned in place); a file of unknown kind twice.
    pub async fn reserve(&self, kind: Option<MediaKind>, length: u64) -> AppResult<OwnedSemaphorePermit> {
        let copies = if kind == Some(MediaKind::Video) { 1 } else { 2 };
        // Never more than the whole budget, or a file past every limit would wait for ever.
        let kib = (length.div_ceil(1024).saturating_mul(copies)).clamp(1, u64::from(BUDGET_KIB)) as u32;
        self.0.clone().acquire_many_owned(kib).await.map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// A checked and cleaned file, ready to keep. It holds its share of the memory budget
/// (`AppState::finishing`) until it is kept and its bytes dropped.
pub struct Prepared {
    pub kind: MediaKind,
    pub content_type: &'static str,
    pub cleaned: Vec<u8>,
    pub sha256: String,
    /// Bytes as sent, before cleaning.
    pub upload_length: u64,
    _permit: OwnedSemaphorePermit,
}

/// Checks and cleans `data` on the blocking pool (hashing and cleaning 25 MB is CPU work, not for
/// an async worker). `permit` is the file's share of the [`MemoryBudget`]: it goes with the bytes
/// onto the blocking pool and then into the prepared file, which keeps it until its bytes are
/// dropped, even if the request that asked is gone meanwhile.
pub async fn prepare(permit: OwnedSemaphorePermit, declared: Option<Declared>, data: Vec<u8>) -> AppResult<Prepared> {
    let (c, permit) = tokio::task::spawn_blocking(move || (check_and_clean(declared.as_ref(), data), permit))
        .await
        .map_err(|e| AppError::Internal(format!("media task: {e}")))?;
    let c = c?;
    Ok(Prepared {
        kind: c.kind,
        content_type: c.content_type,
        cleaned: c.cleaned,
        sha256: c.sha256,
        upload_length: c.upload_length,
        _permit: permit,
    })
}

/// What `check_and_clean` makes of the bytes (a `Prepared` without its permit).
struct Checked {
    kind: MediaKind,
    content_type: &'static str,
    cleaned: Vec<u8>,
    sha256: String,
    upload_length: u64,
}

fn check_and_clean(declared: Option<&Declared>, data: Vec<u8>) -> AppResult<Checked> {
    let upload_length = data.len() as u64;
    if let Some(d) = declared {
        if upload_length != d.length {
            return Err(AppError::Internal(format!("staged {upload_length} bytes, expected {}", d.length)));
        }
        if let Some(expected) = &d.sha256
            && hex::encode(Sha256::digest(&data)) != *expected
        {
            return Err(AppError::ChecksumMismatch(
                "the file does not match the declared sha256; nothing was kept".into(),
            ));
        }
    }
    let (kind, content_type) = sniff::detect(&data[..data.len().min(64)])
        .ok_or_else(|| AppError::UnsupportedMedia("not a JPEG, PNG, WebP, MP4 or QuickTime file".into()))?;
    if let Some(d) = declared
        && kind != d.kind
    {
        return Err(AppError::UnsupportedMedia(format!("declared a {} but sent a {}", d.kind.as_str(), kind.as_str())));
    }
    if upload_length > kind.max_bytes() {
        return Err(AppError::PayloadTooLarge(format!(
            "a {} may have at most {} bytes",
            kind.as_str(),
            kind.max_bytes()
        )));
    }
    let cleaned = match kind {
        MediaKind::Photo => photo::strip(content_type, &data)
            .map_err(|e| AppError::UnsupportedMedia(format!("the photo is damaged: {e}")))?,
        // Location boxes go from videos too; the bytes keep their places.
        MediaKind::Video => {
            let mut data = data;
            mp4::strip(&mut data).map_err(|e| AppError::UnsupportedMedia(format!("the video is damaged: {e}")))?;
            data
        }
    };
    let sha256 = hex::encode(Sha256::digest(&cleaned));
    Ok(Checked { kind, content_type, cleaned, sha256, upload_length })
}

/// Stores the cleaned bytes as media `id` and records them as `p`'s.
pub async fn keep(st: &AppState, p: &Principal, id: Uuid, file: Prepared) -> AppResult<MediaRow> {
    let size = file.cleaned.len() as u64;
    st.media.put(id, Bytes::from(file.cleaned)).await?;
    let row = MediaRow {
        id,
        owner: p.user_id,
        owner_role: p.role,
        kind: file.kind,
        content_type: file.content_type.to_string(),
        size,
        sha256: file.sha256,
        upload_length: file.upload_length,
        created_at: Utc::now(),
    };
    st.store.media_complete(&row).await?;
    tracing::info!(%id, kind = row.kind.as_str(), size, staff = (row.owner_role != Role::Resident), "media stored");
    Ok(row)
}

/// A whole file sent in one request (the console's photo report): prepared and kept under a new
/// id. Returns the reference to put in an answer.
pub async fn whole_file(st: &AppState, p: &Principal, data: Vec<u8>) -> AppResult<MediaRef> {
    let permit = st.finishing.reserve(None, data.len() as u64).await?;
    let file = prepare(permit, None, data).await?;
    let row = keep(st, p, Uuid::now_v7(), file).await?;
    Ok(MediaRef {
        id: row.id,
        kind: row.kind,
        state: MediaState::Received,
        sha256: Some(row.sha256),
        size: Some(row.size),
        content_type: Some(row.content_type),
    })
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[tokio::test]
    async fn the_budget_holds_two_of_the_largest_videos_or_many_photos() {
        let budget = MemoryBudget::default();
        let max = qala_protocol::VIDEO_MAX_BYTES;
        let a = budget.reserve(Some(MediaKind::Video), max).await.unwrap();
        let b = budget.reserve(Some(MediaKind::Video), max).await.unwrap();
        assert!(budget.reserve(Some(MediaKind::Photo), 1).now_or_never().is_none(), "full: a third waits");
        drop((a, b));
        // A hundred photos of 400 KB (800 KiB each with the cleaned copy) fit at once.
        let photos: Vec<_> =
            (0..100).map(|_| budget.reserve(Some(MediaKind::Photo), 400 * 1024).now_or_never()).collect();
        assert!(photos.iter().all(|p| matches!(p, Some(Ok(_)))));
        drop(photos);
        // A file past every limit still gets the whole budget rather than waiting for ever.
        let huge = budget.reserve(None, u64::MAX).now_or_never();
        assert!(matches!(huge, Some(Ok(_))));
    }
}
