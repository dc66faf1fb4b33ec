//! Bad networks and crashes: nothing lost, nothing duplicated, uploads resume.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::phone::proxy::Proxy;
use crate::phone::*;
use chrono::Utc;
use qala_core::Core;
use qala_core::sync::SyncEngine;
use qala_protocol::*;
use sha2::{Digest, Sha256};

/// Syncs until everything is out and in, retrying after every failure (as the backoff loop would).
async fn sync_until_done(core: &Core, engine: &SyncEngine, max_attempts: usize) -> usize {
    for attempt in 1..=max_attempts {
        if engine.sync_once().await.is_ok() {
            let s = core.sync_status().unwrap();
            if s.queued_ops == 0 && s.pending_uploads == 0 {
                return attempt;
            }
        }
    }
    panic!("not synced after {max_attempts} attempts");
}

/// The server's side of one resident's data, in a comparable form.
async fn server_view(server: &Server, dir: &Path) -> Vec<(String, String, Vec<String>)> {
    let (all, _) = server
        .state
        .store
        .list_reports(None, &ReportQuery { limit: Some(500), ..Default::default() }, Utc::now())
        .await
        .unwrap();
    let mut view: Vec<_> = all
        .iter()
        .map(|r| {
            let shas = r
                .media
                .iter()
                .map(|m| {
                    assert_eq!(m.state, MediaState::Received, "media complete on the server");
                    let ext = if m.kind == MediaKind::Video { "mp4" } else { "jpg" };
                    let local = std::fs::read(dir.join("media").join(format!("{}.{ext}", m.id))).unwrap();
                    let sha = hex(&Sha256::digest(&local));
                    assert_eq!(m.sha256.as_deref(), Some(sha.as_str()), "server bytes equal the prepared file");
                    sha
                })
                .collect();
            (r.category.clone(), r.description.clone(), shas)
        })
        .collect();
    view.sort();
    view
}

#[tokio::test]
async fn two_hundred_reports_through_a_connection_cutting_network() {
    // One phone sends 200 reports: far past a resident's daily quota, so this test lifts it.
    let mut settings = qala_server::app::Settings::new("ALA");
    settings.quotas.reports_per_day = 10_000;
    let server = Server::start_with(settings).await;
    let proxy = Proxy::start(server.addr, 0).await;
    let (dir, core, engine) = signed_in_via(&server, &proxy.url(), "+77015551001").await;
    engine.sync_once().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..200u32 {
        let d = core.start_draft().unwrap();
        core.attach_photo(d, &small_photo(i)).unwrap();
        core.set_location(d, &here()).unwrap();
        core.set_category(d, "territory_cleaning").unwrap();
        core.set_description(d, &format!("Мусор во дворе №{i}")).unwrap();
        ids.push(core.submit(d).unwrap());
    }
    proxy.cut_per_mille.store(300, Ordering::Relaxed);
    let attempts = sync_until_done(&core, &engine, 2000).await;
    proxy.cut_per_mille.store(0, Ordering::Relaxed);
    engine.sync_once().await.unwrap();
    let cut = proxy.stats.cut.load(Ordering::Relaxed);
    assert!(cut > 20, "the network really cut connections ({cut})");
    eprintln!(
        "synced after {attempts} attempts; {cut} of {} requests cut",
        proxy.stats.requests.load(Ordering::Relaxed)
    );

    let view = server_view(&server, dir.path()).await;
    assert_eq!(view.len(), 200, "no report lost, none duplicated");
    let descriptions: HashSet<_> = view.iter().map(|v| v.1.clone()).collect();
    assert_eq!(descriptions.len(), 200);
    let mine = core.my_reports().unwrap();
    assert_eq!(mine.len(), 200);
    let numbers: HashSet<_> = mine
        .iter()
        .map(|r| {
            assert_eq!(r.sync, SyncState::Sent);
            assert!(r.media.iter().all(|m| m.uploaded));
            r.report.as_ref().expect("registered").registration_number.clone()
        })
        .collect();
    assert_eq!(numbers.len(), 200);
}

/// Runs a sync cycle until the proxy's crash trigger fires, then "kills the phone": the engine and
/// the store are dropped mid-cycle, and both are opened again from the same folder.
async fn crash_and_reopen(
    proxy: &Proxy,
    dir: &Path,
    core: Arc<Core>,
    engine: Arc<SyncEngine>,
) -> (Arc<Core>, SyncEngine) {
    tokio::select! {
        _ = engine.sync_once() => panic!("the cycle finished before the crash"),
        _ = proxy.stats.crash.notified() => {}
    }
    drop(engine);
    drop(core);
    proxy.stats.crash_at_request.store(0, Ordering::Relaxed);
    proxy.stats.crash_at_byte.store(0, Ordering::Relaxed);
    let core = Arc::new(Core::open(dir).unwrap());
    let engine = SyncEngine::new(core.clone(), &proxy.url());
    (core, engine)
}

