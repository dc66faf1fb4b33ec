//! The city's catalogue: agencies and the categories residents choose from.

use serde::{Deserialize, Serialize};

use crate::LocalizedText;

/// A city agency (a department of the akimat, a district, a utility) that answers reports.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agency {
    /// Stable code, e.g. `roads`.
    pub code: String,
    pub name: LocalizedText,
}

/// A category of problem: routed to one agency, answered within a number of working days.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// Stable code, e.g. `road_repair`.
    pub code: String,
    pub name: LocalizedText,
    /// Code of the agency reports of this category are routed to.
    pub agency: String,
    /// Working days from registration to the deadline.
    pub deadline_days: u16,
    /// Icon name the UI maps to a glyph.
    pub icon: String,
    /// Inactive categories are kept for old reports but not offered for new ones.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

/// Everything a phone needs to capture a report before it ever signs in.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogResponse {
    pub agencies: Vec<Agency>,
    pub categories: Vec<Category>,
}

/// A category listed without `active` (the seed files) is offered.
fn active_by_default() -> bool {
    true
}
