//! The phone core against a real qala-server on loopback (in this process, on a real socket), with
//! real SQLite files on both sides.

use crate::phone::*;
use chrono::Utc;
use qala_core::sync::SyncEvent;
use qala_core::{Core, CoreError};
use qala_protocol::*;
use qala_server::domain::reports::Action;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn offline_reports_and_a_comment_arrive_whole_after_the_server_returns() {
    let mut server = Server::start().await;
    let (dir, core, engine) = signed_in(&server, "+77015550001").await;
    assert_eq!(core.categories(Lang::Kk).unwrap().len(), 21, "the catalogue was pulled");
    let project = core.projects().unwrap()[0].id;

    server.stop().await;
    let ids = [
        capture(&core, "street_lighting", &[1, 2]),
        capture(&core, "road_repair", &[3]),
        capture(&core, "yards_playgrounds", &[4, 5]),
    ];
    let comment = core.comment(project, None, "Поддерживаю проект", Position::For).unwrap();
    // Offline: everything is queued, nothing is lost, the failure is reported.
    assert!(matches!(engine.sync_once().await, Err(CoreError::Offline(_))));
    let status = core.sync_status().unwrap();
    assert_eq!((status.queued_ops, status.pending_uploads), (4, 5));
    assert!(status.last_error.is_some());
    let mine = core.my_reports().unwrap();
    assert_eq!(mine.len(), 3);
    assert!(mine.iter().all(|r| r.sync == SyncState::Queued && r.report.is_none()));

    server.restart().await;
    let summary = engine.sync_once().await.unwrap();
    assert_eq!((summary.pushed, summary.uploaded), (4, 5));
    let status = core.sync_status().unwrap();
    assert_eq!((status.queued_ops, status.pending_uploads, status.rejected_ops), (0, 0, 0));
    assert!(status.last_error.is_none());

    // The server holds exactly these three, with media equal to the prepared files.
    let (all, total) = server.state.store.list_reports(None, &ReportQuery::default(), Utc::now()).await.unwrap();
    assert_eq!(total, 3);
    let year = qala_server::domain::reports::registration_year(Utc::now());
    for id in ids {
        let on_server = all.iter().find(|r| r.id == id).expect("report on the server");
        let mine = core.my_report(id).unwrap().unwrap();
        assert_eq!(mine.sync, SyncState::Sent);
        let registered = mine.report.expect("registration pulled back");
        assert!(registered.registration_number.starts_with(&format!("ALA-{year}-")));
        assert!(registered.deadline > registered.registered_at);
        assert_eq!(registered.status, ReportStatus::Registered);
        for m in &on_server.media {
            assert_eq!(m.state, MediaState::Received);
            let local = std::fs::read(dir.path().join("media").join(format!("{}.jpg", m.id))).unwrap();
            assert_eq!(m.sha256.as_deref(), Some(hex(&Sha256::digest(&local)).as_str()));
        }
        assert!(mine.media.iter().all(|m| m.uploaded));
    }
    let comments = core.comments(project).unwrap();
    let v = comments.iter().find(|v| v.comment.id == comment).unwrap();
    assert_eq!(v.sync, SyncState::Sent);
    assert!(v.mine, "written on this phone");
    assert!(v.comment.author.starts_with("Qala-"), "the server's copy with my pseudonym replaced the local one");
}

#[tokio::test]
async fn answers_arrive_with_events_and_a_low_rating_reopens() {
    let server = Server::start().await;
    let (_dir, core, engine) = signed_in(&server, "+77015550002").await;
    let id = capture(&core, "open_manhole", &[9]);
    engine.sync_once().await.unwrap();
    let mut events = engine.subscribe();
    server.act(id, Action::Answer { text: "Люк закрыт".into(), media: vec![] }).await;
    engine.sync_once().await.unwrap();
    let mut seen = Vec::new();
    while let Ok(e) = events.try_recv() {
        seen.push(e);
    }
    assert!(seen.contains(&SyncEvent::StatusChanged { report: id, status: ReportStatus::Done }));
    assert!(seen.contains(&SyncEvent::NewAnswer { report: id }));
    core.rate(id, 2, Some("Люк снова открыт")).unwrap();
    engine.sync_once().await.unwrap();
    let r = core.my_report(id).unwrap().unwrap().report.unwrap();
    assert_eq!(r.status, ReportStatus::Reopened);
    assert_eq!(r.rating.map(|r| r.stars), Some(2));
}