/// One resident's work: two reports with photos and a comment.
fn queue_work(core: &Core) {
    let project = core.projects().unwrap()[0].id;
    for (i, cat) in ["road_repair", "street_lighting"].iter().enumerate() {
        let d = core.start_draft().unwrap();
        core.attach_photo(d, &photo_bytes(i as u8)).unwrap();
        core.set_location(d, &here()).unwrap();
        core.set_category(d, cat).unwrap();
        core.set_description(d, &format!("Проблема {i}")).unwrap();
        core.submit(d).unwrap();
    }
    core.comment(project, None, "За", Position::For).unwrap();
}

/// The phone's side, in a comparable form: my reports, and the public reports of its scope it holds.
type PhoneView = (Vec<(String, String, SyncState, bool, Option<ReportStatus>)>, Vec<(String, String, ReportStatus)>);

fn phone_view(core: &Core) -> PhoneView {
    let mut mine: Vec<_> = core
        .my_reports()
        .unwrap()
        .into_iter()
        .map(|r| (r.category, r.description, r.sync, r.media.iter().all(|m| m.uploaded), r.report.map(|x| x.status)))
        .collect();
    mine.sort_by(|a, b| a.0.cmp(&b.0));
    let mut public: Vec<_> =
        core.feed(None, u32::MAX).unwrap().into_iter().map(|r| (r.district, r.description, r.status)).collect();
    public.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    (mine, public)
}

/// Neighbours' reports: one in the phone's district (where `here()` is), one in another.
async fn neighbours(server: &Server) {
    let p = here();
    server.neighbour_report(p.lat + 0.001, p.lon).await;
    let far = qala_protocol::districts::find("turksib").unwrap();
    server.neighbour_report(far.lat, far.lon).await;
}

#[tokio::test]
async fn a_crash_at_any_step_of_a_sync_cycle_ends_in_the_same_state() {
    // The reference run, and how many requests a full cycle makes.
    let reference_server = Server::start().await;
    neighbours(&reference_server).await;
    let proxy = Proxy::start(reference_server.addr, 0).await;
    let (dir, core, engine) = signed_in_via(&reference_server, &proxy.url(), "+77015552000").await;
    engine.sync_once().await.unwrap();
    queue_work(&core);
    let before = proxy.stats.requests.load(Ordering::Relaxed);
    engine.sync_once().await.unwrap();
    let steps = proxy.stats.requests.load(Ordering::Relaxed) - before;
    let reference_phone = phone_view(&core);
    assert_eq!(reference_phone.1.len(), 3, "my two reports and the neighbour's of my district");
    let reference_server_view = server_view(&reference_server, dir.path()).await;
    assert!(steps >= 6, "a cycle has push, uploads and pull ({steps} requests)");

    for crash_at in 1..=steps {
        let server = Server::start().await;
        neighbours(&server).await;
        let proxy = Proxy::start(server.addr, 0).await;
        let (dir, core, engine) = signed_in_via(&server, &proxy.url(), "+77015552000").await;
        engine.sync_once().await.unwrap();
        queue_work(&core);
        let start = proxy.stats.requests.load(Ordering::Relaxed);
        proxy.stats.crash_at_request.store(start + crash_at, Ordering::Relaxed);
        let (core, engine) = crash_and_reopen(&proxy, dir.path(), core, engine).await;
        sync_until_done(&core, &engine, 5).await;
        engine.sync_once().await.unwrap();
        assert_eq!(phone_view(&core), reference_phone, "phone state after a crash at step {crash_at}");
        let sv = server_view(&server, dir.path()).await;
        assert_eq!(sv.len(), reference_server_view.len(), "server state after a crash at step {crash_at}");
        let project = core.projects().unwrap()[0].id;
        let mine = core.comments(project).unwrap().into_iter().filter(|v| v.comment.body == "За").count();
        assert_eq!(mine, 1, "one comment after a crash at step {crash_at}");
    }
}

#[tokio::test]
async fn a_resumed_video_upload_resends_at_most_one_chunk() {
    let server = Server::start().await;
    let proxy = Proxy::start(server.addr, 0).await;
    let (dir, core, engine) = signed_in_via(&server, &proxy.url(), "+77015553000").await;
    engine.sync_once().await.unwrap();
    let video = sample_video(2 * 1024 * 1024);
    let d = core.start_draft().unwrap();
    core.attach_video(d, video.clone()).unwrap();
    core.set_location(d, &here()).unwrap();
    core.set_category(d, "flooding").unwrap();
    core.submit(d).unwrap();
    let start = proxy.stats.upstream_bytes.load(Ordering::Relaxed);
    // Crash after about 1.1 MB of the 2 MB went out: in the middle of the fifth chunk.
    proxy.stats.crash_at_byte.store(start + 1_150_000, Ordering::Relaxed);
    let (core, engine) = crash_and_reopen(&proxy, dir.path(), core, engine).await;
    sync_until_done(&core, &engine, 5).await;
    let total = proxy.stats.upstream_bytes.load(Ordering::Relaxed) - start;
    let chunk = qala_core::sync::engine::CHUNK as u64;
    let overhead = 64 * 1024;
    assert!(
        total <= video.len() as u64 + chunk + overhead,
        "sent {total} bytes for a {} byte video: more than one chunk was sent twice",
        video.len()
    );
    let view = server_view(&server, dir.path()).await;
    assert_eq!(view.len(), 1);
}
