//! The phone speaks TLS to an `https://` server (real deployments sit behind TLS): the first bytes
//! it sends are a TLS handshake record, and an answer that is not TLS is an error, not plain text.

use qala_core::sync::api::{Api, Roots};
use tokio::io::AsyncReadExt;

/// Asks a listener that does not speak TLS for the catalogue through a client with `roots`;
/// returns the first bytes the client sent and whether the call failed.
async fn first_bytes_with(roots: Roots) -> ([u8; 3], bool) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let first_bytes = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 3];
        socket.read_exact(&mut head).await.unwrap();
        head
    });
    let api = Api::with_roots(&format!("https://localhost:{port}"), roots);
    let failed = api.catalog().await.is_err();
    (first_bytes.await.unwrap(), failed)
}

#[tokio::test]
async fn https_servers_get_a_tls_handshake() {
    let (head, failed) = first_bytes_with(Roots::Platform).await;
    assert_eq!(head[0], 0x16, "a TLS handshake record, got {head:?}");
    assert_eq!(head[1], 0x03, "TLS major version 3");
    assert!(failed, "a server that closes without TLS is no server");
}

/// Android cannot use the platform verifier without a JNI initialisation; its build trusts the
/// bundled roots instead. They must make a client that builds (the roots parse) and speaks TLS.
#[tokio::test]
async fn the_bundled_roots_make_a_working_tls_client() {
    let (head, failed) = first_bytes_with(Roots::Bundled).await;
    assert_eq!(head[0], 0x16, "a TLS handshake record, got {head:?}");
    assert!(failed);
}
