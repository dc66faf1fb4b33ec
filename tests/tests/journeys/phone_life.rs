//! What a phone lives through beyond a sync cycle, against a real qala-server on loopback: signing
//! out (on the server too, later when offline), switching servers, starting over after a 410, and
//! videos that wait for Wi-Fi until the resident says otherwise.

use crate::phone::*;
use qala_core::sync::api::Api;
use qala_core::sync::{NetworkKind, SyncEngine};
use qala_core::{CoreError, sync::api::Roots};
use qala_protocol::*;
use std::sync::Arc;

/// Whether the server still honours a refresh token (a second phone holding a copy of it, say).
async fn refresh_works(server: &Server, refresh_token: &str, device_id: &str) -> bool {
    match Api::with_roots(&server.url(), Roots::Platform).refresh(refresh_token, device_id).await {
        Ok(_) => true,
        Err(CoreError::SignedOut) => false,
        Err(e) => panic!("unexpected answer: {e}"),
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let server = Server::start().await;
    let (dir, core, engine) = signed_in(&server, "+77015550301").await;
    let refresh = phone_meta(dir.path(), "refresh_token").expect("signed in");
    engine.sign_out().unwrap();
    assert!(!core.sync_status().unwrap().signed_in, "signed out here at once");
    engine.sync_once().await.unwrap_err();
    assert!(!refresh_works(&server, &refresh, core.device_id()).await, "the old refresh token is dead on the server");
    assert_eq!(engine.revoke_pending().await.unwrap(), 0, "nothing left to send");
}

#[tokio::test]
async fn a_sign_out_done_offline_reaches_the_server_when_it_returns() {
    let mut server = Server::start().await;
    let (dir, core, engine) = signed_in(&server, "+77015550302").await;
    let refresh = phone_meta(dir.path(), "refresh_token").unwrap();
    server.stop().await;
    engine.sign_out().unwrap();
    assert_eq!(engine.revoke_pending().await.unwrap(), 1, "kept while the server is away");
    assert!(!core.sync_status().unwrap().signed_in);
    server.restart().await;
    let _ = engine.sync_once().await;
    assert_eq!(engine.revoke_pending().await.unwrap(), 0);
    assert!(!refresh_works(&server, &refresh, core.device_id()).await);
}

#[tokio::test]
async fn another_server_gets_nothing_of_the_old_one_and_the_outbox_goes_with_the_resident() {
    let old = Server::start().await;
    let new = Server::start().await;
    let (dir, core, engine) = signed_in(&old, "+77015550303").await;
    let refresh = phone_meta(dir.path(), "refresh_token").unwrap();
    // Something pulled from the old server, an upload begun there, and a report not yet sent.
    let sent = capture(&core, "road_repair", &[1]);
    engine.push_now().await.unwrap();
    let waiting = capture_video(&core, 600_000, &[]);
    assert!(core.my_report(sent).unwrap().is_some());
    assert!(core.unsent_count().unwrap() > 0);

    engine.leave_server().unwrap();
    assert!(!core.sync_status().unwrap().signed_in, "no token goes to the new server");
    assert!(phone_meta(dir.path(), "cursor").is_none(), "the old cursor means nothing on the new server");
    assert!(core.news().unwrap().is_empty(), "the old server's news is gone");
    let next = Arc::new(SyncEngine::new(core.clone(), &new.url()));
    let _ = next.sync_once().await;
    assert!(!refresh_works(&old, &refresh, core.device_id()).await, "the old session ended on the old server");

    next.request_code("+77015550303").await.unwrap();
    next.sign_in("+77015550303", &new.code("+77015550303")).await.unwrap();
    next.set_network(NetworkKind::Unmetered);
    next.sync_once().await.unwrap();
    let there = core.my_report(waiting).unwrap().unwrap();
    assert!(there.report.is_some(), "the waiting report reached the new server");
    assert!(there.media.iter().all(|m| m.uploaded), "its video went to the new server");
    assert!(!core.news().unwrap().is_empty(), "the new server's news came");
}

#[tokio::test]
async fn starting_over_after_a_410_keeps_the_marks_of_my_comments_and_flags() {
    let server = Server::start().await;
    let (_a, me, my_sync) = signed_in(&server, "+77015550304").await;
    let (_b, other, other_sync) = signed_in(&server, "+77015550305").await;
    let project = me.projects().unwrap()[0].id;
    let mine = me.comment(project, None, "Нужна велодорожка", Position::For).unwrap();
    let theirs = other.comment(project, None, "Реклама: дешёвые часы", Position::Neutral).unwrap();
    other_sync.sync_once().await.unwrap();
    my_sync.sync_once().await.unwrap();
    me.flag_comment(theirs, Some("spam")).unwrap();
    my_sync.sync_once().await.unwrap();
    assert_eq!(me.sync_status().unwrap().queued_ops, 0);

    server.raise_retention_floor();
    my_sync.sync_once().await.unwrap();
    assert!(me.comments(project).unwrap().iter().any(|v| v.comment.id == mine), "pulled again");
    assert!(me.my_comments().unwrap().contains(&mine), "still marked mine");
    assert!(me.my_flags().unwrap().contains(&theirs), "still marked flagged");
    assert!(!me.categories(Lang::Ru).unwrap().is_empty(), "the catalogue came back");
}

#[tokio::test]
async fn videos_waiting_for_wifi_are_shown_and_can_be_sent_anyway() {
    let server = Server::start().await;
    let (_dir, core, engine) = signed_in(&server, "+77015550306").await;
    core.set_setting(qala_protocol::Setting::VideoWifiOnly, "true").unwrap();
    let id = capture_video(&core, 600_000, &[]);
    // A fresh engine knows nothing about the network: it holds the video and says so.
    engine.sync_once().await.unwrap();
    assert_eq!(engine.status().unwrap().waiting_for_wifi, 1);
    engine.set_network(NetworkKind::Cellular);
    engine.sync_once().await.unwrap();
    assert!(!core.my_report(id).unwrap().unwrap().media[0].uploaded);
    // "Send now anyway".
    engine.send_videos_now();
    assert_eq!(engine.status().unwrap().waiting_for_wifi, 0, "no longer waiting: it goes now");
    engine.sync_once().await.unwrap();
    assert!(core.my_report(id).unwrap().unwrap().media[0].uploaded);
    // The override was for that video: the next one waits again.
    capture_video(&core, 300_000, &[]);
    engine.sync_once().await.unwrap();
    assert_eq!(engine.status().unwrap().waiting_for_wifi, 1);
}
