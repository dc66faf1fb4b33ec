//! The phone speaks TLS to an `https://` server (real deployments sit behind TLS): the first bytes
//! it sends are a TLS handshake record, and an answer that is not TLS is an error, not plain text.

use qala_core::sync::api::Api;
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn https_servers_get_a_tls_handshake() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let first_bytes = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 3];
        socket.read_exact(&mut head).await.unwrap();
        head
    });
    let api = Api::new(&format!("https://localhost:{port}"));
    let answer = api.catalog().await;
    let head = first_bytes.await.unwrap();
    assert_eq!(head[0], 0x16, "a TLS handshake record, got {head:?}");
    assert_eq!(head[1], 0x03, "TLS major version 3");
    assert!(answer.is_err(), "a server that closes without TLS is no server");
}
