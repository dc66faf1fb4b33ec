//! The server's edge: accepting connections and admitting requests, with limits chosen here
//! rather than left to library defaults (see [`Timeouts`]).
//!
//! - A connection must send its request headers within `header_read` of opening or of its last
//!   request (slowloris; a silent connection included). HTTP/1.1 only: HTTP/2 is the TLS proxy's
//!   business in front, and hyper's protocol sniffing would read a first byte with no timer.
//! - At most `max_connections` are open at once, and at most `connections_per_addr` from one
//!   peer that is not a trusted proxy; further clients wait in the kernel's accept queue, or are
//!   closed at once when their address already holds its share.
//! - A request (its body included) must be handled within `request`, or `upload` for an upload
//!   chunk, else 408: a client that trickles a body cannot hold a handler for long.
//! - At most `max_in_flight` requests are handled at once; more are refused at once with 503 and
//!   `Retry-After`, so an overload sheds work instead of queueing without end.
//! - On shutdown, no new connection is accepted and the open ones finish their requests, for at
//!   most [`SHUTDOWN_GRACE`].

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::app::Timeouts;
use crate::limits::Net;

/// How long open connections may take to finish after a shutdown is asked for.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// Open connections per peer address.
#[derive(Default)]
struct PerAddr(std::sync::Mutex<HashMap<IpAddr, usize>>);

impl PerAddr {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<AddrSlot> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(AddrSlot(self.clone(), ip))
    }
}

/// One connection's place in its address's count, given back when the connection ends.
struct AddrSlot(Arc<PerAddr>, IpAddr);

impl Drop for AddrSlot {
    fn drop(&mut self) {
        let mut open = self.0.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open connections finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    t: Timeouts,
    trusted: Vec<Net>,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder.http1().timer(TokioTimer::new()).header_read_timeout(t.header_read);
    let open = Arc::new(Semaphore::new(t.max_connections.max(1)));
    let per_addr = Arc::new(PerAddr::default());
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let slot = if trusted.iter().any(|n| n.contains(peer.ip())) {
            None
        } else {
            match per_addr.take(peer.ip(), t.connections_per_addr.max(1)) {
                Some(slot) => Some(slot),
                None => {
                    drop(stream);
                    continue;
                }
            }
        };
        let service = app.clone().map_request(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop((permit, slot));
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after the shutdown grace period: closing them");
    }
}

/// What the admission middleware needs.
#[derive(Clone)]
pub struct Admission {
    timeouts: Timeouts,
    in_flight: Arc<Semaphore>,
}

impl Admission {
    pub fn new(timeouts: Timeouts) -> Self {
        Admission { timeouts, in_flight: Arc::new(Semaphore::new(timeouts.max_in_flight.max(1))) }
    }
}

fn refusal(status: StatusCode, error: &str, message: &str) -> Response {
    let body = qala_protocol::ErrorBody { error: error.into(), message: message.into(), field: None };
    let mut resp = (status, axum::Json(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    resp
}

/// Requests that carry files and may take long on a slow link: a tus chunk, the console's answer
/// with its photo report.
fn carries_files(req: &Request) -> bool {
    let path = req.uri().path();
    (req.method() == Method::PATCH
        && path.strip_prefix(qala_protocol::API_PREFIX).is_some_and(|p| p.starts_with("/uploads/")))
        || (req.method() == Method::POST && path.starts_with("/console/reports/") && path.ends_with("/answer"))
}

/// Admits a request if there is room, and bounds how long it may take. The health check is
/// always admitted: a load balancer must not take an instance out because it sheds load.
pub async fn admit(State(a): State<Admission>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let Ok(_slot) = a.in_flight.clone().try_acquire_owned() else {
        return refusal(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "the server is busy; retry in a moment");
    };
    let limit = if carries_files(&req) { a.timeouts.upload } else { a.timeouts.request };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => refusal(StatusCode::REQUEST_TIMEOUT, "timeout", "the request took too long; send it again"),
    }
}
