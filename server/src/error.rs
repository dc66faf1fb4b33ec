//! The server's one error type. Every failure becomes a status code and an [`ErrorBody`]; internal
//! causes are logged and never shown to the caller.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use qala_protocol::{ErrorBody, FieldError};

use crate::service::ServiceError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// An input broke a rule; `field` names it.
    #[error("{message}")]
    Validation { field: Option<String>, message: String },
    /// The request could not be read at all (bad JSON, bad header).
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("wrong login or password")]
    BadCredentials,
    #[error("{0}")]
    TooManyAttempts(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A resource that existed is gone for good (expired upload, pruned cursor).
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMedia(String),
    /// tus checksum extension: the bytes received do not hash to what the client declared.
    #[error("checksum mismatch: {0}")]
    ChecksumMismatch(String),
    #[error("too many requests; retry in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    /// An account's daily quota is used up: 429 with `Retry-After` and a message the app shows.
    #[error("{message}")]
    QuotaExceeded { message: String, retry_after_s: u64 },
    #[error("{0}")]
    PreconditionFailed(String),
    /// Something this request needs is out of reach for now (the SMS gateway, the hourly SMS
    /// budget): 503 with `Retry-After` and a message the client may show.
    #[error("{message}")]
    Unavailable { message: String, retry_after_s: u64 },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("media storage error: {0}")]
    ObjectStore(#[from] object_store::Error),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Validation { field: Some(e.field), message: e.message }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Taken(message) => AppError::Conflict(message),
            StoreError::UnknownReference { field, message } => AppError::validation(field, message),
            StoreError::QuotaExceeded { message, retry_after_s } => AppError::QuotaExceeded { message, retry_after_s },
            StoreError::Database(e) => AppError::Database(e),
            e @ (StoreError::Corrupt(_) | StoreError::Migrate(_) | StoreError::Json(_) | StoreError::NotApplied(_)) => {
                AppError::Internal(e.to_string())
            }
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid { field, message } => AppError::Validation { field, message },
            ServiceError::Forbidden(m) => AppError::Forbidden(m),
            ServiceError::NotFound(m) => AppError::NotFound(m),
            ServiceError::Conflict(m) => AppError::Conflict(m),
            ServiceError::Store(e) => e.into(),
            ServiceError::Internal(m) => AppError::Internal(m),
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Internal(format!("json: {e}"))
    }
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation { field: Some(field.to_string()), message: message.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::ChecksumMismatch(_) => StatusCode::from_u16(460).expect("460 is a valid code"),
            AppError::RateLimited { .. } | AppError::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::ObjectStore(_) | AppError::Io(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The stable machine code of the body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::BadCredentials => "bad_credentials",
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Gone(_) => "gone",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UnsupportedMedia(_) => "unsupported_media",
            AppError::ChecksumMismatch(_) => "checksum_mismatch",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::QuotaExceeded { .. } => crate::domain::quota::QUOTA_EXCEEDED,
            AppError::PreconditionFailed(_) => "precondition_failed",
            AppError::Unavailable { .. } => "unavailable",
            AppError::Database(_) | AppError::ObjectStore(_) | AppError::Io(_) | AppError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() && !matches!(self, AppError::Unavailable { .. }) {
            tracing::error!(error = %self, "request failed");
            "internal error; it has been logged".to_string()
        } else {
            self.to_string()
        };
        let field = match &self {
            AppError::Validation { field, .. } => field.clone(),
            _ => None,
        };
        let body = ErrorBody { error: self.code().to_string(), message, field };
        let mut resp = (status, axum::Json(body)).into_response();
        if let AppError::RateLimited { retry_after_s }
        | AppError::QuotaExceeded { retry_after_s, .. }
        | AppError::Unavailable { retry_after_s, .. } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}
