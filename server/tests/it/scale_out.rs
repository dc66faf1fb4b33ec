//! Scale-out: two server instances on one PostgreSQL database (a fresh schema of the test database
//! on 127.0.0.1:5432) and one S3-compatible bucket (s3s-fs on loopback, a real S3 server, installed
//! by scripts/lib.sh). What one instance began, the other continues: a sign-in code sent by A is
//! verified by B, a photo upload begun on A is resumed on B, and the finished file lives in the
//! bucket — in neither data folder — where both instances serve it from.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use qala_protocol::*;
use reqwest::StatusCode;
use uuid::Uuid;

const BUCKET: &str = "qala-media";
const KEY: &str = "qala-test-key";
const SECRET: &str = "qala-test-secret";

/// s3s-fs serving a temporary folder (each bucket is a folder in it).
struct S3 {
    child: Child,
    url: String,
    root: tempfile::TempDir,
}

impl S3 {
    fn start() -> S3 {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let bin = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/s3s-fs")).filter(|p| p.exists());
        let child = Command::new(bin.unwrap_or_else(|| "s3s-fs".into()))
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--access-key", KEY, "--secret-key", SECRET])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs is installed (scripts/lib.sh installs it)");
        let t0 = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(t0.elapsed() < Duration::from_secs(10), "s3s-fs did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        S3 { child, url: format!("http://127.0.0.1:{port}"), root }
    }

    fn bucket_files(&self) -> Vec<String> {
        let mut out = vec![];
        let mut stack = vec![self.root.path().join(BUCKET)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    let rel =
                        e.path().strip_prefix(self.root.path().join(BUCKET)).unwrap().to_string_lossy().into_owned();
                    out.push(rel);
                }
            }
        }
        out
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn two_instances_share_sign_in_and_uploads_through_postgres_and_s3() {
    let s3 = S3::start();
    // SAFETY: set before any other thread of this test binary reads the environment; the servers
    // (child processes) inherit the credentials from here.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", KEY);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", SECRET);
    }
    let base =
        std::env::var("QALA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("qala_t_{}", Uuid::now_v7().simple());
    drop(qala_server::store::postgres::PgStore::connect(&base, Some(&schema)).await.unwrap());
    let url = format!("{base}?options=-c%20search_path%3D{schema}");
    let args = ["--database-url", &url, "--s3-bucket", BUCKET, "--s3-endpoint", &s3.url];
    let a = TestServer::start_with(&args);
    let b = TestServer::start_with(&args);

    // A sends the code; B accepts it (codes and their limits live in the database).
    let phone = phone(300);
    let dev = device();
    let on_a = Client::anonymous(&a);
    let r = on_a.post("/auth/otp/request", &OtpRequest { phone: phone.clone(), device_id: dev.clone() }).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let code = a.last_code(&phone);
    let on_b = Client::anonymous(&b);
    let r = on_b.post("/auth/otp/verify", &OtpVerify { phone: phone.clone(), device_id: dev, code }).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let s: Session = r.json().await.unwrap();
    let a_client = Client { token: s.access_token.clone(), session: Some(s), ..on_a };
    let b_client = Client { base: b.api(""), ..a_client.clone() };

    // An upload begun on A and resumed on B.
    let data = jpeg(400_000, 11);
    let id = Uuid::now_v7();
    let r = a_client.tus_create(id, "photo", data.len(), Some(&sha_hex(&data))).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let half = 150_000;
    assert_eq!(a_client.tus_patch(id, 0, data[..half].to_vec(), true).await.status(), StatusCode::NO_CONTENT);
    let head = b_client.tus_head(id).await;
    assert_eq!(head.headers()["upload-offset"].to_str().unwrap(), half.to_string(), "B sees what A confirmed");
    // A stale retry at offset 0, sent to B, is refused: the offset moved on. (A small one: the
    // server answers before reading a body, and a big body would meet a closed socket.)
    assert_eq!(b_client.tus_patch(id, 0, data[..1000].to_vec(), true).await.status(), StatusCode::CONFLICT);
    assert_eq!(b_client.tus_patch(id, half, data[half..].to_vec(), true).await.status(), StatusCode::NO_CONTENT);

    // The file is in the bucket, staged chunks are gone, and neither data folder holds media.
    let files = s3.bucket_files();
    assert!(files.iter().any(|f| f == &id.to_string()), "the finished file is in the bucket: {files:?}");
    assert!(!files.iter().any(|f| f.starts_with("uploads")), "staged chunks were removed: {files:?}");
    assert!(a.stored_media().is_empty() && b.stored_media().is_empty());
    for server in [&a, &b] {
        let c = Client { base: server.api(""), ..a_client.clone() };
        let got = c.get(&format!("/media/{id}")).await;
        assert_eq!(got.status(), StatusCode::OK);
        assert_eq!(got.bytes().await.unwrap().as_ref(), data.as_slice(), "served from the bucket");
    }

    // A report pushed through B with that photo is registered once and shows it as received on A.
    let report = new_report("road_repair", vec![DeclaredMedia { id, kind: MediaKind::Photo }]);
    let op = create_op(report.clone());
    assert_eq!(b_client.push(vec![op.clone()]).await.results[0].outcome, OpOutcome::Applied);
    assert_eq!(a_client.push(vec![op]).await.results[0].outcome, OpOutcome::Duplicate);
    let mine = a_client.my_report(report.id).await;
    assert_eq!(mine.media[0].state, MediaState::Received);
}