#[tokio::test]
async fn a_pulled_change_never_overwrites_a_local_object_with_unsent_ops() {
    let server = Server::start().await;
    let (_dir, core, engine) = signed_in(&server, "+77015550003").await;
    let id = capture(&core, "sidewalks", &[]);
    engine.sync_once().await.unwrap();
    // The resident withdraws (queued); meanwhile the agency assigns it.
    core.withdraw(id, Some("Уже починили сами")).unwrap();
    server.act(id, Action::Assign { executor: "Бригада 1".into(), note: None }).await;
    engine.pull_now().await.unwrap();
    let mine = core.my_report(id).unwrap().unwrap();
    assert_eq!(mine.report.unwrap().status, ReportStatus::Withdrawn, "local state kept while the op is unsent");
    assert_eq!(mine.sync, SyncState::Queued);
    // Once sent, the server's word is final.
    engine.sync_once().await.unwrap();
    let mine = core.my_report(id).unwrap().unwrap();
    assert_eq!(mine.sync, SyncState::Sent);
    let r = mine.report.unwrap();
    assert_eq!(r.status, ReportStatus::Withdrawn);
    assert_eq!(r.executor.as_deref(), Some("Бригада 1"), "the server's history is there");
}

#[tokio::test]
async fn a_rejected_op_stays_visible_and_the_server_state_returns() {
    let server = Server::start().await;
    let (_dir, core, engine) = signed_in(&server, "+77015550004").await;
    let id = capture(&core, "elevators", &[]);
    engine.sync_once().await.unwrap();
    // Rating a report that has no answer yet is refused by the server.
    core.rate(id, 5, None).unwrap();
    let s = engine.sync_once().await.unwrap();
    assert_eq!(s.rejected, 1);
    let mine = core.my_report(id).unwrap().unwrap();
    assert!(matches!(&mine.sync, SyncState::Rejected { code, .. } if code == "wrong_status"));
    assert_eq!(core.sync_status().unwrap().rejected_ops, 1);
    let r = mine.report.unwrap();
    assert_eq!(r.status, ReportStatus::Registered);
    assert_eq!(r.rating, None, "the refused local rating is rolled back to the server's state");
}

#[tokio::test]
async fn capture_errors_are_clear_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let core = Core::open(dir.path()).unwrap();
    let d = core.start_draft().unwrap();
    core.set_description(d, "Текст, который нельзя потерять").unwrap();
    let err = core.attach_photo(d, b"not a photo").unwrap_err();
    assert!(matches!(err, CoreError::Media(_)));
    let draft = core.draft(d).unwrap();
    assert_eq!(draft.description, "Текст, который нельзя потерять");
    assert!(draft.error.unwrap().contains("not a photo"));
    let zero = Location { lat: 0.0, lon: 0.0, ..here() };
    assert!(core.set_location(d, &zero).is_err(), "a 0,0 fix is never stored");
    assert!(core.submit(d).is_err(), "no location yet");
    core.set_location(d, &here()).unwrap();
    assert!(core.draft(d).unwrap().error.is_none(), "a success clears the error");
    core.set_category(d, "road_repair").unwrap();
    let id = core.submit(d).unwrap();
    assert_eq!(core.my_reports().unwrap()[0].id, id);
    assert_eq!(core.sync_status().unwrap().queued_ops, 1);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_without_the_resident_noticing() {
    let mut settings = qala_server::app::Settings::new("ALA");
    settings.tokens.access_ttl = chrono::Duration::seconds(1);
    let server = Server::start_with(settings).await;
    let (_dir, core, engine) = signed_in(&server, "+77015550005").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    capture(&core, "heating", &[]);
    engine.sync_once().await.unwrap();
    assert_eq!(core.sync_status().unwrap().queued_ops, 0);
    assert!(core.sync_status().unwrap().signed_in);
}

