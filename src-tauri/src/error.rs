//! The shell's one error type. It crosses the bridge as its message, which the UI shows as is.

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Core(#[from] qala_core::CoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("the app's background work stopped: {0}")]
    Join(String),
    #[error("no location fix on this device: choose the district and type the address")]
    NoFix,
    #[error(
        "location is not allowed for Qala: choose the district and type the address, or allow location in the phone's settings"
    )]
    #[cfg_attr(desktop, allow(dead_code))]
    LocationDenied,
    #[error("{0} is only on phones")]
    #[cfg_attr(target_os = "android", allow(dead_code))]
    PhoneOnly(&'static str),
}

impl serde::Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
