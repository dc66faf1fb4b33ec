//! Validation rules that the phone checks before queueing and the server checks again on arrival,
//! so that both refuse the same inputs with the same field names.

use std::fmt;

use crate::{
    ADDRESS_MAX_CHARS, COMMENT_MAX_CHARS, DESCRIPTION_MAX_CHARS, FlagComment, Location, MAX_PHOTOS_PER_REPORT,
    MAX_VIDEOS_PER_REPORT, MediaKind, NOTE_MAX_CHARS, NewComment, NewComplaint, NewRating, NewReport, WithdrawReport,
};

/// An input that breaks a rule, with the JSON path of the offending field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Checks a free text: optional emptiness, length in characters (not bytes), no NUL.
pub fn text(value: &str, field: &str, max_chars: usize, required: bool) -> Result<(), FieldError> {
    if required && value.trim().is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    let n = value.chars().count();
    if n > max_chars {
        return Err(FieldError::new(field, format!("is {n} characters; at most {max_chars} allowed")));
    }
    if value.contains('\0') {
        return Err(FieldError::new(field, "contains a NUL character"));
    }
    Ok(())
}

/// A location must be a real point: finite, in range, not the 0,0 that broken GPS stubs return.
pub fn location(loc: &Location, field: &str) -> Result<(), FieldError> {
    if !loc.lat.is_finite() || !(-90.0..=90.0).contains(&loc.lat) {
        return Err(FieldError::new(format!("{field}.lat"), "must be between -90 and 90"));
    }
    if !loc.lon.is_finite() || !(-180.0..=180.0).contains(&loc.lon) {
        return Err(FieldError::new(format!("{field}.lon"), "must be between -180 and 180"));
    }
    if loc.lat == 0.0 && loc.lon == 0.0 {
        return Err(FieldError::new(field, "0,0 is not a real fix; set a pin or an address"));
    }
    if let Some(acc) = loc.accuracy_m
        && (!acc.is_finite() || acc < 0.0)
    {
        return Err(FieldError::new(format!("{field}.accuracy_m"), "must be a non-negative number"));
    }
    Ok(())
}

impl NewReport {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.category.trim().is_empty() {
            return Err(FieldError::new("category", "must not be empty"));
        }
        text(&self.description, "description", DESCRIPTION_MAX_CHARS, false)?;
        location(&self.location, "location")?;
        if let Some(address) = &self.address {
            text(address, "address", ADDRESS_MAX_CHARS, false)?;
        }
        let photos = self.media.iter().filter(|m| m.kind == MediaKind::Photo).count();
        let videos = self.media.len() - photos;
        if photos > MAX_PHOTOS_PER_REPORT {
            return Err(FieldError::new("media", format!("at most {MAX_PHOTOS_PER_REPORT} photos")));
        }
        if videos > MAX_VIDEOS_PER_REPORT {
            return Err(FieldError::new("media", format!("at most {MAX_VIDEOS_PER_REPORT} video")));
        }
        let mut ids: Vec<_> = self.media.iter().map(|m| m.id).collect();
        ids.sort();
        ids.dedup();
        if ids.len() != self.media.len() {
            return Err(FieldError::new("media", "the same media id is declared twice"));
        }
        if ids.contains(&self.id) {
            return Err(FieldError::new("media", "a media id equals the report id"));
        }
        Ok(())
    }
}

impl NewComment {
    pub fn validate(&self) -> Result<(), FieldError> {
        text(&self.body, "body", COMMENT_MAX_CHARS, true)
    }
}

impl FlagComment {
    pub fn validate(&self) -> Result<(), FieldError> {
        match &self.reason {
            Some(r) => text(r, "reason", NOTE_MAX_CHARS, false),
            None => Ok(()),
        }
    }
}

impl NewRating {
    pub fn validate(&self) -> Result<(), FieldError> {
        if !(1..=5).contains(&self.stars) {
            return Err(FieldError::new("stars", "must be 1 to 5"));
        }
        if let Some(c) = &self.comment {
            text(c, "comment", NOTE_MAX_CHARS, false)?;
        }
        Ok(())
    }
}

