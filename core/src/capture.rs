//! Capturing a report: a draft collects photos or a video, a location, a category and a
//! description; `submit` turns it into a queued report in one transaction and returns at once,
//! online or not. A photo that cannot be used leaves a clear error on the draft and loses nothing.

use chrono::Utc;
use qala_protocol::{
    ADDRESS_MAX_CHARS, Category, DESCRIPTION_MAX_CHARS, DraftView, EntityKind, FieldError, Location,
    MAX_PHOTOS_PER_REPORT, MAX_VIDEOS_PER_REPORT, MediaKind, NewReport, Op, OpBody, Setting,
};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::ts;
use crate::entities::{self, Kind};
use crate::error::{CoreError, CoreResult};
use crate::media::files::{self, NewFile};
use crate::media::{photo, video};
use crate::outbox::{self, Touches};
use crate::{Core, db};

/// A draft as the capture screen shows it: the protocol's view, so the shell hands it over as it is.
pub use qala_protocol::DraftView as Draft;

impl Core {
    pub fn start_draft(&self) -> CoreResult<Uuid> {
        let id = Uuid::now_v7();
        self.db()
            .execute("INSERT INTO drafts (id, created_at) VALUES (?1, ?2)", params![id.to_string(), ts(Utc::now())])?;
        Ok(id)
    }