#[tokio::test]
async fn videos_wait_for_wifi_when_asked_and_photos_go_first() {
    let server = Server::start().await;
    let (_dir, core, engine) = signed_in(&server, "+77015550006").await;
    core.set_setting(qala_protocol::Setting::VideoWifiOnly, "true").unwrap();
    let id = capture_video(&core, 600_000, &[7]);
    engine.set_network(qala_core::sync::NetworkKind::Cellular);
    engine.sync_once().await.unwrap();
    let mine = core.my_report(id).unwrap().unwrap();
    let photo = mine.media.iter().find(|m| m.kind == MediaKind::Photo).unwrap();
    let video = mine.media.iter().find(|m| m.kind == MediaKind::Video).unwrap();
    assert!(photo.uploaded && !video.uploaded, "on mobile data only the photo went");
    assert_eq!(core.sync_status().unwrap().pending_uploads, 1);
    engine.set_network(qala_core::sync::NetworkKind::Unmetered);
    engine.sync_once().await.unwrap();
    assert!(core.my_report(id).unwrap().unwrap().media.iter().all(|m| m.uploaded));
    let r = core.my_report(id).unwrap().unwrap().report.unwrap();
    assert!(r.media.iter().all(|m| m.state == MediaState::Received), "{:?}", r.media);
}

#[tokio::test]
async fn the_background_engine_syncs_when_nudged_and_stops() {
    let server = Server::start().await;
    let (_dir, core, engine) = signed_in(&server, "+77015550007").await;
    let handle = engine.clone().spawn(std::time::Duration::from_secs(3600));
    let mut events = engine.subscribe();
    let id = capture(&core, "snow_removal", &[]);
    handle.sync_now();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(r) = core.my_report(id).unwrap().and_then(|r| r.report) {
            assert_eq!(r.status, ReportStatus::Registered);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the nudge did not sync");
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await;
    }
    handle.stop().await;
}

