//! A resident's rights, on the phone: the file "Download my data" writes, and wiping what the
//! phone holds of an account that was deleted.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use qala_protocol::{MediaRecord, PersonalData};

use crate::error::CoreResult;
use crate::{Core, db, entities, public};

/// A file being written by [`start_export`]: the server's record first, then each file's
/// bytes as they are fetched, so that no more than one file is in memory at a time.
pub struct ExportFile {
    out: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    files: usize,
}

/// Starts `qala-my-data-<time>.json` in `dir`: `{"data": <PersonalData>, "files": [...]}`, each
/// file `{"id", "content_type", "sha256", "base64"}`.
pub fn start_export(dir: &Path, data: &PersonalData) -> CoreResult<ExportFile> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("qala-my-data-{}.json", Utc::now().format("%Y%m%d-%H%M%S")));
    // Written under another name, renamed when whole: a cut-off download is never taken for one.
    let mut out = std::io::BufWriter::new(std::fs::File::create(path.with_extension("json.part"))?);
    out.write_all(b"{\"data\":")?;
    serde_json::to_writer(&mut out, data)?;
    out.write_all(b",\"files\":[")?;
    Ok(ExportFile { out, path, files: 0 })
}

impl ExportFile {
    /// Appends one file and its bytes.
    pub fn add(&mut self, media: &MediaRecord, bytes: &[u8]) -> CoreResult<()> {
        if self.files > 0 {
            self.out.write_all(b",")?;
        }
        let head = serde_json::json!({"id": media.id, "content_type": media.content_type, "sha256": media.sha256});
        let head = head.to_string();
        // The object without its closing brace, then the bytes in base64, then the brace.
        self.out.write_all(&head.as_bytes()[..head.len() - 1])?;
        self.out.write_all(b",\"base64\":\"")?;
        // Whole 3-byte groups per piece: the pieces' base64 joins into one valid string.
        for piece in bytes.chunks(3 * 16 * 1024) {
            self.out.write_all(STANDARD.encode(piece).as_bytes())?;
        }
        self.out.write_all(b"\"}")?;
        self.files += 1;
        Ok(())
    }

    /// Closes the file, gives it its name, and returns where it is.
    pub fn finish(mut self) -> CoreResult<PathBuf> {
        self.out.write_all(b"]}")?;
        self.out.flush()?;
        std::fs::rename(self.path.with_extension("json.part"), &self.path)?;
        Ok(self.path)
    }
}

/// Forgets one of the resident's reports that is no longer theirs (anonymised): its copy, any op
/// for it still waiting (the server would refuse it: the report has no author now), and its
/// prepared files (an upload still under way would no longer be the author's to finish).
pub fn forget_report(core: &Core, id: uuid::Uuid) -> CoreResult<()> {
    let files: Vec<String> = {
        let mut conn = core.db();
        let tx = conn.transaction()?;
        let kind = qala_protocol::EntityKind::Report.as_str();
        let rid = id.to_string();
        let files = {
            let mut stmt = tx.prepare("SELECT path FROM media WHERE report_id = ?1")?;
            stmt.query_map([&rid], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?
        };
        tx.execute("DELETE FROM media WHERE report_id = ?1", [&rid])?;
        tx.execute("DELETE FROM outbox WHERE entity_kind = ?1 AND entity_id = ?2", rusqlite::params![kind, rid])?;
        tx.execute("DELETE FROM entities WHERE kind = ?1 AND id = ?2", rusqlite::params![kind, rid])?;
        tx.commit()?;
        files
    };
    for path in files {
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

/// Set while an account deletion is asked for: if its answer is lost, the server has already
/// ended the session, and the phone wipes on the next refusal instead of waiting for an answer
/// it will never get.
pub const DELETING: &str = "deleting_account";

/// Marks an account deletion as asked for (see [`DELETING`]).
pub fn mark_deleting(core: &Core) -> CoreResult<()> {
    db::meta_set(&core.db(), DELETING, "1")
}

/// The server answered a deletion without deleting: the question is closed.
pub fn clear_deleting(core: &Core) -> CoreResult<()> {
    db::meta_delete(&core.db(), DELETING)
}

/// Whether an account deletion was asked for and its outcome not yet seen.
pub fn deleting(core: &Core) -> CoreResult<bool> {
    Ok(db::meta_get(&core.db(), DELETING)?.is_some())
}

/// Forgets everything the phone holds of the signed-in account after the server deleted it:
/// drafts, prepared files, unsent ops, pulled objects, the session and the sync position. The
/// phone's own settings (language, server, districts) and its installation id stay.
pub fn wipe_account(core: &Core) -> CoreResult<()> {
    {
        let mut conn = core.db();
        let tx = conn.transaction()?;
        for table in ["drafts", "media", "outbox", "entities"] {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        public::forget(&tx)?;
        entities::forget_pulled(&tx, true)?;
        use db::key::*;
        for key in [
            CURSOR,
            LAST_SUCCESS,
            LAST_ERROR,
            PUSH_AFTER,
            ACCESS_TOKEN,
            ACCESS_EXPIRES_AT,
            REFRESH_TOKEN,
            SESSION_SERVER,
            ACCOUNT,
            REVOCATIONS,
        ] {
            db::meta_delete(&tx, key)?;
        }
        db::meta_delete(&tx, &Core::setting_key(qala_protocol::Setting::CurrentDraft))?;
        tx.commit()?;
    }
    // The files (prepared ones and copies kept from the server, in folders of their own) go
    // after the rows that named them: a crash between leaves files nobody names, never rows
    // naming missing files.
    match std::fs::remove_dir_all(core.media_dir()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    std::fs::create_dir_all(core.media_dir())?;
    db::meta_delete(&core.db(), DELETING)?;
    Ok(())
}
