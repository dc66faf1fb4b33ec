//! Where bytes live. Finished media go to an object store under their id: the local disk by default,
//! S3-compatible storage for scale. Uploads in progress are staged in an object store too, one
//! object per piece a write staged (`<upload id>/<start>-<end>-<random>`), so that any server
//! instance can take the next chunk of an upload another instance began; the database holds the
//! confirmed offset, and a file is assembled from a chain of pieces that covers it end to end.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{GetOptions, GetRange, ObjectStore, PutPayload};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Where the S3-compatible media store is (credentials come from `AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY`).
#[derive(Clone, Debug)]
pub struct S3Config {
    pub bucket: String,
    /// E.g. `http://127.0.0.1:9000` for a store on loopback; none for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
}

/// A finished file's bytes, piece by piece.
pub type MediaStream = futures_util::stream::BoxStream<'static, Result<Bytes, object_store::Error>>;

#[derive(Clone)]
pub struct MediaStore {
    objects: Arc<dyn ObjectStore>,
    staging: Arc<dyn ObjectStore>,
    /// For media on the local disk: the folders, whose files are fsynced after writing (the
    /// object store's local backend does not), before an upload is acknowledged.
    local: Option<(PathBuf, PathBuf)>,
}

/// A piece of an upload as one write staged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedPiece {
    key: ObjectPath,
}

/// One staged piece of an upload, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Chunk {
    start: u64,
    end: u64,
    key: ObjectPath,
    staged_at: chrono::DateTime<chrono::Utc>,
}

impl MediaStore {
    /// Media on the local disk: finished files in `root/media`, chunks staged in `root/uploads`.
    pub fn local(root: &Path) -> AppResult<Self> {
        let media = root.join("media");
        let staging = root.join("uploads");
        std::fs::create_dir_all(&media)?;
        std::fs::create_dir_all(&staging)?;
        Ok(Self {
            objects: Arc::new(LocalFileSystem::new_with_prefix(&media)?),
            staging: Arc::new(LocalFileSystem::new_with_prefix(&staging)?),
            local: Some((media, staging)),
        })
    }

