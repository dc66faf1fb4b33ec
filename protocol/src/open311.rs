//! The Open311 GeoReport v2 wire format where it takes input: the intake form other channels post,
//! the list and date parameters of queries, and XML text. Parsed here, once, for the server and the
//! fuzzers in `fuzz/`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{FieldError, Location, LocationSource, NewReport};

/// Most values a list parameter (ids, service codes, statuses) may carry.
pub const MAX_LIST: usize = 100;

/// A report from an intake form: `service_code`, `lat`, `long`, optional `description` and
/// `address_string`. The service code is taken as the category; whether it exists and takes
/// reports is for the caller to check against its catalogue.
pub fn new_report(form: &HashMap<String, String>, id: Uuid, now: DateTime<Utc>) -> Result<NewReport, FieldError> {
    let category = form
        .get("service_code")
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| FieldError::new("service_code", "is required"))?;
    let coord = |k: &str| form.get(k).and_then(|v| v.trim().parse::<f64>().ok());
    let (Some(lat), Some(lon)) = (coord("lat"), coord("long")) else {
        return Err(FieldError::new("lat", "lat and long are required"));
    };
    let report = NewReport {
        id,
        category: category.to_string(),
        description: form.get("description").cloned().unwrap_or_default(),
        location: Location { lat, lon, accuracy_m: None, source: LocationSource::Address, fixed_at: now },
        address: form.get("address_string").cloned().filter(|a| !a.trim().is_empty()),
        media: vec![],
        created_at: now,
    };
    report.validate()?;
    Ok(report)
}

/// A w3c date-time parameter (an unencoded `+05:00` arrives as a space).
pub fn date(q: &HashMap<String, String>, key: &str) -> Result<Option<DateTime<Utc>>, FieldError> {
    q.get(key)
        .map(|s| {
            DateTime::parse_from_rfc3339(&s.replace(' ', "+"))
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| FieldError::new(key, "must be a w3c date-time"))
        })
        .transpose()
}

/// A comma-separated list parameter, at most [`MAX_LIST`] values.
pub fn list(q: &HashMap<String, String>, key: &str) -> Result<Option<Vec<String>>, FieldError> {
    let Some(v) = q.get(key) else { return Ok(None) };
    let mut out = Vec::new();
    for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if out.len() == MAX_LIST {
            return Err(FieldError::new(key, format!("may list at most {MAX_LIST} values")));
        }
        out.push(item.to_string());
    }
    Ok(Some(out))
}

/// Escapes text for XML 1.0, dropping the characters it cannot carry at all: control characters
/// and the noncharacters U+FFFE and U+FFFF (one of them in a description would otherwise make the
/// whole `requests.xml` unreadable for every consumer).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn intake_forms() {
        let now = Utc::now();
        let ok = form(&[("service_code", "road_repair"), ("lat", "43.25"), ("long", "76.9"), ("description", "яма")]);
        let r = new_report(&ok, Uuid::nil(), now).unwrap();
        assert_eq!((r.category.as_str(), r.location.lat), ("road_repair", 43.25));
        assert_eq!(
            new_report(&form(&[("lat", "1"), ("long", "1")]), Uuid::nil(), now).unwrap_err().field,
            "service_code"
        );
        assert!(new_report(&form(&[("service_code", "x"), ("lat", "1")]), Uuid::nil(), now).is_err());
        let zero = form(&[("service_code", "x"), ("lat", "0"), ("long", "0")]);
        assert!(new_report(&zero, Uuid::nil(), now).is_err(), "0,0 is no place");
        let long = "я".repeat(5000);
        let big = form(&[("service_code", "x"), ("lat", "43.2"), ("long", "76.9"), ("description", long.as_str())]);
        assert!(new_report(&big, Uuid::nil(), now).is_err());
    }

    #[test]
    fn lists_and_dates() {
        let many = vec!["a"; MAX_LIST + 1].join(",");
        assert!(list(&form(&[("ids", many.as_str())]), "ids").is_err());
        assert_eq!(list(&form(&[("ids", " a, ,b ")]), "ids").unwrap(), Some(vec!["a".into(), "b".into()]));
        assert!(date(&form(&[("d", "2026-01-01T00:00:00 05:00")]), "d").unwrap().is_some());
        assert!(date(&form(&[("d", "yesterday")]), "d").is_err());
    }

    #[test]
    fn xml_text_never_carries_what_xml_cannot() {
        let dirty = "a\u{FFFE}b\u{FFFF}c\u{0}d\u{1B}e\tf\ng<&>\"'";
        assert_eq!(xml_escape(dirty), "abcde\tf\ng&lt;&amp;&gt;&quot;&apos;");
        assert_eq!(xml_escape("Алматы ☀ 𝄞"), "Алматы ☀ 𝄞");
    }
}
