//! The store's one error type: what went wrong, in storage's words. Which HTTP status or console
//! message each becomes is decided above the store (`crate::error`), never here.

/// A failure of a [`super::Store`] call. The call's transaction has been rolled back.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken: a login, an id another upload or file already has.
    #[error("{0}")]
    Taken(String),
    /// The row refers to one that does not exist (a category or an account of an unknown agency).
    #[error("{message}")]
    UnknownReference { field: &'static str, message: String },
    /// A daily quota is used up; nothing was stored.
    #[error("{message}")]
    QuotaExceeded { message: String, retry_after_s: u64 },
    /// Stored data that does not decode: a bug or a damaged database.
    #[error("bad stored data: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("schema migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// A write that shared its commit with others (see `group_commit`) was not committed: the
    /// commit failed, the database failed before the write ran, the write panicked, or the
    /// store's writer has stopped. Nothing of it was kept.
    #[error("not written: {0}")]
    NotApplied(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Maps the database's own verdicts (a unique key taken, a reference to nothing) to what they mean
/// for the call, in one place, instead of asking first and inserting second: the constraint is
/// checked by the database inside the same statement, so no race slips between the two.
pub trait OnConstraint<T> {
    /// A unique constraint failed: the key is taken.
    fn on_unique(self, taken: impl FnOnce() -> StoreError) -> StoreResult<T>;
    /// A foreign key failed: the row refers to one that does not exist.
    fn on_foreign_key(self, unknown: impl FnOnce() -> StoreError) -> StoreResult<T>;
}

impl<T> OnConstraint<T> for Result<T, sqlx::Error> {
    fn on_unique(self, taken: impl FnOnce() -> StoreError) -> StoreResult<T> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => taken(),
            _ => StoreError::Database(e),
        })
    }

    fn on_foreign_key(self, unknown: impl FnOnce() -> StoreError) -> StoreResult<T> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => unknown(),
            _ => StoreError::Database(e),
        })
    }
}

impl<T> OnConstraint<T> for StoreResult<T> {
    fn on_unique(self, taken: impl FnOnce() -> StoreError) -> StoreResult<T> {
        match self {
            Err(StoreError::Database(e)) => Err(e).on_unique(taken),
            other => other,
        }
    }

    fn on_foreign_key(self, unknown: impl FnOnce() -> StoreError) -> StoreResult<T> {
        match self {
            Err(StoreError::Database(e)) => Err(e).on_foreign_key(unknown),
            other => other,
        }
    }
}