    pub fn draft(&self, id: Uuid) -> CoreResult<Draft> {
        let conn = self.db();
        let row = conn
            .query_row(
                "SELECT category, description, location, address, error FROM drafts WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?
            .ok_or(CoreError::NotFound("draft"))?;
        let media = files::of_draft(&conn, id)?;
        Ok(DraftView {
            id,
            category: row.0,
            description: row.1,
            location: row.2.map(|l| serde_json::from_str(&l)).transpose()?,
            address: row.3,
            media,
            error: row.4,
        })
    }

    fn set_draft_error(&self, draft: Uuid, error: Option<&str>) -> CoreResult<()> {
        self.db().execute("UPDATE drafts SET error = ?1 WHERE id = ?2", params![error, draft.to_string()])?;
        Ok(())
    }

    /// Runs `f` and, when it fails, keeps its message on the draft for the UI.
    fn on_draft<T>(&self, draft: Uuid, f: impl FnOnce() -> CoreResult<T>) -> CoreResult<T> {
        match f() {
            Ok(v) => {
                self.set_draft_error(draft, None)?;
                Ok(v)
            }
            Err(e) => {
                self.set_draft_error(draft, Some(&e.to_string()))?;
                Err(e)
            }
        }
    }

    /// Prepares a photo (upright, ≤1600 px, JPEG q82, no metadata) and attaches it. The original
    /// bytes are not kept.
    pub fn attach_photo(&self, draft: Uuid, original: &[u8]) -> CoreResult<Uuid> {
        self.on_draft(draft, || {
            self.check_room(draft, MediaKind::Photo)?;
            let prepared = photo::prepare(original)?;
            self.store_media(draft, MediaKind::Photo, &prepared.jpeg, "jpg")
        })
    }

    /// Checks a video against the caps, removes its location boxes and attaches it.
    pub fn attach_video(&self, draft: Uuid, original: Vec<u8>) -> CoreResult<Uuid> {
        self.on_draft(draft, || {
            self.check_room(draft, MediaKind::Video)?;
            let prepared = video::prepare(original)?;
            self.store_media(draft, MediaKind::Video, &prepared, "mp4")
        })
    }

    /// Attaches a file by path: photos and videos are told apart by their first bytes.
    pub fn attach_file(&self, draft: Uuid, path: &std::path::Path) -> CoreResult<Uuid> {
        self.attach_bytes(draft, std::fs::read(path)?)
    }

    /// Attaches a file's bytes (as a file picker hands them over): photo or video by content.
    pub fn attach_bytes(&self, draft: Uuid, data: Vec<u8>) -> CoreResult<Uuid> {
        let is_video = data.len() >= 12 && &data[4..8] == b"ftyp" && !photo_brand(&data[8..12]);
        if is_video { self.attach_video(draft, data) } else { self.attach_photo(draft, &data) }
    }

    fn check_room(&self, draft: Uuid, kind: MediaKind) -> CoreResult<()> {
        let n = files::count_in_draft(&self.db(), draft, kind)?;
        let max = match kind {
            MediaKind::Photo => MAX_PHOTOS_PER_REPORT,
            MediaKind::Video => MAX_VIDEOS_PER_REPORT,
        };
        if n >= max {
            return Err(CoreError::Media(format!("at most {max} {}(s) per report", kind.as_str())));
        }
        Ok(())
    }

    fn store_media(&self, draft: Uuid, kind: MediaKind, bytes: &[u8], ext: &str) -> CoreResult<Uuid> {
        let id = Uuid::now_v7();
        let path = self.media_dir().join(format!("{id}.{ext}"));
        // Write to a temporary name and rename, so a crash never leaves half a file under the real one.
        let tmp = path.with_extension("part");
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        let sha = hex::encode(Sha256::digest(bytes));
        files::insert(&self.db(), &NewFile { id, draft, kind, path: &path, size: bytes.len() as u64, sha256: &sha })?;
        Ok(id)
    }

    /// Removes a media file from a draft.
    pub fn detach(&self, draft: Uuid, media: Uuid) -> CoreResult<()> {
        if let Some(p) = files::detach(&self.db(), draft, media)? {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }

    /// Sets the location. A 0,0 or out-of-range fix is refused: choose a pin or an address instead.
    pub fn set_location(&self, draft: Uuid, location: &Location) -> CoreResult<()> {
        self.on_draft(draft, || {
            qala_protocol::validate::location(location, "location")?;
            self.update_draft(draft, "location", Some(serde_json::to_string(location)?))?;
            self.adopt_district(location)
        })
    }

    pub fn set_address(&self, draft: Uuid, address: &str) -> CoreResult<()> {
        qala_protocol::validate::text(address, "address", ADDRESS_MAX_CHARS, false)?;
        let a = address.trim();
        self.update_draft(draft, "address", (!a.is_empty()).then(|| a.to_string()))
    }

    pub fn set_category(&self, draft: Uuid, code: &str) -> CoreResult<()> {
        let known: Vec<Category> = entities::all(&self.db(), EntityKind::Category)?;
        // Before the first pull the catalogue is unknown: the server checks on arrival.
        if !known.is_empty() && !known.iter().any(|c| c.code == code && c.active) {
            return Err(qala_protocol::FieldError::new("category", format!("no category {code:?}")).into());
        }
        self.update_draft(draft, "category", Some(code.to_string()))
    }

    pub fn set_description(&self, draft: Uuid, text: &str) -> CoreResult<()> {
        qala_protocol::validate::text(text, "description", DESCRIPTION_MAX_CHARS, false)?;
        self.update_draft(draft, "description", Some(text.to_string()))
    }

    fn update_draft(&self, draft: Uuid, column: &'static str, value: Option<String>) -> CoreResult<()> {
        let sql = match column {
            "location" => "UPDATE drafts SET location = ?1 WHERE id = ?2",
            "address" => "UPDATE drafts SET address = ?1 WHERE id = ?2",
            "category" => "UPDATE drafts SET category = ?1 WHERE id = ?2",
            _ => "UPDATE drafts SET description = COALESCE(?1, '') WHERE id = ?2",
        };
        let n = self.db().execute(sql, params![value, draft.to_string()])?;
        if n == 0 { Err(CoreError::NotFound("draft")) } else { Ok(()) }
    }

    /// Turns the draft into a report queued for sending — in one transaction with its outbox op —
    /// and returns its id. Works offline; nothing waits for the network.
    pub fn submit(&self, draft: Uuid) -> CoreResult<Uuid> {
        let d = self.draft(draft)?;
        let location = d.location.clone().ok_or_else(|| {
            qala_protocol::FieldError::new("location", "set a location: GPS, a pin on the map, or an address")
        })?;
        let new = NewReport {
            id: d.id,
            category: d
                .category
                .clone()
                .ok_or_else(|| qala_protocol::FieldError::new("category", "choose a category"))?,
            description: d.description.clone(),
            location,
            address: d.address.clone(),
            media: d.media.clone(),
            created_at: Utc::now(),
        };
        new.validate()?;
        let op = Op { id: Uuid::now_v7(), op: OpBody::CreateReport(new.clone()) };
        let mut conn = self.db();
        let tx = conn.transaction()?;
        entities::put(&tx, Kind::PendingReport, &new.id.to_string(), &new)?;
        outbox::enqueue(&tx, &op, Touches::Report(&new.id))?;
        files::send_with_report(&tx, new.id)?;
        tx.execute("DELETE FROM drafts WHERE id = ?1", [new.id.to_string()])?;
        tx.commit()?;
        Ok(new.id)
    }

    /// Throws a draft away with its media files.
    pub fn discard_draft(&self, draft: Uuid) -> CoreResult<()> {
        for m in self.draft(draft)?.media {
            self.detach(draft, m.id)?;
        }
        self.db().execute("DELETE FROM drafts WHERE id = ?1", [draft.to_string()])?;
        Ok(())
    }

    /// A stored setting (e.g. `video_wifi_only`).
    pub fn setting(&self, key: Setting) -> CoreResult<Option<String>> {
        db::meta_get(&self.db(), &Self::setting_key(key))
    }

    pub fn set_setting(&self, key: Setting, value: &str) -> CoreResult<()> {
        db::meta_set(&self.db(), &Self::setting_key(key), value)
    }

    /// The `meta` key a setting is stored under.
    pub fn setting_key(key: Setting) -> String {
        format!("setting:{}", key.as_str())
    }

    /// The districts whose public reports this phone holds (`*`: the whole city); empty: none.
    pub fn districts(&self) -> CoreResult<Vec<String>> {
        Ok(districts_of(self.setting(Setting::Districts)?.as_deref()))
    }

    /// Follows `districts` (`*`: the whole city; none: nobody else's reports): the reports of
    /// districts left go at once, in the transaction that stores the choice; those of districts
    /// added come with the next pull.
    pub fn set_districts(&self, districts: &[String]) -> CoreResult<()> {
        let chosen = qala_protocol::scope::normalize(districts.iter().map(String::as_str))
            .map_err(|e| FieldError::new("districts", e.to_string()))?;
        let mut conn = self.db();
        let tx = conn.transaction()?;
        db::meta_set(&tx, &Self::setting_key(Setting::Districts), &chosen.join(","))?;
        crate::public::keep_districts(&tx, &chosen)?;
        // The buckets of the districts left go from the cursor with their reports: chosen again,
        // a district starts afresh. (A page on its way for the old scope no longer continues the
        // stored cursor, so it is dropped: see `sync::apply_page`.)
        if let Some(cursor) = db::meta_get(&tx, db::key::CURSOR)? {
            db::meta_set(&tx, db::key::CURSOR, &qala_protocol::scope::without_dropped(&cursor, &chosen))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A resident who never chose districts follows the one they report from: "same problem
    /// nearby?" then has its neighbours' reports from the next pull on.
    fn adopt_district(&self, location: &Location) -> CoreResult<()> {
        if self.setting(Setting::Districts)?.is_some() {
            return Ok(());
        }
        let code = qala_protocol::districts::code_of(location.lat, location.lon);
        if code.is_empty() {
            return Ok(());
        }
        self.set_districts(&[code.to_string()])
    }
}

/// The districts a stored setting names.
pub fn districts_of(setting: Option<&str>) -> Vec<String> {
    setting.unwrap_or("").split(',').filter(|d| !d.is_empty()).map(String::from).collect()
}

/// ISO-BMFF brands that are still images (HEIC/AVIF), not videos.
fn photo_brand(brand: &[u8]) -> bool {
    [b"heic".as_slice(), b"heix", b"mif1", b"msf1", b"avif", b"hevc"].contains(&brand)
}
