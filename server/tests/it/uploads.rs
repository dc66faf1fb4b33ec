//! tus uploads: resume after a cut, checksums, fake files, size caps — and nothing half-stored.

use std::time::Duration;

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;
use uuid::Uuid;

fn offset_of(r: &reqwest::Response) -> usize {
    r.headers()["upload-offset"].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn options_advertises_the_extensions() {
    let server = TestServer::start();
    let c = Client::anonymous(&server);
    let r = c.request(reqwest::Method::OPTIONS, "/uploads").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["tus-version"], "1.0.0");
    assert_eq!(r.headers()["tus-extension"], "creation,checksum,expiration");
    assert_eq!(r.headers()["tus-checksum-algorithm"], "sha256");
}

#[tokio::test]
async fn an_upload_cut_mid_chunk_resumes_from_head_to_identical_bytes() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(20)).await;
    let data = jpeg(700_000, 7);
    let id = Uuid::now_v7();
    assert_eq!(c.tus_create(id, "photo", data.len(), Some(&sha_hex(&data))).await.status(), StatusCode::CREATED);
    // First chunk arrives whole.
    let r = c.tus_patch(id, 0, data[..123_457].to_vec(), true).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_of(&r), 123_457);
    // The second chunk (no checksum) breaks off after 200,001 bytes: the stream errors.
    let sent = data[123_457..323_458].to_vec();
    let stream = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(sent)),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "network cut")),
    ]);
    let cut = c
        .request(reqwest::Method::PATCH, &format!("/uploads/{id}"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "123457")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Content-Length", (data.len() - 123_457).to_string())
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    assert!(cut.is_err() || !cut.unwrap().status().is_success());
    tokio::time::sleep(Duration::from_millis(200)).await;
    // HEAD says how much arrived: at least the first chunk, at most what was sent.
    let head = c.tus_head(id).await;
    assert_eq!(head.status(), StatusCode::OK);
    let at = offset_of(&head);
    assert!((123_457..=323_458).contains(&at), "offset {at}");
    assert_eq!(head.headers()["upload-length"].to_str().unwrap(), data.len().to_string());
    // Resume from there in odd-sized chunks.
    let mut offset = at;
    while offset < data.len() {
        let end = (offset + 99_991).min(data.len());
        let r = c.tus_patch(id, offset, data[offset..end].to_vec(), true).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{}", r.text().await.unwrap());
        offset = end;
    }
    let got = c.get(&format!("/media/{id}")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(sha_hex(&got.bytes().await.unwrap()), sha_hex(&data));
    assert!(server.staged_uploads().is_empty(), "staging cleaned up");
    // HEAD after completion reports a complete upload; creating it again is harmless.
    let head = c.tus_head(id).await;
    assert_eq!(offset_of(&head), data.len());
    assert_eq!(c.tus_create(id, "photo", data.len(), None).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_wrong_offset_is_a_conflict() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(21)).await;
    let data = jpeg(10_000, 1);
    let id = Uuid::now_v7();
    c.tus_create(id, "photo", data.len(), None).await;
    let r = c.tus_patch(id, 5, data[5..].to_vec(), false).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(offset_of(&c.tus_head(id).await), 0);
}

#[tokio::test]
async fn a_wrong_chunk_checksum_is_460_and_keeps_nothing() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(22)).await;
    let data = jpeg(40_000, 2);
    let id = Uuid::now_v7();
    c.tus_create(id, "photo", data.len(), None).await;
    let r = c
        .request(reqwest::Method::PATCH, &format!("/uploads/{id}"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Checksum", format!("sha256 {}", base64_of(&[0u8; 32])))
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 460);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "checksum_mismatch");
    assert_eq!(offset_of(&c.tus_head(id).await), 0, "the bad chunk was discarded");
    assert!(server.stored_media().is_empty());
    assert!(server.staged_uploads().is_empty(), "nothing of the bad chunk was staged");
    // The same chunk with its right checksum goes through.
    assert_eq!(c.tus_patch(id, 0, data, true).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(server.stored_media().len(), 1);
}

#[tokio::test]
async fn a_whole_file_checksum_mismatch_is_460_and_keeps_nothing() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(23)).await;
    let data = jpeg(30_000, 3);
    let id = Uuid::now_v7();
    c.tus_create(id, "photo", data.len(), Some(&sha_hex(b"something else"))).await;
    let r = c.tus_patch(id, 0, data, false).await;
    assert_eq!(r.status().as_u16(), 460);
    assert!(server.stored_media().is_empty());
    assert!(server.staged_uploads().is_empty());
    assert_eq!(c.tus_head(id).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_text_file_named_jpeg_is_rejected_and_nothing_is_stored() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(24)).await;
    let fake = b"this is a text file renamed to photo.jpg\n".repeat(100);
    let id = Uuid::now_v7();
    let meta_ok = c.tus_create(id, "photo", fake.len(), None).await;
    assert_eq!(meta_ok.status(), StatusCode::CREATED);
    let r = c.tus_patch(id, 0, fake, true).await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error_code(&body), "unsupported_media");
    assert!(server.stored_media().is_empty());
    assert!(server.staged_uploads().is_empty());
    assert_eq!(c.tus_head(id).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(c.get(&format!("/media/{id}")).await.status(), StatusCode::NOT_FOUND);
    // A video declared as a photo is refused as well.
    let mp4 = [b"\0\0\0\x18ftypisom\0\0\0\0".as_slice(), &[0u8; 500]].concat();
    let id = Uuid::now_v7();
    c.tus_create(id, "photo", mp4.len(), None).await;
    assert_eq!(c.tus_patch(id, 0, mp4, false).await.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn oversize_is_413_at_creation_and_past_the_declared_length() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(25)).await;
    let r = c.tus_create(Uuid::now_v7(), "photo", (PHOTO_MAX_BYTES + 1) as usize, None).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let r = c.tus_create(Uuid::now_v7(), "video", (VIDEO_MAX_BYTES + 1) as usize, None).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        c.tus_create(Uuid::now_v7(), "video", VIDEO_MAX_BYTES as usize, None).await.status(),
        StatusCode::CREATED
    );
    // More bytes than declared.
    let id = Uuid::now_v7();
    c.tus_create(id, "photo", 1000, None).await;
    let r = c.tus_patch(id, 0, jpeg(1500, 1), false).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(offset_of(&c.tus_head(id).await), 0);
    assert!(server.stored_media().is_empty());
}