#[tokio::test]
async fn same_problem_nearby_works_offline_from_pulled_public_reports() {
    let server = Server::start().await;
    let (_d1, neighbour, n_engine) = signed_in(&server, "+77015550008").await;
    capture(&neighbour, "street_lighting", &[]);
    n_engine.sync_once().await.unwrap();
    // The resident starts a report here: the phone follows this district from now on, and the
    // next pull brings its reports.
    let (_d2, core, engine) = signed_in(&server, "+77015550009").await;
    let draft = core.start_draft().unwrap();
    core.set_location(draft, &here()).unwrap();
    engine.sync_once().await.unwrap();
    let p = here();
    // 100 m north of the neighbour's report: offered; another category or 1 km away: not.
    let near = core.nearby("street_lighting", p.lat + 0.0009, p.lon, 250.0).unwrap();
    assert_eq!(near.len(), 1);
    assert!((80.0..120.0).contains(&near[0].1), "distance {}", near[0].1);
    assert!(core.nearby("road_repair", p.lat, p.lon, 250.0).unwrap().is_empty());
    assert!(core.nearby("street_lighting", p.lat + 0.009, p.lon, 250.0).unwrap().is_empty());
    // Nothing about the neighbour travels with it.
    assert!(core.my_reports().unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_refreshes_do_not_sign_the_resident_out() {
    let mut settings = qala_server::app::Settings::new("ALA");
    settings.tokens.access_ttl = chrono::Duration::seconds(1);
    let server = Server::start_with(settings).await;
    let (_dir, core, engine) = signed_in(&server, "+77015550010").await;
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (a, b) = tokio::join!(engine.push_now(), engine.pull_now());
        a.unwrap();
        b.unwrap();
    }
    assert!(core.sync_status().unwrap().signed_in);
}

#[tokio::test]
async fn a_damaged_local_file_is_parked_and_everything_else_syncs() {
    let server = Server::start().await;
    let (dir, core, engine) = signed_in(&server, "+77015550011").await;
    let broken = capture(&core, "greening", &[11]);
    let fine = capture(&core, "greening", &[12]);
    // A power cut left the first report's photo cut short on the phone.
    let media = core.my_report(broken).unwrap().unwrap().media[0].id;
    let path = dir.path().join("media").join(format!("{media}.jpg"));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    engine.sync_once().await.unwrap();
    let status = core.sync_status().unwrap();
    assert_eq!((status.queued_ops, status.pending_uploads, status.failed_uploads), (0, 0, 1));
    let b = core.my_report(broken).unwrap().unwrap();
    assert!(b.report.is_some(), "the report itself went out");
    assert!(b.media[0].error.as_deref().unwrap().contains("damaged"));
    assert!(core.my_report(fine).unwrap().unwrap().media.iter().all(|m| m.uploaded));
    // The server never got a half file under that id.
    assert!(server.state.store.media(media).await.unwrap().is_none());
}

#[tokio::test]
async fn flags_queue_offline_and_three_hide_a_comment_until_reviewed() {
    let mut server = Server::start().await;
    let (_d, author, author_sync) = signed_in(&server, "+77015550101").await;
    let project = author.projects().unwrap()[0].id;
    let comment = author.comment(project, None, "Купите дешёвые часы!", Position::Neutral).unwrap();
    author_sync.sync_once().await.unwrap();
    assert!(author.my_comments().unwrap().contains(&comment), "mine, even under my pseudonym");
    let err = author.flag_comment(comment, None).unwrap_err();
    assert!(matches!(err, CoreError::Invalid(_)), "my own comment cannot be flagged: {err}");

    let mut phones = Vec::new();
    for n in 0..3 {
        let (dir, core, engine) = signed_in(&server, &format!("+7701555020{n}")).await;
        assert!(core.comments(project).unwrap().iter().any(|v| v.comment.id == comment));
        phones.push((dir, core, engine));
    }
    // Offline: the flags wait in the outbox, and flagging twice queues once.
    server.stop().await;
    for (_, core, _) in &phones {
        core.flag_comment(comment, Some("spam")).unwrap();
        core.flag_comment(comment, Some("spam")).unwrap();
        assert!(core.my_flags().unwrap().contains(&comment));
        assert_eq!(core.sync_status().unwrap().queued_ops, 1);
    }
    server.restart().await;
    for (_, core, engine) in &phones[..2] {
        engine.sync_once().await.unwrap();
        assert_eq!(core.sync_status().unwrap().rejected_ops, 0);
        assert!(core.comments(project).unwrap().iter().any(|v| v.comment.id == comment), "two flags keep it");
    }
    let (_, third, third_sync) = &phones[2];
    third_sync.sync_once().await.unwrap();
    assert!(!third.comments(project).unwrap().iter().any(|v| v.comment.id == comment), "the third hides it");
    author_sync.sync_once().await.unwrap();
    assert!(!author.comments(project).unwrap().iter().any(|v| v.comment.id == comment));

    // A moderator restores it; phones get it back, and flags no longer hide it.
    assert!(server.state.store.restore_comment(comment).await.unwrap());
    phones[0].2.sync_once().await.unwrap();
    assert!(phones[0].1.comments(project).unwrap().iter().any(|v| v.comment.id == comment));
}

/// Writes an op straight into the phone's outbox, as a phone of an older version (or a bug) might
/// have queued it, bypassing the checks the core makes before queueing.
fn queue_raw(dir: &std::path::Path, op: &Op, kind: &str, id: uuid::Uuid) {
    let conn = rusqlite::Connection::open(dir.join("qala.db")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    conn.execute(
        "INSERT INTO outbox (op_id, entity_kind, entity_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![
            op.id.to_string(),
            kind,
            id.to_string(),
            serde_json::to_string(op).unwrap(),
            qala_core::db::ts(Utc::now())
        ],
    )
    .unwrap();
}

#[tokio::test]
async fn an_op_the_server_refuses_whole_is_set_aside_and_the_rest_flows() {
    let server = Server::start().await;
    let (dir, core, engine) = signed_in(&server, "+77015550301").await;
    let project = core.projects().unwrap()[0].id;
    // Two reports far bigger than the server's push body limit (4 MiB): every batch carrying one
    // is answered 413 as a whole, and the ops around them would never be sent.
    let mut poison = Vec::new();
    let mut comments = Vec::new();
    for i in 0..12 {
        if i == 3 || i == 9 {
            let report = NewReport {
                id: uuid::Uuid::now_v7(),
                category: "road_repair".into(),
                description: "x".repeat(5 * 1024 * 1024),
                location: here(),
                address: None,
                media: vec![],
                created_at: Utc::now(),
            };
            let op = Op { id: uuid::Uuid::now_v7(), op: OpBody::CreateReport(report.clone()) };
            queue_raw(dir.path(), &op, "report", report.id);
            poison.push(op.id);
        }
        comments.push(core.comment(project, None, &format!("Комментарий №{i}"), Position::For).unwrap());
    }
    assert_eq!(core.sync_status().unwrap().queued_ops, 14);

    // A 413 closes its connection; a cut mid-body is only a retry, never a reason to give up.
    let mut first_try = None;
    for attempt in 0..3 {
        match engine.push_now().await {
            Ok(s) => {
                first_try = (attempt == 0).then_some(s);
                break;
            }
            Err(CoreError::Offline(e)) => eprintln!("retrying after: {e}"),
            Err(e) => panic!("a whole-batch refusal must not stop the push: {e}"),
        }
    }
    let status = core.sync_status().unwrap();
    assert_eq!((status.queued_ops, status.rejected_ops), (0, 2), "only the two oversized ops are set aside");
    if let Some(s) = first_try {
        assert_eq!((s.pushed, s.rejected), (12, 2));
    }
    // Stored like a per-op rejection: with the server's code and reason, for the resident to see.
    let conn = rusqlite::Connection::open(dir.path().join("qala.db")).unwrap();
    for id in &poison {
        let (code, reason): (String, String) = conn
            .query_row("SELECT rejected_code, rejected_reason FROM outbox WHERE op_id = ?1", [id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(code, "payload_too_large");
        assert!(!reason.is_empty());
    }
    // Every comment reached the server: the pulled copies carry my pseudonym, not the local "me".
    engine.sync_once().await.unwrap();
    let shown = core.comments(project).unwrap();
    for id in comments {
        let v = shown.iter().find(|v| v.comment.id == id).expect("comment kept");
        assert_ne!(v.comment.author, qala_core::actions::ME, "the server's copy arrived");
    }
    // The set-aside ops are not sent again.
    let again = engine.push_now().await.unwrap();
    assert_eq!((again.pushed, again.rejected), (0, 0));
}

#[test]
fn an_overlong_withdraw_reason_is_refused_before_queueing() {
    let dir = tempfile::tempdir().unwrap();
    let core = Core::open(dir.path()).unwrap();
    let err = core.withdraw(uuid::Uuid::now_v7(), Some(&"ы".repeat(NOTE_MAX_CHARS + 1))).unwrap_err();
    assert!(matches!(&err, CoreError::Invalid(f) if f.field == "reason"), "{err}");
    assert_eq!(core.sync_status().unwrap().queued_ops, 0);
}

#[tokio::test]
async fn a_report_over_the_daily_quota_waits_and_is_sent_when_the_quota_frees() {
    let mut settings = qala_server::app::Settings::new("ALA");
    settings.quotas.reports_per_day = 1;
    let server = Server::start_with(settings).await;
    let (dir, core, engine) = signed_in(&server, "+77015550041").await;
    let first = capture(&core, "heating", &[]);
    let second = capture(&core, "heating", &[]);
    engine.sync_once().await.unwrap();
    // The first is registered; the second is not rejected for good: it waits, queued.
    let mine = core.my_reports().unwrap();
    assert!(mine.iter().find(|r| r.id == first).unwrap().report.is_some());
    let waiting = mine.iter().find(|r| r.id == second).unwrap();
    assert_eq!(waiting.sync, SyncState::Queued);
    assert_eq!(core.sync_status().unwrap().rejected_ops, 0);
    // Until the quota frees up, nothing is sent again.
    let again = engine.sync_once().await.unwrap();
    assert_eq!(again.pushed + again.rejected, 0, "{again:?}");
    // Midnight comes (here: the wait is cut short, and the server's counter is another day's).
    let phone_db = rusqlite::Connection::open(dir.path().join("qala.db")).unwrap();
    qala_core::db::meta_set(&phone_db, "push_after", "0").unwrap();
    let after_tomorrow = Utc::now().date_naive() + chrono::Duration::days(2);
    qala_server::store::QuotaLedger::quota_prune(server.state.store.as_ref(), after_tomorrow).await.unwrap();
    engine.sync_once().await.unwrap();
    assert!(core.my_reports().unwrap().iter().find(|r| r.id == second).unwrap().report.is_some());
}
