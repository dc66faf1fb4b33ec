//! The core's one error type.

use qala_protocol::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Invalid(#[from] FieldError),
    /// A media file that cannot be used (unreadable, HEIC, too long a video…); kept on the draft.
    #[error("{0}")]
    Media(String),
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The server could not be reached; the work stays queued.
    #[error("offline: {0}")]
    Offline(String),
    /// Sign in first (or again): the session is missing or refused.
    #[error("not signed in")]
    SignedOut,
    /// The server answered with an error.
    #[error("server said {status}: {message}")]
    Server { status: u16, code: String, message: String },
}

pub type CoreResult<T> = Result<T, CoreError>;
