//! The sync engine. One cycle: push the outbox (batches of ≤100), upload media one at a time
//! (photos before videos; videos wait for Wi-Fi when the resident asked so), then pull changes page
//! by page. Every step writes its progress to SQLite before the next network call, so a phone that
//! dies at any point resumes where it was: an op is deleted only after the server acknowledged it,
//! an upload resumes from the offset the server reports, a page and its cursor commit together.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use qala_protocol::{
    Change, Entity, EntityKind, MediaKind, NetworkKind, Op, OpOutcome, OpResult, PublicReport, PullResponse,
    PushRequest, Report, ReportStatus, Setting, SyncStatus,
};
use rand::Rng;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

use super::api::{Api, Pulled};
use super::session::{self, StoredTokens};
use crate::entities::{self, Applied};
use crate::error::{CoreError, CoreResult};
use crate::media::files::{self, PendingUpload};
use crate::{Core, db, outbox};

/// Bytes per upload chunk: small enough to lose little on a bad network, big enough to be quick.
pub const CHUNK: usize = 256 * 1024;
/// Changes per pull page.
pub const PULL_PAGE: u32 = 500;

/// What the engine tells the shell (which forwards it to the UI and to notifications).
#[derive(Clone, Debug, PartialEq)]
pub enum SyncEvent {
    Progress { media: Uuid, sent: u64, total: u64 },
    StatusChanged { report: Uuid, status: ReportStatus },
    NewAnswer { report: Uuid },
    Synced(SyncSummary),
    Failed(String),
}

/// What one cycle did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub pushed: usize,
    pub rejected: usize,
    pub uploaded: usize,
    pub pulled: usize,
}

pub struct SyncEngine {
    pub(super) core: Arc<Core>,
    pub(super) api: Api,
    events: broadcast::Sender<SyncEvent>,
    /// What the shell says about the network, for "videos only on Wi-Fi". It starts `Unknown`,
    /// which holds videos back when the setting is on: the shell must say what it knows (a
    /// desktop's network is unmetered; a phone's webview reports its connection type).
    network: Mutex<NetworkKind>,
    /// "Send now anyway": videos go on any network until none is left waiting.
    videos_now: AtomicBool,
    /// One revocation sender at a time (see `session`).
    pub(super) revoking: tokio::sync::Mutex<()>,
    /// One cycle at a time.
    pub(super) cycle: tokio::sync::Mutex<()>,
    /// One token refresh at a time: refresh tokens rotate, so two at once would sign the loser out.
    refreshing: tokio::sync::Mutex<()>,
}

