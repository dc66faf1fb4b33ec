//! Test support, compiled only with the `test-support` feature: the server inside the test's own
//! process. A production build has none of it. The workspace's test builds turn it on (through
//! qala-journeys); the benches that use it say `required-features`, so run them with
//! `cargo bench -p qala-server --features test-support`.

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::app::AppState;
use crate::error::AppResult;

/// A server running inside this process (the phone journeys and the benches): stop it to let
/// requests in flight finish.
pub struct RunningServer {
    pub addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// Serves `state` on `addr` (port 0 picks a free one), as `qala-server serve` does, without
    /// its background upkeep.
    pub async fn start(state: AppState, addr: SocketAddr) -> AppResult<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (timeouts, trusted) = (state.settings.timeouts, state.settings.trusted_proxies.clone());
        let app = crate::http::router(state);
        let task = tokio::spawn(crate::edge::serve(listener, app, timeouts, trusted, async {
            let _ = stopped.await;
        }));
        Ok(RunningServer { addr, stop, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