impl NewComplaint {
    pub fn validate(&self) -> Result<(), FieldError> {
        text(&self.text, "text", NOTE_MAX_CHARS, true)
    }
}

impl WithdrawReport {
    /// The reason is optional, but bounded like every other note a resident writes.
    pub fn validate(&self) -> Result<(), FieldError> {
        match &self.reason {
            Some(r) => text(r, "reason", NOTE_MAX_CHARS, false),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeclaredMedia, LocationSource, normalize_phone};
    use chrono::Utc;
    use uuid::Uuid;

    fn report() -> NewReport {
        NewReport {
            id: Uuid::now_v7(),
            category: "road_repair".into(),
            description: "Яма на дороге".into(),
            location: Location {
                lat: 43.2389,
                lon: 76.8897,
                accuracy_m: Some(8.0),
                source: LocationSource::Gps,
                fixed_at: Utc::now(),
            },
            address: None,
            media: vec![],
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_plain_report_is_valid() {
        assert_eq!(report().validate(), Ok(()));
    }

    #[test]
    fn description_is_counted_in_characters() {
        let mut r = report();
        r.description = "ә".repeat(DESCRIPTION_MAX_CHARS);
        assert!(r.validate().is_ok(), "4000 Kazakh letters are 8000 bytes but allowed");
        r.description.push('ә');
        assert_eq!(r.validate().unwrap_err().field, "description");
    }

    #[test]
    fn zero_zero_and_out_of_range_locations_are_refused() {
        let mut r = report();
        r.location.lat = 0.0;
        r.location.lon = 0.0;
        assert_eq!(r.validate().unwrap_err().field, "location");
        r.location.lat = 91.0;
        r.location.lon = 10.0;
        assert_eq!(r.validate().unwrap_err().field, "location.lat");
        r.location.lat = 10.0;
        r.location.lon = f64::NAN;
        assert_eq!(r.validate().unwrap_err().field, "location.lon");
    }

    #[test]
    fn media_limits_hold() {
        let mut r = report();
        r.media = (0..6).map(|_| DeclaredMedia { id: Uuid::now_v7(), kind: MediaKind::Photo }).collect();
        assert_eq!(r.validate().unwrap_err().field, "media");
        r.media.truncate(2);
        r.media[1].id = r.media[0].id;
        assert_eq!(r.validate().unwrap_err().field, "media");
    }

    #[test]
    fn ratings_are_one_to_five() {
        let mut rating = NewRating { report_id: Uuid::now_v7(), stars: 0, comment: None };
        assert!(rating.validate().is_err());
        rating.stars = 5;
        assert!(rating.validate().is_ok());
        rating.stars = 6;
        assert!(rating.validate().is_err());
    }

    #[test]
    fn a_withdraw_reason_is_bounded() {
        let mut w = WithdrawReport { report_id: Uuid::now_v7(), reason: None };
        assert_eq!(w.validate(), Ok(()));
        w.reason = Some("ә".repeat(NOTE_MAX_CHARS));
        assert_eq!(w.validate(), Ok(()), "counted in characters, not bytes");
        w.reason = Some("ә".repeat(NOTE_MAX_CHARS + 1));
        assert_eq!(w.validate().unwrap_err().field, "reason");
        w.reason = Some("сдаюсь\0".into());
        assert_eq!(w.validate().unwrap_err().field, "reason");
    }

    #[test]
    fn phones_normalise() {
        for p in ["+7 701 123 45 67", "87011234567", "8 (701) 123-45-67", "7011234567", "+77011234567"] {
            assert_eq!(normalize_phone(p).as_deref(), Some("+77011234567"), "{p}");
        }
        for p in ["", "12345", "+1 202 555 0100", "8701123456a", "+7701123456789", "+7 (501) 123 45 67"] {
            assert_eq!(normalize_phone(p), None, "{p}");
        }
    }
}
