//! Sign-in: a resident's phone + one-time code, staff password login, token refresh.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Seconds a one-time code lives.
pub const OTP_TTL_SECS: u32 = 300;
/// Wrong guesses allowed before a code is burnt.
pub const OTP_MAX_ATTEMPTS: u32 = 5;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpRequest {
    /// Any common Kazakhstan notation: `+7 701 123 45 67`, `87011234567`, …
    pub phone: String,
    /// A stable random id the app makes once per installation.
    pub device_id: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpRequested {
    /// The phone number as normalised by the server, e.g. `+77011234567`.
    pub phone: String,
    pub expires_in_s: u32,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtpVerify {
    pub phone: String,
    pub device_id: String,
    pub code: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffLogin {
    pub login: String,
    pub password: String,
    pub device_id: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    pub refresh_token: String,
    /// Must be the device the refresh token was issued to.
    pub device_id: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Resident,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "resident" => Some(Role::Resident),
            "operator" => Some(Role::Operator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Tokens for a signed-in device. Send `Authorization: Bearer <access_token>`; when it expires, trade
/// the refresh token (which rotates) for a new pair.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub user_id: Uuid,
    pub role: Role,
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

/// Who I am, as the server sees me.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user_id: Uuid,
    pub role: Role,
    /// My own phone number (residents only). Nobody else ever receives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Agency code, for operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// The pseudonym shown on my comments.
    pub display_name: String,
}

/// Normalises a Kazakhstan mobile number to `+7XXXXXXXXXX`. Accepts `+7…`, `8…` and `7…` with any
/// spaces, dashes, dots and brackets; returns `None` for anything else.
pub fn normalize_phone(input: &str) -> Option<String> {
    let mut digits = String::with_capacity(12);
    for (i, ch) in input.trim().chars().enumerate() {
        match ch {
            '0'..='9' => digits.push(ch),
            '+' if i == 0 => {}
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return None,
        }
    }
    let national = match digits.len() {
        11 if digits.starts_with('8') || digits.starts_with('7') => &digits[1..],
        10 => &digits[..],
        _ => return None,
    };
    // Kazakhstan numbers in +7 start with 6 or 7 (mobile 70x/74x/75x/76x/77x, fixed 7xx).
    if !national.starts_with('7') && !national.starts_with('6') {
        return None;
    }
    Some(format!("+7{national}"))
}
