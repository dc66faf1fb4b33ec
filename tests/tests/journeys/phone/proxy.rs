//! A fault-injecting TCP proxy for tests: it forwards connections to the server and cuts a share of
//! them at a random byte — in the request, or in the response after the server has done the work.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rand::Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
pub struct Stats {
    pub connections: AtomicUsize,
    pub cut: AtomicUsize,
    /// Bytes forwarded from the phone to the server.
    pub upstream_bytes: AtomicU64,
    /// Bytes forwarded from the server to the phone.
    pub downstream_bytes: AtomicU64,
    /// HTTP requests seen going upstream (counted by their request lines).
    pub requests: AtomicUsize,
    /// When `requests` reaches this (0 = never), `crash` is notified.
    pub crash_at_request: AtomicUsize,
    /// When `upstream_bytes` passes this (0 = never), `crash` is notified.
    pub crash_at_byte: AtomicU64,
    pub crash: tokio::sync::Notify,
}

pub struct Proxy {
    pub addr: SocketAddr,
    pub stats: Arc<Stats>,
    /// Share of connections to cut, in per mille (changeable while running).
    pub cut_per_mille: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr, cut_per_mille: usize) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stats = Arc::new(Stats::default());
        let rate = Arc::new(AtomicUsize::new(cut_per_mille));
        let (s, r) = (stats.clone(), rate.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                s.connections.fetch_add(1, Ordering::Relaxed);
                let (s, r) = (s.clone(), r.clone());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else { return };
                    pipe(client, server, r, s).await;
                });
            }
        });
        Proxy { addr, stats, cut_per_mille: rate, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Forwards both ways. At every request the connection carries, a die decides (at the current cut
/// rate) whether this request dies: after a random number of its own bytes, or after a few bytes of
/// its response — when the server has already done the work.
async fn pipe(client: TcpStream, server: TcpStream, rate: Arc<AtomicUsize>, stats: Arc<Stats>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let cut_up_at = Arc::new(AtomicU64::new(u64::MAX));
    let cut_down_at = Arc::new(AtomicU64::new(u64::MAX));
    let down_seen = Arc::new(AtomicU64::new(0));
    let (st, up_at, down_at, seen) = (stats.clone(), cut_up_at.clone(), cut_down_at.clone(), down_seen.clone());
    let down_stats = stats.clone();
    let upstream = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut sent: u64 = 0;
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let lines = buf[..n].windows(11).filter(|w| w == b" HTTP/1.1\r\n").count();
            for _ in 0..lines {
                if rand::rng().random_range(0..1000) < rate.load(Ordering::Relaxed) {
                    st.cut.fetch_add(1, Ordering::Relaxed);
                    if rand::rng().random_bool(0.5) {
                        up_at.store(sent + rand::rng().random_range(0..400_000u64), Ordering::Relaxed);
                    } else {
                        down_at.store(
                            seen.load(Ordering::Relaxed) + rand::rng().random_range(0..4000u64),
                            Ordering::Relaxed,
                        );
                    }
                }
            }
            let take = (n as u64).min(up_at.load(Ordering::Relaxed).saturating_sub(sent)) as usize;
            if take > 0 && sw.write_all(&buf[..take]).await.is_err() {
                break;
            }
            sent += take as u64;
            let before = st.upstream_bytes.fetch_add(take as u64, Ordering::Relaxed);
            if lines > 0 {
                let count = st.requests.fetch_add(lines, Ordering::Relaxed) + lines;
                let at = st.crash_at_request.load(Ordering::Relaxed);
                if at != 0 && count >= at {
                    st.crash.notify_one();
                }
            }
            let at = st.crash_at_byte.load(Ordering::Relaxed);
            if at != 0 && before + take as u64 >= at {
                st.crash.notify_one();
            }
            if take < n {
                break;
            }
        }
    };
    let downstream = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let got = down_seen.load(Ordering::Relaxed);
            let take = (n as u64).min(cut_down_at.load(Ordering::Relaxed).saturating_sub(got)) as usize;
            if take > 0 && cw.write_all(&buf[..take]).await.is_err() {
                break;
            }
            down_seen.fetch_add(take as u64, Ordering::Relaxed);
            down_stats.downstream_bytes.fetch_add(take as u64, Ordering::Relaxed);
            if take < n {
                break;
            }
        }
    };
    // When either direction ends (or is cut), the whole connection goes.
    tokio::select! {
        _ = upstream => {}
        _ = downstream => {}
    }
}
