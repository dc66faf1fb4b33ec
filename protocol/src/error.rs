//! The one error body every failing request answers with.

use serde::{Deserialize, Serialize};

/// `{ "error": code, "message": text, "field": optional }` — `error` is a stable machine code
/// (`validation`, `not_found`, `checksum_mismatch`, …), `message` is for people, `field` names the
/// offending input when there is one.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
