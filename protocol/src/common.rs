//! Small shared value types: languages, localized text, locations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The three languages Qala speaks everywhere.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    #[default]
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

/// A text given in all three languages. A missing translation is an empty string; readers fall back
/// to Russian, then English, then Kazakh so that nothing is ever shown blank.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalizedText {
    pub kk: String,
    pub ru: String,
    pub en: String,
}

impl LocalizedText {
    pub fn new(kk: impl Into<String>, ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self { kk: kk.into(), ru: ru.into(), en: en.into() }
    }

    fn exact(&self, lang: Lang) -> &str {
        match lang {
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        }
    }

    /// The text in `lang`, or the first non-empty fallback.
    pub fn get(&self, lang: Lang) -> &str {
        [lang, Lang::Ru, Lang::En, Lang::Kk]
            .into_iter()
            .map(|l| self.exact(l))
            .find(|t| !t.trim().is_empty())
            .unwrap_or("")
    }

    /// The same text with each language trimmed, as forms and requests are stored.
    pub fn trimmed(&self) -> Self {
        Self::new(self.kk.trim(), self.ru.trim(), self.en.trim())
    }

    /// True when no language has text.
    pub fn is_blank(&self) -> bool {
        self.get(Lang::Ru).trim().is_empty()
    }
}

/// Where a location came from. The source travels with the fix so that an operator knows how far to
/// trust it (a GPS fix with 8 m accuracy is not a typed address).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum LocationSource {
    Gps,
    Pin,
    Address,
    Photo,
}

/// A point on the map with its accuracy and provenance.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    /// WGS 84 latitude, −90..90.
    pub lat: f64,
    /// WGS 84 longitude, −180..180.
    pub lon: f64,
    /// Radius of the 68 % confidence circle in metres, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f32>,
    pub source: LocationSource,
    /// When the fix was taken (or the pin placed).
    pub fixed_at: DateTime<Utc>,
}

impl Location {
    /// Great-circle distance in metres (haversine; good to a metre at city scale).
    pub fn distance_m(&self, other: &Location) -> f64 {
        distance_m(self.lat, self.lon, other.lat, other.lon)
    }
}

/// Great-circle distance in metres between two WGS 84 points.
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().asin()
}
