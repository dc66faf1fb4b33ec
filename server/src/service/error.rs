//! The service layer's one error type. Front ends map it to their own answer: a status and a JSON
//! body in the API (`crate::error`), a page in the operator's language in the console.

use qala_protocol::FieldError;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// An input broke a rule; `field` names it when one field is to blame.
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    /// The principal may not do this (its role or agency).
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or this principal may not know that it does.
    #[error("{0}")]
    NotFound(String),
    /// The thing is not in a state that allows this.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid { field: Some(field.to_string()), message: message.into() }
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid { field: Some(e.field), message: e.message }
    }
}