    /// Media in an S3-compatible bucket: finished files at the top, chunks under `uploads/`.
    pub fn s3(cfg: &S3Config) -> AppResult<Self> {
        let mut b = AmazonS3Builder::from_env().with_bucket_name(&cfg.bucket).with_region(&cfg.region);
        if let Some(endpoint) = &cfg.endpoint {
            b = b
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        let s3: Arc<dyn ObjectStore> = Arc::new(b.build()?);
        let staging = Arc::new(PrefixStore::new(s3.clone(), "uploads"));
        Ok(Self { objects: s3, staging, local: None })
    }

    fn key(id: Uuid) -> ObjectPath {
        ObjectPath::from(id.to_string())
    }

    /// Stores a finished file durably: when this returns, a power cut cannot take it back.
    pub async fn put(&self, id: Uuid, data: Bytes) -> AppResult<()> {
        self.objects.put(&Self::key(id), PutPayload::from_bytes(data)).await?;
        if let Some((root, _)) = &self.local {
            fsync(vec![root.join(id.to_string()), root.clone()]).await?;
        }
        Ok(())
    }

    /// Removes a finished file: one stored for an action that was then refused, or one no report
    /// used (the media sweep). A file that is not there is fine, so either can simply run again.
    pub async fn delete(&self, id: Uuid) -> AppResult<()> {
        match self.objects.delete(&Self::key(id)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get(&self, id: Uuid) -> AppResult<Bytes> {
        match self.objects.get(&Self::key(id)).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(AppError::NotFound("media file is missing".into())),
            Err(e) => Err(e.into()),
        }
    }

    /// The bytes `range` of a finished file (all of it when `None`) as a stream of small pieces,
    /// so that a slow reader of a large video holds a few kilobytes, not the file.
    pub async fn stream(&self, id: Uuid, range: Option<std::ops::Range<u64>>) -> AppResult<MediaStream> {
        let opts = GetOptions { range: range.map(GetRange::Bounded), ..GetOptions::default() };
        match self.objects.get_opts(&Self::key(id), opts).await {
            Ok(r) => Ok(r.into_stream()),
            Err(object_store::Error::NotFound { .. }) => Err(AppError::NotFound("media file is missing".into())),
            Err(e) => Err(e.into()),
        }
    }

    // --- uploads in progress ---

    /// Stages the bytes `start..start + data.len()` of an upload, durably. The caller confirms
    /// them in the database afterwards; a chunk nobody confirmed is ignored and swept later. Each
    /// write gets a key of its own (a random suffix), so two racing copies of the same bytes never
    /// overwrite or delete each other's objects.
    pub async fn stage(&self, id: Uuid, start: u64, data: Bytes) -> AppResult<StagedPiece> {
        let end = start + data.len() as u64;
        let name = format!("{start:020}-{end:020}-{:016x}", rand::random::<u64>());
        let key = ObjectPath::from(format!("{id}/{name}"));
        self.staging.put(&key, PutPayload::from_bytes(data)).await?;
        if let Some((_, root)) = &self.local {
            let dir = root.join(id.to_string());
            fsync(vec![dir.join(&name), dir, root.clone()]).await?;
        }
        Ok(StagedPiece { key })
    }

    /// Removes one staged piece that was not confirmed (a concurrent writer won the offset, or
    /// its chunk failed its checksum).
    pub async fn unstage(&self, piece: &StagedPiece) -> AppResult<()> {
        match self.staging.delete(&piece.key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn chunks(&self, id: Uuid) -> AppResult<Vec<Chunk>> {
        let prefix = ObjectPath::from(id.to_string());
        let metas: Vec<_> = self.staging.list(Some(&prefix)).try_collect().await?;
        let mut chunks: Vec<Chunk> = metas
            .into_iter()
            .filter_map(|m| {
                let name = m.location.filename()?.to_string();
                let mut parts = name.split('-');
                let (s, e) = (parts.next()?, parts.next()?);
                Some(Chunk {
                    start: s.parse().ok()?,
                    end: e.parse().ok()?,
                    key: m.location,
                    staged_at: m.last_modified,
                })
            })
            .collect();
        chunks.sort_by_key(|c| (c.start, c.end));
        Ok(chunks)
    }

    /// The uploads that have something staged (for the sweeper, to find chunks a crash left
    /// behind without an upload row).
    pub async fn staged_uploads(&self, limit: usize) -> AppResult<Vec<Uuid>> {
        let listing = self.staging.list_with_delimiter(None).await?;
        Ok(listing
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().and_then(|n| Uuid::parse_str(n).ok()))
            .take(limit)
            .collect())
    }

    /// Whether the staged chunks cover `0..offset` without a gap (the confirmed bytes are all
    /// there). A store that lost a chunk must never be filled in with anything else.
    pub async fn staged_up_to(&self, id: Uuid, offset: u64) -> AppResult<bool> {
        Ok(offset == 0 || chain(&self.chunks(id).await?, offset).is_some())
    }

    /// The staged bytes `0..length`, from the chain of chunks that covers them exactly.
    pub async fn assemble(&self, id: Uuid, length: u64) -> AppResult<Vec<u8>> {
        let chunks = self.chunks(id).await?;
        let path = chain(&chunks, length)
            .ok_or_else(|| AppError::Gone("the upload's staged data is incomplete; start it again".into()))?;
        let mut out = BytesMut::with_capacity(length as usize);
        for c in path {
            out.extend_from_slice(&self.staging.get(&c.key).await?.bytes().await?);
        }
        Ok(out.to_vec())
    }

    /// Removes everything staged for an upload; nothing staged is fine.
    pub async fn discard_staging(&self, id: Uuid) -> AppResult<()> {
        self.discard_staging_before(id, None).await
    }

    /// Removes what was staged for an upload before `cutoff` (everything when `None`). The sweeper
    /// passes the moment it decided: if the owner starts the upload again meanwhile, the new
    /// chunks are younger and stay.
    pub async fn discard_staging_before(
        &self,
        id: Uuid,
        cutoff: Option<chrono::DateTime<chrono::Utc>>,
    ) -> AppResult<()> {
        for c in self.chunks(id).await?.into_iter().filter(|c| cutoff.is_none_or(|t| c.staged_at < t)) {
            match self.staging.delete(&c.key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if let Some((_, root)) = &self.local {
            // The local backend leaves the emptied folder behind.
            match tokio::fs::remove_dir(root.join(id.to_string())).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// The chunks that cover `0..length` end to end, choosing among overlapping leftovers of
/// unconfirmed writes. A breadth-first walk over byte positions, each reached at most once, so the
/// work is linear in the number of chunks however they overlap (and there is no recursion).
fn chain(chunks: &[Chunk], length: u64) -> Option<Vec<Chunk>> {
    use std::collections::{HashMap, VecDeque};
    let mut from: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, c) in chunks.iter().enumerate() {
        if c.end > c.start && c.end <= length {
            from.entry(c.start).or_default().push(i);
        }
    }
    // For each position reached: the chunk that reached it (none for 0).
    let mut reached: HashMap<u64, Option<usize>> = HashMap::from([(0, None)]);
    let mut queue = VecDeque::from([0u64]);
    while let Some(at) = queue.pop_front() {
        if at == length {
            break;
        }
        for &i in from.get(&at).map(Vec::as_slice).unwrap_or_default() {
            if let std::collections::hash_map::Entry::Vacant(e) = reached.entry(chunks[i].end) {
                e.insert(Some(i));
                queue.push_back(chunks[i].end);
            }
        }
    }
    reached.get(&length)?;
    let mut path = Vec::new();
    let mut at = length;
    while let Some(Some(i)) = reached.get(&at) {
        path.push(chunks[*i].clone());
        at = chunks[*i].start;
    }
    path.reverse();
    Some(path)
}

async fn fsync(paths: Vec<PathBuf>) -> AppResult<()> {
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        for p in paths {
            std::fs::File::open(p)?.sync_all()?;
        }
        Ok(())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(start: u64, end: u64) -> Chunk {
        Chunk { start, end, key: ObjectPath::from(format!("x/{start}-{end}")), staged_at: chrono::DateTime::UNIX_EPOCH }
    }

    #[test]
    fn the_chain_skips_leftovers_of_lost_races() {
        // A writer that lost the race at 10 left 10..15; the confirmed chain is 0..10..20..30.
        let chunks = vec![c(0, 10), c(10, 15), c(10, 20), c(20, 30)];
        let path = chain(&chunks, 30).unwrap();
        assert_eq!(path, vec![c(0, 10), c(10, 20), c(20, 30)]);
        assert_eq!(chain(&chunks, 20).unwrap().len(), 2);
        // A missing middle is no chain at all.
        assert!(chain(&[c(0, 10), c(20, 30)], 30).is_none());
        assert!(chain(&[], 0).is_some());
    }

    #[test]
    fn a_long_chain_is_walked_without_recursion() {
        // 100,000 one-byte chunks plus a leftover at every position: linear, no deep stack.
        let handle = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let n = 100_000;
                let mut chunks: Vec<Chunk> = (0..n).map(|i| c(i, i + 1)).collect();
                chunks.extend((0..n - 1).map(|i| c(i, i + 2)));
                let path = chain(&chunks, n).unwrap();
                assert_eq!(path.first().unwrap().start, 0);
                assert_eq!(path.last().unwrap().end, n);
                assert!(path.windows(2).all(|w| w[0].end == w[1].start));
            })
            .unwrap();
        handle.join().expect("no stack overflow");
    }
}
