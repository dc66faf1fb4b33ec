//! What the shell holds while it runs: the phone core, the sync engine for the configured server,
//! and the engine's background task. Changing the server address swaps the engine.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use qala_core::Core;
use qala_core::sync::api::check_server_address;
use qala_core::sync::engine::{SyncEngine, SyncHandle};
use qala_protocol::{NetworkKind, ServerChange};
use tauri::AppHandle;

use crate::error::AppResult;
use crate::events;

/// How often the engine syncs on its own when nothing nudges it.
const SYNC_INTERVAL: Duration = Duration::from_secs(60);
/// How long a running cycle may finish before a server switch cuts it off.
const SWITCH_GRACE: Duration = Duration::from_secs(5);
/// The server the app talks to before the resident or the environment says otherwise.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";
/// The network before the webview says anything: a desktop's is unmetered; a phone's is unknown
/// (videos then wait when the resident asked for Wi-Fi) until the webview reports its type.
pub const STARTING_NETWORK: NetworkKind = network_for(NetworkKind::Unknown, cfg!(desktop));

/// The network the engine goes by. A desktop's is taken as unmetered whatever the webview says
/// (WebKitGTK has no Network Information API, and desktops are rarely on metered links).
pub const fn network_for(reported: NetworkKind, desktop: bool) -> NetworkKind {
    if desktop { NetworkKind::Unmetered } else { reported }
}

pub struct AppState {
    pub core: Arc<Core>,
    engine: RwLock<Arc<SyncEngine>>,
    handle: Mutex<Option<SyncHandle>>,
    app: AppHandle,
    /// A route a notification tap asked for, until the screens take it.
    opened: Mutex<Option<String>>,
    /// One server switch at a time.
    switching: tokio::sync::Mutex<()>,
}

impl AppState {
    pub fn new(app: AppHandle, core: Arc<Core>, server: &str) -> AppState {
        let engine = Arc::new(SyncEngine::new(core.clone(), server));
        engine.set_network(STARTING_NETWORK);
        AppState {
            core,
            engine: RwLock::new(engine),
            handle: Mutex::new(None),
            app,
            opened: Mutex::new(None),
            switching: Default::default(),
        }
    }

    /// Keeps the route a notification tap asked for, for [`take_opened`](Self::take_opened).
    pub fn set_opened(&self, route: String) {
        *self.opened.lock().unwrap_or_else(|p| p.into_inner()) = Some(route);
    }

    /// The route a notification tap asked for, once.
    pub fn take_opened(&self) -> Option<String> {
        self.opened.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// What the webview says about the connection. On the desktop the network is taken as
    /// unmetered whatever the webview says (WebKitGTK has no Network Information API).
    pub fn set_network(&self, kind: NetworkKind) {
        self.engine().set_network(network_for(kind, cfg!(desktop)));
    }

    /// Where "Download my data" saves its file: `QALA_EXPORT_DIR` if set, else the downloads
    /// folder, else the app's own data folder.
    pub fn export_dir(&self) -> std::path::PathBuf {
        use tauri::Manager;
        if let Some(d) = std::env::var_os("QALA_EXPORT_DIR") {
            return d.into();
        }
        let paths = self.app.path();
        paths
            .download_dir()
            .or_else(|_| paths.app_data_dir().map(|d| d.join("exports")))
            .unwrap_or_else(|_| "exports".into())
    }

    pub fn engine(&self) -> Arc<SyncEngine> {
        self.engine.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Starts the background engine and the forwarding of its events. Must run inside the async
    /// runtime (the engine spawns a task).
    pub fn start(&self) {
        let engine = self.engine();
        events::forward(self.app.clone(), self.core.clone(), engine.subscribe());
        let handle = engine.spawn(SYNC_INTERVAL);
        if let Some(old) = self.handle.lock().unwrap_or_else(|p| p.into_inner()).replace(handle) {
            tauri::async_runtime::spawn(old.stop());
        }
    }

    /// "Sync now": after the resident wrote something, or tapped the sync indicator.
    pub fn nudge(&self) {
        if let Some(h) = self.handle.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            h.sync_now();
        }
    }

    /// Points the app at another server. Nothing of this server's goes to the next one: its session
    /// ends (revoked on it, later if offline), its pulled objects, cursor and upload addresses are
    /// forgotten (`SyncEngine::leave_server`). With items still waiting to be sent, nothing changes
    /// until the resident confirms. The same address again changes nothing.
    pub async fn switch_server(&self, server: &str, confirmed: bool) -> AppResult<ServerChange> {
        let _one = self.switching.lock().await;
        let server = check_server_address(server)?;
        let old = self.engine();
        if old.server() == server {
            return Ok(ServerChange { changed: false, waiting: 0 });
        }
        let waiting = self.core.unsent_count()?;
        if waiting > 0 && !confirmed {
            return Ok(ServerChange { changed: false, waiting });
        }
        // The old engine stops before anything of its server is forgotten: a cycle still running
        // would write the old server's objects and tokens back.
        let running = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = running {
            h.stop_within(SWITCH_GRACE).await;
        }
        old.leave_server()?;
        self.core.set_setting(qala_protocol::Setting::Server, &server)?;
        let engine = Arc::new(SyncEngine::new(self.core.clone(), &server));
        engine.set_network(old.network());
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = engine;
        // The new engine's first cycle sends the old server's revocation.
        self.start();
        Ok(ServerChange { changed: true, waiting })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Videos only on Wi-Fi" once never uploaded: the shell never said what the network was, and
    /// the engine's `Unknown` held every video back for good.
    #[test]
    fn a_desktop_is_unmetered_and_a_phone_says_what_it_is() {
        for reported in [NetworkKind::Unknown, NetworkKind::Cellular, NetworkKind::Unmetered] {
            assert_eq!(network_for(reported, true), NetworkKind::Unmetered);
            assert_eq!(network_for(reported, false), reported);
        }
        #[cfg(desktop)]
        assert_eq!(STARTING_NETWORK, NetworkKind::Unmetered);
    }
}
