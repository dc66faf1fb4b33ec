//! Reading posted forms: a form that cannot be read becomes an error page, never a bare text.

use axum::Form;
use axum::extract::rejection::FormRejection;

use super::i18n::L;
use super::layout::Shown;
use crate::error::AppError;

/// A urlencoded form as a handler receives it: parsed, or why not.
pub type FormResult<T> = Result<Form<T>, FormRejection>;

/// The parsed form, or an error page in the operator's language.
pub fn form<T>(l: L, f: FormResult<T>) -> Result<T, Shown> {
    f.map(|Form(v)| v).map_err(|e| Shown(l, AppError::BadRequest(e.body_text())))
}

/// Trimmed text, `None` when blank.
pub fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A checkbox is sent only when ticked.
pub fn ticked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.is_empty())
}