#[tokio::test]
async fn exif_is_stripped_on_the_server() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(26)).await;
    // Insert an EXIF block carrying a GPS text right after SOI.
    let clean = jpeg(20_000, 4);
    let exif_payload = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPS 43.2389N 76.8897E serial 12345";
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((exif_payload.len() + 2) as u16).to_be_bytes());
    seg.extend_from_slice(exif_payload);
    let dirty = [&clean[..2], &seg, &clean[2..]].concat();
    let id = Uuid::now_v7();
    c.upload(id, "photo", &dirty, 65_536).await;
    let got = c.get(&format!("/media/{id}")).await.bytes().await.unwrap();
    assert!(!got.windows(3).any(|w| w == b"GPS"));
    assert_eq!(got.as_ref(), clean.as_slice(), "only the metadata went");
}

#[tokio::test]
async fn protocol_errors_are_clear() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(27)).await;
    // Missing Tus-Resumable.
    let r = c.request(reqwest::Method::POST, "/uploads").header("Upload-Length", "10").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    // No id in the metadata.
    let r = c
        .request(reqwest::Method::POST, "/uploads")
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .header("Upload-Metadata", format!("kind {}", base64_of(b"photo")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Anonymous.
    let anon = Client::anonymous(&server);
    assert_eq!(anon.tus_create(Uuid::now_v7(), "photo", 10, None).await.status(), StatusCode::UNAUTHORIZED);
    // Wrong content type on PATCH.
    let id = Uuid::now_v7();
    c.tus_create(id, "photo", 10, None).await;
    let r = c
        .request(reqwest::Method::PATCH, &format!("/uploads/{id}"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .body(vec![0u8; 10])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Someone else's upload does not exist for me.
    let other = Client::resident(&server, &phone(28)).await;
    assert_eq!(other.tus_head(id).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(other.tus_patch(id, 0, vec![0; 10], false).await.status(), StatusCode::NOT_FOUND);
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn video_location_boxes_are_blanked_on_the_server() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(29)).await;
    let bx = |kind: &[u8; 4], body: &[u8]| [&((body.len() + 8) as u32).to_be_bytes()[..], kind, body].concat();
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&5000u32.to_be_bytes());
    let moov = bx(b"moov", &[bx(b"mvhd", &mvhd), bx(b"udta", &bx(b"\xA9xyz", b"+43.2389+076.8897/"))].concat());
    let video = [bx(b"ftyp", b"isom\0\0\0\0isom"), moov, bx(b"mdat", &[5u8; 3000])].concat();
    let id = Uuid::now_v7();
    c.upload(id, "video", &video, 1 << 20).await;
    let got = c.get(&format!("/media/{id}")).await.bytes().await.unwrap();
    assert_eq!(got.len(), video.len(), "nothing moves");
    assert!(!got.windows(4).any(|w| w == b"udta"));
    assert!(got.windows(4).any(|w| w == b"free"));
    assert_eq!(&got[got.len() - 3000..], &video[video.len() - 3000..]);
}

#[tokio::test]
async fn nobody_can_squat_a_media_id_of_someone_elses_report() {
    let server = TestServer::start();
    let pw = add_staff(server.dir.path(), "roads", "operator", Some("mobility"));
    let resident = Client::resident(&server, &phone(30)).await;
    let stranger = Client::resident(&server, &phone(31)).await;
    let op = Client::staff(&server, "roads", &pw).await;
    let photo = Uuid::now_v7();
    let report = new_report("road_repair", vec![DeclaredMedia { id: photo, kind: MediaKind::Photo }]);
    resident.push(vec![create_op(report.clone())]).await;
    // The report's photo id: only its author may upload under it.
    assert_eq!(stranger.tus_create(photo, "photo", 1000, None).await.status(), StatusCode::CONFLICT);
    assert_eq!(op.tus_create(photo, "photo", 1000, None).await.status(), StatusCode::CONFLICT);
    // The answer's photo-report id, visible to the resident while pending: only staff may.
    let after = Uuid::now_v7();
    let r = op
        .post(
            &format!("/operator/reports/{}/answer", report.id),
            &AnswerRequest { text: "Готово".into(), media: vec![after] },
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(resident.tus_create(after, "photo", 1000, None).await.status(), StatusCode::CONFLICT);
    op.upload(after, "photo", &jpeg(20_000, 8), 1 << 20).await;
    resident.upload(photo, "photo", &jpeg(20_000, 9), 1 << 20).await;
    let mine = resident.my_report(report.id).await;
    assert_eq!(mine.media[0].state, MediaState::Received);
    assert_eq!(mine.answer.unwrap().media[0].state, MediaState::Received);
}

#[tokio::test]
async fn unfinished_uploads_per_account_are_limited() {
    let server = TestServer::start();
    let c = Client::resident(&server, &phone(32)).await;
    for _ in 0..24 {
        assert_eq!(c.tus_create(Uuid::now_v7(), "photo", 1000, None).await.status(), StatusCode::CREATED);
    }
    let r = c.tus_create(Uuid::now_v7(), "photo", 1000, None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}
