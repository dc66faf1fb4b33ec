//! The server's edge: accepting connections and admitting requests, with limits chosen here
//! rather than left to library defaults (see [`Timeouts`]).
//!
//! - A connection must send its request headers within `header_read` (slowloris).
//! - At most `max_connections` are open at once; further clients wait in the kernel's accept
//!   queue until one closes.
//! - A request (its body included) must be handled within `request`, or `upload` for an upload
//!   chunk, else 408: a client that trickles a body cannot hold a handler for long.
//! - At most `max_in_flight` requests are handled at once; more are refused at once with 503 and
//!   `Retry-After`, so an overload sheds work instead of queueing without end.
//! - On shutdown, no new connection is accepted and the open ones finish their requests.

use std::future::Future;
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

/// Serves `app` on `listener` until `shutdown` resolves, then lets open connections finish.
pub async fn serve(listener: TcpListener, app: Router, t: Timeouts, shutdown: impl Future<Output = ()>) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(t.header_read);
    builder.http2().timer(TokioTimer::new()).max_concurrent_streams(64);
    let open = Arc::new(Semaphore::new(t.max_connections.max(1)));
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
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
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

/// Admits a request if there is room, and bounds how long it may take.
pub async fn admit(State(a): State<Admission>, req: Request, next: Next) -> Response {
    let Ok(_slot) = a.in_flight.clone().try_acquire_owned() else {
        return refusal(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "the server is busy; retry in a moment");
    };
    let is_upload_chunk = req.method() == Method::PATCH && req.uri().path().starts_with("/api/v1/uploads/");
    let limit = if is_upload_chunk { a.timeouts.upload } else { a.timeouts.request };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => refusal(StatusCode::REQUEST_TIMEOUT, "timeout", "the request took too long; send it again"),
    }
}