impl SyncEngine {
    pub fn new(core: Arc<Core>, server: &str) -> Self {
        let (events, _) = broadcast::channel(256);
        SyncEngine {
            core,
            api: Api::new(server),
            events,
            network: Mutex::new(NetworkKind::Unknown),
            videos_now: AtomicBool::new(false),
            revoking: Default::default(),
            cycle: Default::default(),
            refreshing: Default::default(),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.events.subscribe()
    }

    /// The network changed (or the shell says what it is). "Send now anyway" was for the network
    /// of that moment: a new network asks again.
    pub fn set_network(&self, n: NetworkKind) {
        let mut current = self.network.lock().unwrap_or_else(|p| p.into_inner());
        if *current != n {
            self.videos_now.store(false, Ordering::Relaxed);
        }
        *current = n;
    }

    /// The network as the shell last said.
    pub fn network(&self) -> NetworkKind {
        *self.network.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// "Send now anyway": the videos held for Wi-Fi go with the next cycle, on any network.
    pub fn send_videos_now(&self) {
        self.videos_now.store(true, Ordering::Relaxed);
    }

    /// Whether videos wait for Wi-Fi right now.
    fn videos_held(&self) -> CoreResult<bool> {
        let wifi_only = self.core.setting(qala_protocol::Setting::VideoWifiOnly)?.as_deref() == Some("true");
        Ok(wifi_only && self.network() != NetworkKind::Unmetered && !self.videos_now.load(Ordering::Relaxed))
    }

    /// The sync indicator's data, with what only the engine knows: videos waiting for Wi-Fi.
    pub fn status(&self) -> CoreResult<SyncStatus> {
        let mut s = self.core.sync_status()?;
        if self.videos_held()? {
            s.waiting_for_wifi = self.core.videos_waiting()?;
        }
        Ok(s)
    }

    fn emit(&self, e: SyncEvent) {
        let _ = self.events.send(e);
    }

    // --- sign-in ---

    /// Asks the server to send a code to `phone`.
    pub async fn request_code(&self, phone: &str) -> CoreResult<()> {
        self.api.otp_request(phone, self.core.device_id()).await.map(|_| ())
    }

    /// Trades the code for a session, kept in the store.
    pub async fn sign_in(&self, phone: &str, code: &str) -> CoreResult<()> {
        let s = self.api.otp_verify(phone, self.core.device_id(), code).await?;
        self.replace_session(&s)
    }

    fn stored_tokens(&self) -> CoreResult<StoredTokens> {
        session::stored_tokens(&self.core.db(), self.api.server())
    }

    /// The server this engine talks to.
    pub fn server(&self) -> &str {
        self.api.server()
    }

    /// A live access token, refreshed when it is about to expire (or was refused: `stale`).
    pub(super) async fn token(&self, stale: Option<&str>) -> CoreResult<String> {
        let usable = |t: &StoredTokens| match (&t.access, t.expires) {
            (Some(a), Some(e)) if e > Utc::now() + chrono::Duration::seconds(30) && Some(a.as_str()) != stale => {
                Some(a.clone())
            }
            _ => None,
        };
        self.retire_foreign_session()?;
        if let Some(a) = usable(&self.stored_tokens()?) {
            return Ok(a);
        }
        let _one = self.refreshing.lock().await;
        // Someone else may have refreshed while we waited.
        let stored = self.stored_tokens()?;
        if let Some(a) = usable(&stored) {
            return Ok(a);
        }
        let refresh = stored.refresh.ok_or(CoreError::SignedOut)?;
        match self.api.refresh(&refresh, self.core.device_id()).await {
            // Signed out while the refresh was on the way: the new session is revoked, not kept.
            Ok(s) if !self.keep_refreshed(&refresh, &s)? => Err(CoreError::SignedOut),
            Ok(s) => Ok(s.access_token),
            Err(CoreError::SignedOut) => {
                // Only if nobody stored a newer session meanwhile.
                session::forget_if_current(&self.core, self.api.server(), &refresh)?;
                Err(CoreError::SignedOut)
            }
            Err(e) => Err(e),
        }
    }

    // --- one cycle ---

    /// Pushes, uploads and pulls once. Errors leave everything queued for the next cycle.
    pub async fn sync_once(&self) -> CoreResult<SyncSummary> {
        // Sign-outs done offline reach their servers first (bounded: each try has a short timeout);
        // one that cannot be sent waits for the next cycle.
        if let Err(e) = self.revoke_pending().await {
            tracing::warn!(error = %e, "queued sign-outs could not be read");
        }
        let _one = self.cycle.lock().await;
        let mut result = self.cycle_inner().await;
        if matches!(result, Err(CoreError::SignedOut)) && crate::rights::deleting(&self.core)? {
            // An account deletion whose answer was lost: the server ended the session with it.
            crate::rights::wipe_account(&self.core)?;
        }
        if matches!(result, Err(CoreError::SignedOut)) {
            // Signed out: nothing can be pushed or pulled, but the catalogue is public and keeps
            // capture working with the city's current categories.
            if let Err(e) = self.refresh_catalog().await {
                result = Err(e);
            }
        }
        let conn = self.core.db();
        match &result {
            Ok(_) => {
                db::meta_set(&conn, db::key::LAST_SUCCESS, &db::ts(Utc::now()))?;
                db::meta_delete(&conn, db::key::LAST_ERROR)?;
            }
            Err(e) => db::meta_set(&conn, db::key::LAST_ERROR, &e.to_string())?,
        }
        drop(conn);
        match &result {
            Ok(s) => self.emit(SyncEvent::Synced(s.clone())),
            Err(e) => self.emit(SyncEvent::Failed(e.to_string())),
        }
        result
    }

    async fn cycle_inner(&self) -> CoreResult<SyncSummary> {
        let mut summary = SyncSummary::default();
        let mut token = self.token(None).await?;
        // A token refused mid-cycle (expired early, rotated elsewhere) is refreshed once.
        for attempt in 0..2 {
            let r = async {
                self.push_all(&token, &mut summary).await?;
                self.upload_all(&token, &mut summary).await?;
                self.pull_all(&token, &mut summary).await
            }
            .await;
            match r {
                Err(CoreError::SignedOut) if attempt == 0 => token = self.token(Some(&token)).await?,
                other => return other.map(|_| summary),
            }
        }
        Ok(summary)
    }

    async fn push_all(&self, token: &str, summary: &mut SyncSummary) -> CoreResult<()> {
        loop {
            // An op refused by a daily quota waits, with everything queued after it, until the
            // quota frees up (the server says when): sending it sooner would only be refused again.
            if self.push_held()? {
                return Ok(());
            }
            let ops = outbox::pending(&self.core.db(), qala_protocol::PUSH_MAX_OPS)?;
            if ops.is_empty() {
                return Ok(());
            }
            if self.push_batch(token, ops, summary).await? == 0 {
                // The server answered for none of the ops: stop rather than send them again now.
                return Ok(());
            }
        }
    }

    /// Whether pushing waits for a quota to free up.
    fn push_held(&self) -> CoreResult<bool> {
        let until = db::meta_get(&self.core.db(), db::key::PUSH_AFTER)?.and_then(|v| v.parse::<i64>().ok());
        Ok(until.is_some_and(|t| t > chrono::Utc::now().timestamp()))
    }

    /// Pushes `ops` and settles every answer; returns how many ops were settled. A batch the server
    /// refuses whole (too large, unreadable) is split in halves until the op responsible stands
    /// alone; that op is set aside with the server's reason like a rejected op, and the rest go on.
    /// Bounded: one poison op among `n` costs about `1 + 2·log2(n)` requests, and no batch ever
    /// costs more than `2n - 1`.
    async fn push_batch(&self, token: &str, ops: Vec<Op>, summary: &mut SyncSummary) -> CoreResult<usize> {
        let mut settled = 0;
        // Batches still to send; the last is sent next, so the outbox order is kept.
        let mut todo = vec![ops];
        while let Some(mut batch) = todo.pop() {
            match self.api.push(token, &PushRequest { ops: batch.clone() }).await {
                Ok(res) => settled += self.settle(&res.results, res.retry_after_s, summary)?,
                Err(CoreError::Server { status, code, message }) if refused_whole(status, &code) => {
                    if batch.len() == 1 {
                        tracing::warn!(op = %batch[0].id, status, %code, "the server refuses this op: set aside");
                        let outcome = OpOutcome::Rejected { code, reason: message };
                        settled += self.settle(&[OpResult { id: batch[0].id, outcome }], None, summary)?;
                    } else {
                        let second = batch.split_off(batch.len() / 2);
                        todo.push(second);
                        todo.push(batch);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(settled)
    }

    /// Records the server's answers in one transaction: acknowledged ops leave the outbox, refused
    /// ones stay with their reason, and the objects they held back take the server's state. An op
    /// refused by a quota stays queued as it was, and pushing pauses for `retry_after_s`.
    fn settle(&self, results: &[OpResult], retry_after_s: Option<u64>, summary: &mut SyncSummary) -> CoreResult<usize> {
        let mut conn = self.core.db();
        let tx = conn.transaction()?;
        for r in results {
            if let OpOutcome::Rejected { code, reason } = &r.outcome
                && code == qala_protocol::QUOTA_EXCEEDED
            {
                let wait = retry_after_s.unwrap_or(3600).clamp(60, 86_400) as i64;
                db::meta_set(&tx, db::key::PUSH_AFTER, &(chrono::Utc::now().timestamp() + wait).to_string())?;
                tracing::info!(op = %r.id, wait, %reason, "a daily quota is reached: the op waits");
                continue;
            }
            if matches!(r.outcome, OpOutcome::Rejected { .. }) {
                summary.rejected += 1;
            } else {
                summary.pushed += 1;
            }
            if let Some((kind, id)) = outbox::settle(&tx, r.id, &r.outcome)? {
                entities::release(&tx, &kind, &id)?;
            }
        }
        tx.commit()?;
        Ok(results.len())
    }

    /// Media of submitted reports not yet uploaded: photos first, then videos, oldest first.
    fn next_upload(&self, skip_videos: bool) -> CoreResult<Option<PendingUpload>> {
        files::next_upload(&self.core.db(), skip_videos)
    }

    async fn upload_all(&self, token: &str, summary: &mut SyncSummary) -> CoreResult<()> {
        let held = self.videos_held()?;
        while let Some(u) = self.next_upload(held)? {
            match self.upload_one(token, &u).await {
                Ok(()) => summary.uploaded += 1,
                // The network or the session: try again next cycle.
                Err(e @ (CoreError::Offline(_) | CoreError::SignedOut)) => return Err(e),
                Err(CoreError::Server { status, .. }) if status >= 500 || status == 408 || status == 429 => {
                    return Err(CoreError::Offline(format!("server busy ({status})")));
                }
                // Anything else will not get better by retrying: park this file, go on with the rest.
                Err(e) => {
                    tracing::warn!(media = %u.id, error = %e, "media cannot be uploaded");
                    files::refused(&self.core.db(), &u.id, &e.to_string())?;
                }
            }
        }
        if !held {
            // Nothing is waiting any more: "send now anyway" was for the videos of that moment.
            self.videos_now.store(false, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn upload_one(&self, token: &str, u: &PendingUpload) -> CoreResult<()> {
        let id = Uuid::parse_str(&u.id).map_err(|_| CoreError::NotFound("media"))?;
        let kind = MediaKind::parse(&u.kind).unwrap_or(MediaKind::Photo);
        // An address of another server (left behind by a server switch) never gets this token.
        let mut url = u.url.clone().filter(|existing| self.api.owns(existing));
        let mut offset = match &url {
            Some(existing) => self.api.tus_offset(token, existing).await?,
            None => None,
        };
        if offset.is_none() {
            let created = self.api.tus_create(token, id, kind, u.size, &u.sha256).await?;
            files::upload_started(&self.core.db(), &u.id, &created)?;
            offset = self.api.tus_offset(token, &created).await?;
            url = Some(created);
        }
        let url = url.ok_or(CoreError::NotFound("upload"))?;
        let mut offset = offset.ok_or(CoreError::NotFound("upload"))?;
        let data = std::fs::read(&u.path)?;
        // A file damaged on the phone (cut short by a power loss, say) must not go out as if whole.
        if data.len() as u64 != u.size || hex::encode(Sha256::digest(&data)) != u.sha256 {
            return Err(CoreError::Media("the prepared file is damaged; attach the photo again".into()));
        }
        while offset < u.size {
            let end = (offset as usize + CHUNK).min(data.len());
            offset = self.api.tus_patch(token, &url, offset, data[offset as usize..end].to_vec()).await?;
            files::upload_progressed(&self.core.db(), &u.id, offset)?;
            self.emit(SyncEvent::Progress { media: id, sent: offset, total: u.size });
        }
        files::uploaded(&self.core.db(), &u.id)?;
        Ok(())
    }

    async fn pull_all(&self, token: &str, summary: &mut SyncSummary) -> CoreResult<()> {
        let mut started_over = false;
        loop {
            let cursor = db::meta_get(&self.core.db(), db::key::CURSOR)?.unwrap_or_default();
            let districts = self.core.districts()?;
            match self.api.pull(token, &cursor, &districts, PULL_PAGE).await? {
                // A server that says 410 even to cursor 0 is broken: once per cycle, not forever.
                Pulled::Gone if started_over => {
                    return Err(CoreError::Server {
                        status: 410,
                        code: "gone".into(),
                        message: "the server refuses even a full pull".into(),
                    });
                }
                Pulled::Gone => {
                    started_over = true;
                    self.start_over()?
                }
                Pulled::Page(page) => {
                    // The resident changed the districts while the page was on its way: it is of
                    // the old scope, so it is dropped and asked for again.
                    let Some(events) = apply_page(&self.core, &page, &cursor, &districts)? else {
                        continue;
                    };
                    summary.pulled += page.changes.len();
                    for e in events {
                        self.emit(e);
                    }
                    if !page.has_more {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// The server no longer has our cursor's history: drop what was pulled (keeping anything with
    /// unsent ops, and what exists only here) and pull everything again from 0.
    fn start_over(&self) -> CoreResult<()> {
        let mut conn = self.core.db();
        let tx = conn.transaction()?;
        entities::forget_pulled(&tx, true)?;
        db::meta_set(&tx, db::key::CURSOR, "")?;
        tx.commit()?;
        Ok(())
    }

    /// Only sends the outbox (e.g. right after the resident pressed "send").
    pub async fn push_now(&self) -> CoreResult<SyncSummary> {
        let mut s = SyncSummary::default();
        let token = self.token(None).await?;
        self.push_all(&token, &mut s).await?;
        Ok(s)
    }

    /// Only pulls (e.g. to refresh news); local objects with unsent ops keep their local state.
    pub async fn pull_now(&self) -> CoreResult<SyncSummary> {
        let mut s = SyncSummary::default();
        let token = self.token(None).await?;
        self.pull_all(&token, &mut s).await?;
        Ok(s)
    }

    /// Stores the server's catalogue (agencies and categories) over the local copy.
    pub async fn refresh_catalog(&self) -> CoreResult<()> {
        let catalog = self.api.catalog().await?;
        self.core.store_catalog(&catalog, true)
    }

    // --- public reports outside the scope, online ---

    /// A public report, whole: read online (and kept, if it is in this phone's scope, so the next
    /// look is offline); the held summary when offline.
    pub async fn public_report(&self, id: Uuid) -> CoreResult<Option<PublicReport>> {
        let held = crate::public::get(&self.core.db(), id)?;
        if held.as_ref().is_some_and(|r| !r.more) {
            return Ok(held);
        }
        let token = self.token(None).await?;
        match self.api.public_report(&token, id).await {
            Ok(found) => Ok(found),
            Err(CoreError::Offline(_)) if held.is_some() => Ok(held),
            Err(e) => Err(e),
        }
    }

    /// The report with a registration number, from the server.
    pub async fn find_report(&self, number: &str) -> CoreResult<Option<PublicReport>> {
        let token = self.token(None).await?;
        Ok(self.api.public_reports(&token, Some(number), None, &[], 1).await?.into_iter().next())
    }

    /// The city feed, newest first, the page after `before`: the server's, which has every
    /// report of the followed districts (the phone holds only the open and recently settled ones);
    /// offline (or signed out), what the phone holds.
    pub async fn feed(
        &self,
        before: Option<(chrono::DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> CoreResult<Vec<PublicReport>> {
        let districts = self.core.districts()?;
        let online = match self.token(None).await {
            Ok(token) => self.api.public_reports(&token, None, before, &districts, limit).await,
            Err(e) => Err(e),
        };
        match online {
            Err(CoreError::Offline(_) | CoreError::SignedOut) => self.core.feed(before, limit),
            other => other,
        }
    }

    // --- media to look at ---

    /// The bytes of a media file for the screen: the phone's own prepared copy, else a copy kept
    /// from an earlier download, else the server's (kept afterwards, so answers stay visible
    /// offline). Returns the bytes and their content type.
    pub async fn media(&self, id: Uuid) -> CoreResult<(Vec<u8>, &'static str)> {
        if let Some(local) = self.core.local_media(id)? {
            return Ok(local);
        }
        let token = self.token(None).await?;
        let bytes = self.api.media(&token, id).await?;
        let content_type = qala_media::sniff::detect(&bytes).map_or("application/octet-stream", |(_, ct)| ct);
        self.core.keep_remote_media(id, &bytes)?;
        Ok((bytes.to_vec(), content_type))
    }

    // --- running in the background ---

    /// Runs cycles until stopped: after every nudge, every `interval`, and after failures with
    /// exponential backoff (1 s doubling to 5 min, ±20 % jitter so phones do not stampede).
    pub fn spawn(self: Arc<Self>, interval: Duration) -> SyncHandle {
        let nudge = Arc::new(Notify::new());
        let stop = Arc::new(Notify::new());
        let (n, s) = (nudge.clone(), stop.clone());
        let task = tokio::spawn(async move {
            let mut failures: u32 = 0;
            loop {
                let wait = match self.sync_once().await {
                    Ok(_) => {
                        failures = 0;
                        interval
                    }
                    Err(CoreError::SignedOut) => interval,
                    Err(_) => {
                        failures = failures.saturating_add(1);
                        backoff(failures)
                    }
                };
                tokio::select! {
                    _ = s.notified() => return,
                    _ = n.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
        SyncHandle { nudge, stop, task }
    }
}

/// A push the server refused as a whole because of what it carries — too large (413), unreadable
/// (400) or of the wrong shape (422) — rather than because of the network, the session or load.
/// Sending the same batch again will fail again; some op in it must be set aside. Only when Qala
/// itself said so (its error body; `code` is "http" otherwise): a proxy in front that refuses
/// every push is a fault to wait out, not a reason to set the resident's ops aside.
fn refused_whole(status: u16, code: &str) -> bool {
    matches!(status, 400 | 413 | 422) && code != super::api::NOT_QALA
}

/// Delay after `failures` consecutive failed cycles.
pub fn backoff(failures: u32) -> Duration {
    let base = 1u64 << failures.saturating_sub(1).min(9);
    let secs = base.min(300) as f64;
    Duration::from_secs_f64(secs * rand::rng().random_range(0.8..1.2))
}

/// Start, nudge ("sync now") and stop the background engine.
pub struct SyncHandle {
    nudge: Arc<Notify>,
    stop: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl SyncHandle {
    pub fn sync_now(&self) {
        self.nudge.notify_one();
    }

    pub async fn stop(self) {
        self.stop.notify_one();
        let _ = self.task.await;
    }

    /// Stops, letting a running cycle finish for up to `grace`, then cuts it off. Cutting off is
    /// safe for the phone's data (every step stores its progress before the next network call); a
    /// token refresh cut off mid-way loses the rotated token, so the grace comes first.
    pub async fn stop_within(mut self, grace: Duration) {
        self.stop.notify_one();
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            self.task.abort();
            let _ = self.task.await;
        }
    }
}

/// Applies a page pulled after `cursor` for the scope `districts` and stores its cursor, in one
/// transaction; `None` (and nothing applied) if the phone is not there any more: the resident
/// changed the districts, or the stored cursor moved (a district dropped, a start over), while the
/// page was on its way. Returns the events the page means for the resident.
pub fn apply_page(
    core: &Core,
    page: &PullResponse,
    cursor: &str,
    districts: &[String],
) -> CoreResult<Option<Vec<SyncEvent>>> {
    let mut events = Vec::new();
    let mut conn = core.db();
    let tx = conn.transaction()?;
    let now = crate::capture::districts_of(db::meta_get(&tx, &Core::setting_key(Setting::Districts))?.as_deref());
    if now != districts || db::meta_get(&tx, db::key::CURSOR)?.unwrap_or_default() != cursor {
        return Ok(None);
    }
    for change in &page.changes {
        let applied = entities::apply(&tx, change)?;
        events.extend(report_events(change, &applied));
    }
    db::meta_set(&tx, db::key::CURSOR, &page.next_cursor)?;
    tx.commit()?;
    Ok(Some(events))
}

/// Events a pulled report change means for the resident: a new status, a new answer.
fn report_events(change: &Change, applied: &Applied) -> Vec<SyncEvent> {
    let (Some(Entity::Report(new)), Applied::Stored { before }) = (&change.entity, applied) else {
        return vec![];
    };
    if change.kind != EntityKind::Report {
        return vec![];
    }
    let old: Option<Report> = before.as_deref().and_then(|b| serde_json::from_str(b).ok());
    let mut events = Vec::new();
    if old.as_ref().map(|o| o.status) != Some(new.status) {
        events.push(SyncEvent::StatusChanged { report: new.id, status: new.status });
    }
    let had_answer = old.as_ref().and_then(|o| o.answer.as_ref()).map(|a| a.at);
    if let Some(a) = &new.answer
        && had_answer != Some(a.at)
    {
        events.push(SyncEvent::NewAnswer { report: new.id });
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let first = backoff(1).as_secs_f64();
        assert!((0.8..=1.2).contains(&first));
        let tenth = backoff(10).as_secs_f64();
        assert!((240.0..=360.0).contains(&tenth));
        assert!(backoff(50).as_secs_f64() <= 360.0);
    }
}
