//! What the shell holds while it runs: the phone core, the sync engine for the configured server,
//! and the engine's background task. Changing the server address swaps the engine.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use qala_core::Core;
use qala_core::sync::engine::{SyncEngine, SyncHandle};
use tauri::AppHandle;

use crate::error::{AppError, AppResult};
use crate::events;

/// How often the engine syncs on its own when nothing nudges it.
const SYNC_INTERVAL: Duration = Duration::from_secs(60);
/// The server the app talks to before the resident or the environment says otherwise.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

pub struct AppState {
    pub core: Arc<Core>,
    engine: RwLock<Arc<SyncEngine>>,
    handle: Mutex<Option<SyncHandle>>,
    app: AppHandle,
}

impl AppState {
    pub fn new(app: AppHandle, core: Arc<Core>, server: &str) -> AppState {
        let engine = Arc::new(SyncEngine::new(core.clone(), server));
        AppState { core, engine: RwLock::new(engine), handle: Mutex::new(None), app }
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

    /// Points the app at another server: the old engine stops, a new one starts.
    pub fn switch_server(&self, server: &str) -> AppResult<()> {
        if !(server.starts_with("http://") || server.starts_with("https://")) || server.len() > 300 {
            return Err(AppError::Invalid("the server address must start with http:// or https://".into()));
        }
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(SyncEngine::new(self.core.clone(), server));
        self.start();
        Ok(())
    }
}
