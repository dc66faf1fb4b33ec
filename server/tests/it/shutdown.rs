//! SIGTERM stops accepting, finishes the requests in flight, and exits cleanly.

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use uuid::Uuid;

#[tokio::test]
async fn sigterm_finishes_an_upload_in_flight() {
    let mut server = TestServer::start();
    let c = Client::resident(&server, &phone(80)).await;
    let data = jpeg(300_000, 5);
    let id = Uuid::now_v7();
    c.tus_create(id, "photo", data.len(), None).await;
    // A slow chunk: the body trickles in over about a second.
    let pieces: Vec<Result<bytes::Bytes, std::io::Error>> =
        data.chunks(30_000).map(|p| Ok(bytes::Bytes::copy_from_slice(p))).collect();
    // The stream counts the pieces the client has handed to the connection.
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    let stream = futures_util::StreamExt::then(futures_util::stream::iter(pieces), move |p| {
        let counter = counter.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            p
        }
    });
    let req = c
        .request(reqwest::Method::PATCH, &format!("/uploads/{id}"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Content-Length", data.len().to_string())
        .body(reqwest::Body::wrap_stream(stream));
    let in_flight = tokio::spawn(req.send());
    // Signal only once the chunk is visibly on its way (a few pieces out, most still to come).
    let start = std::time::Instant::now();
    while sent.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        assert!(start.elapsed() < Duration::from_secs(10), "the upload never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = server.pid();
    let stopper = std::thread::spawn(move || {
        let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    });
    stopper.join().unwrap();
    let r = in_flight.await.unwrap().expect("the request in flight completes");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["upload-offset"].to_str().unwrap(), data.len().to_string());
    assert!(server.terminate(), "exit status 0");
    server.wait_log(|v| v["message"] == "stopped", Duration::from_secs(2));
    // The upload is complete on disk after restart.
    let dir = server.stop();
    let again = TestServer::start_in(dir, &[]);
    let c2 = Client { base: again.api(""), ..c };
    let got = c2.get(&format!("/media/{id}")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(sha_hex(&got.bytes().await.unwrap()), sha_hex(&data));
}
