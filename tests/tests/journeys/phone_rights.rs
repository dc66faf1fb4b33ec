//! A resident's rights from the phone, against a real qala-server on loopback: the file "Download
//! my data" writes, a report with its author's name taken off, and an account deleted with
//! everything the phone held of it.

use base64::Engine;

use crate::phone::*;
use qala_protocol::*;

#[tokio::test]
async fn download_my_data_writes_one_file_with_my_reports_and_my_photos() {
    let server = Server::start().await;
    let (_dir, core, engine) = signed_in(&server, "+77015550401").await;
    let id = capture(&core, "road_repair", &[1]);
    engine.sync_once().await.unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = engine.export_my_data(out.path()).await.unwrap();
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).expect("one JSON file");
    let data: PersonalData = serde_json::from_value(file["data"].clone()).unwrap();
    assert_eq!(data.account.phone.as_deref(), Some("+77015550401"));
    assert_eq!(data.reports.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    let files = file["files"].as_array().unwrap();
    assert_eq!((files.len(), data.media.len()), (1, 1));
    let bytes = base64::engine::general_purpose::STANDARD.decode(files[0]["base64"].as_str().unwrap()).unwrap();
    let sha = qala_journeys::server::sha_hex(&bytes);
    assert_eq!((sha.as_str(), files[0]["sha256"].as_str().unwrap()), (data.media[0].sha256.as_str(), sha.as_str()));
}

#[tokio::test]
async fn a_report_with_my_name_taken_off_leaves_my_phone_and_stays_public() {
    let server = Server::start().await;
    let (_mine, core, engine) = signed_in(&server, "+77015550402").await;
    let (_theirs, _other, other_engine) = signed_in(&server, "+77015550403").await;
    let id = capture(&core, "road_repair", &[]);
    engine.sync_once().await.unwrap();
    engine.anonymise_report(id).await.unwrap();
    assert!(core.my_report(id).unwrap().is_none(), "gone from my list at once");
    engine.sync_once().await.unwrap();
    assert!(core.my_report(id).unwrap().is_none(), "and nothing brings it back");
    assert!(other_engine.public_report(id).await.unwrap().is_some(), "the city still sees it");
}

#[tokio::test]
async fn deleting_my_account_wipes_this_phone_and_signs_it_out() {
    let server = Server::start().await;
    let phone = "+77015550404";
    let (dir, core, engine) = signed_in(&server, phone).await;
    let sent = capture(&core, "road_repair", &[2]);
    engine.sync_once().await.unwrap();
    let draft = core.start_draft().unwrap();
    core.set_description(draft, "Недописанное").unwrap();
    let device = core.device_id().to_string();

    engine.delete_account(ReportsOnDeletion::Withdraw).await.unwrap();
    assert!(!core.sync_status().unwrap().signed_in);
    assert!(core.my_reports().unwrap().is_empty());
    assert_eq!(core.unsent_count().unwrap(), 0);
    assert!(core.draft(draft).is_err(), "drafts go too");
    assert!(std::fs::read_dir(core.media_dir()).unwrap().next().is_none(), "no photo left on the phone");
    assert!(phone_meta(dir.path(), "cursor").is_none());
    assert_eq!(core.device_id(), device, "the installation stays");
    // The server withdrew the report still worked; the number signs in as a new account.
    assert!(engine.public_report(sent).await.is_err(), "signed out: nothing online");
    engine.request_code(phone).await.unwrap();
    engine.sign_in(phone, &server.code(phone)).await.unwrap();
    engine.sync_once().await.unwrap();
    assert!(core.my_reports().unwrap().is_empty(), "nothing of the old account comes back");
    assert!(engine.public_report(sent).await.unwrap().is_none(), "withdrawn: not public");
}

#[tokio::test]
async fn a_deletion_whose_answer_was_lost_still_wipes_the_phone() {
    use qala_core::sync::api::{Api, Roots};
    let server = Server::start().await;
    let (dir, core, engine) = signed_in(&server, "+77015550405").await;
    capture(&core, "road_repair", &[]);
    engine.sync_once().await.unwrap();
    // The deletion reached the server; its answer never reached the phone.
    qala_core::rights::mark_deleting(&core).unwrap();
    let token = phone_meta(dir.path(), "access_token").unwrap();
    Api::with_roots(&server.url(), Roots::Platform).delete_account(&token, ReportsOnDeletion::Anonymise).await.unwrap();
    assert!(!core.my_reports().unwrap().is_empty());
    // The next cycle finds the session ended and finishes the job.
    let _ = engine.sync_once().await;
    assert!(core.my_reports().unwrap().is_empty());
    assert!(!core.sync_status().unwrap().signed_in);
}

#[tokio::test]
async fn a_refused_deletion_leaves_everything_as_it_was() {
    let server = Server::start().await;
    let (_dir, core, engine) = signed_in(&server, "+77015550406").await;
    let id = capture(&core, "road_repair", &[]);
    engine.sync_once().await.unwrap();
    // A sign-out elsewhere ended the session: the server refuses, nothing is deleted there or here.
    engine.sign_out().unwrap();
    assert!(engine.delete_account(ReportsOnDeletion::Anonymise).await.is_err());
    assert!(core.my_report(id).unwrap().is_some());
    assert!(!qala_core::rights::deleting(&core).unwrap(), "the question is closed");
}
