//! A resident's rights, from the phone: each is online, and each acts on the server first, so
//! that nothing is wiped here that the server still keeps.

use std::path::{Path, PathBuf};

use qala_protocol::ReportsOnDeletion;
use uuid::Uuid;

use super::engine::SyncEngine;
use crate::error::{CoreError, CoreResult};
use crate::rights;

impl SyncEngine {
    /// Downloads everything the server keeps about the resident, with the files they uploaded,
    /// into one JSON file in `dir`; answers its path.
    pub async fn export_my_data(&self, dir: &Path) -> CoreResult<PathBuf> {
        let token = self.token(None).await?;
        let data = self.api.export(&token).await?;
        let mut file = rights::start_export(dir, &data)?;
        for media in &data.media {
            // A fresh token for each file: a long download outlives one.
            let token = self.token(None).await?;
            match self.api.media(&token, media.id).await {
                Ok(bytes) => file.add(media, &bytes)?,
                // Collected since the list was made (its report settled long ago): listed without bytes.
                Err(CoreError::Server { status: 404, .. }) => {}
                Err(e) => return Err(e),
            }
        }
        file.finish()
    }

    /// Takes the resident's name off one of their reports: it leaves their account at the
    /// server, and this phone at once.
    pub async fn anonymise_report(&self, id: Uuid) -> CoreResult<()> {
        let token = self.token(None).await?;
        self.api.anonymise(&token, id).await?;
        rights::forget_report(&self.core, id)
    }

    /// Deletes the resident's account at the server, then everything the phone holds of it. A
    /// sync in progress finishes first, so that nothing it pulls outlives the wipe.
    pub async fn delete_account(&self, reports: ReportsOnDeletion) -> CoreResult<()> {
        let _cycle = self.cycle.lock().await;
        let asked_before = rights::deleting(&self.core)?;
        rights::mark_deleting(&self.core)?;
        let done = match self.token(None).await {
            Ok(token) => self.api.delete_account(&token, reports).await,
            Err(e) => Err(e),
        };
        match done {
            Ok(()) => rights::wipe_account(&self.core),
            // Asked before and the answer lost: the server ended the session with the account.
            Err(CoreError::SignedOut) if asked_before => rights::wipe_account(&self.core),
            // Only an answer that never came leaves the question open; any other says the
            // account is still there.
            Err(e @ CoreError::Offline(_)) => Err(e),
            Err(e) => {
                rights::clear_deleting(&self.core)?;
                Err(e)
            }
        }
    }
}
