//! qala-core: everything the phone does with data, without a webview — the offline store, capture
//! of reports, the outbox, resumable sync with the server, and media preparation. The Tauri shell
//! only calls into it; the tests drive it against a real qala-server.

pub mod actions;
pub mod capture;
pub mod db;
pub mod entities;
pub mod error;
pub mod media;
pub mod outbox;
pub mod public;
pub mod queries;
pub mod rights;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub use error::{CoreError, CoreResult};

/// The phone's data: one SQLite file and a folder of prepared media beside it.
pub struct Core {
    conn: Mutex<Connection>,
    media_dir: PathBuf,
    device_id: String,
}

impl Core {
    /// Opens the store in `data_dir` (creating it). The device id is made once and kept.
    pub fn open(data_dir: &Path) -> CoreResult<Core> {
        std::fs::create_dir_all(data_dir.join("media"))?;
        let conn = db::open(&data_dir.join("qala.db"))?;
        let device_id = match db::meta_get(&conn, db::key::DEVICE_ID)? {
            Some(id) => id,
            None => {
                let id = format!("qala-{}", uuid::Uuid::now_v7().simple());
                db::meta_set(&conn, db::key::DEVICE_ID, &id)?;
                id
            }
        };
        Ok(Core { conn: Mutex::new(conn), media_dir: data_dir.join("media"), device_id })
    }

    /// This installation's id (for sign-in and device-bound refresh tokens).
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub fn media_dir(&self) -> &Path {
        &self.media_dir
    }

    /// The connection, for one short piece of work. A poisoned lock only means another thread
    /// panicked mid-call; SQLite's transactions kept the data consistent, so carry on.
    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}
