//! Where bytes live: uploads are staged as files under the data folder while they arrive; finished
//! media go to an object store (local disk by default, S3-compatible for scale) under their id.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct MediaStore {
    objects: Arc<dyn ObjectStore>,
    staging: PathBuf,
    /// For media on the local disk: the folder, whose files are fsynced after writing (the
    /// object store's local backend does not), before the upload is acknowledged.
    local_root: Option<PathBuf>,
}

impl MediaStore {
    /// Media on the local disk: finished files in `root/media`, uploads staged in `root/uploads`.
    pub fn local(root: &Path) -> AppResult<Self> {
        let media = root.join("media");
        let staging = root.join("uploads");
        std::fs::create_dir_all(&media)?;
        std::fs::create_dir_all(&staging)?;
        let objects = LocalFileSystem::new_with_prefix(&media)?;
        Ok(Self { objects: Arc::new(objects), staging, local_root: Some(media) })
    }

    /// The staging file of an upload in progress.
    pub fn staging_path(&self, id: Uuid) -> PathBuf {
        self.staging.join(format!("{id}.part"))
    }

    fn key(id: Uuid) -> ObjectPath {
        ObjectPath::from(id.to_string())
    }

    /// Stores a finished file durably: when this returns, a power cut cannot take it back.
    pub async fn put(&self, id: Uuid, data: Bytes) -> AppResult<()> {
        self.objects.put(&Self::key(id), PutPayload::from_bytes(data)).await?;
        if let Some(root) = &self.local_root {
            let (file, dir) = (root.join(id.to_string()), root.clone());
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                std::fs::File::open(file)?.sync_all()?;
                std::fs::File::open(dir)?.sync_all()
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        }
        Ok(())
    }

    pub async fn get(&self, id: Uuid) -> AppResult<Bytes> {
        match self.objects.get(&Self::key(id)).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(AppError::NotFound("media file is missing".into())),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a staging file; a missing one is fine.
    pub async fn discard_staging(&self, id: Uuid) -> AppResult<()> {
        match tokio::fs::remove_file(self.staging_path(id)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
