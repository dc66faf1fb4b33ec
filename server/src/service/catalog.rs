//! The catalogue: agencies and the categories residents pick. An edit reloads this instance's copy
//! at once (other instances follow within [`crate::app::CATALOG_RELOAD`]); deadlines already set
//! are not recomputed.

use qala_protocol::{Agency, Category, LocalizedText};

use super::access::Admin;
use super::{ServiceError, ServiceResult};
use crate::app::AppState;

/// Working days a category may give an agency.
pub const DEADLINE_DAYS: std::ops::RangeInclusive<u16> = 1..=60;

/// Text in each language within `max` characters, and at least one language given.
pub fn localized(field: &str, t: &LocalizedText, max: usize) -> ServiceResult<()> {
    if t.is_blank() {
        return Err(ServiceError::invalid(field, "give the text in at least one language"));
    }
    for (lang, text) in [("kk", &t.kk), ("ru", &t.ru), ("en", &t.en)] {
        qala_protocol::validate::text(text, &format!("{field}.{lang}"), max, false)?;
    }
    Ok(())
}

/// Codes of agencies and categories: short, lower-case, stable (phones and Open311 use them).
/// `field` names the input at fault (a category's `agency` is a code too).
pub fn check_code(field: &str, code: &str) -> ServiceResult<String> {
    let code = code.trim();
    let ok = (2..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok { Ok(code.to_string()) } else { Err(ServiceError::invalid(field, "2–40 characters: a–z, 0–9, _")) }
}

/// Creates or renames an agency.
pub async fn save_agency(st: &AppState, _: &Admin, agency: Agency) -> ServiceResult<()> {
    let agency = Agency { code: check_code("code", &agency.code)?, name: agency.name.trimmed() };
    localized("name", &agency.name, 200)?;
    st.store.put_agency(&agency).await?;
    st.catalog.reload(st.store.as_ref()).await?;
    Ok(())
}

/// Creates or changes a category; its agency must exist.
pub async fn save_category(st: &AppState, _: &Admin, category: Category) -> ServiceResult<()> {
    let icon = category.icon.trim();
    let category = Category {
        code: check_code("code", &category.code)?,
        name: category.name.trimmed(),
        agency: check_code("agency", &category.agency)?,
        icon: if icon.is_empty() { "other".into() } else { icon.to_string() },
        ..category
    };
    localized("name", &category.name, 200)?;
    if !DEADLINE_DAYS.contains(&category.deadline_days) {
        return Err(ServiceError::invalid("deadline_days", "1 to 60 working days"));
    }
    qala_protocol::validate::text(&category.icon, "icon", 40, true)?;
    st.store.put_category(&category).await?;
    st.catalog.reload(st.store.as_ref()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_plain() {
        assert_eq!(check_code("code", " road_repair ").unwrap(), "road_repair");
        assert!(check_code("code", "Road Repair").is_err());
        assert!(check_code("code", "x").is_err());
        assert!(check_code("agency", "\u{0}\u{0}").is_err());
    }

    #[test]
    fn blank_names_are_refused() {
        assert!(localized("name", &LocalizedText::new("", " ", ""), 200).is_err());
        assert!(localized("name", &LocalizedText::new("Жол", "", ""), 200).is_ok());
    }
}
