//! Reading posted forms: a form that cannot be read becomes an error page, never a bare text; and
//! no state-changing form is read before its sender is known and its CSRF token checked.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::i18n::L;
use super::layout::Shown;
use super::session::{Operator, SignedIn};
use crate::app::AppState;
use crate::error::AppError;

/// A form posted by a signed-in operator (or, with `W = AdminOp`, an administrator), with its CSRF
/// token (and the request's origin) checked. Handlers take it last, as it reads the body.
pub struct Posted<T, W = Operator>(pub W, pub T);

/// Every console form: the token, and the form's own fields.
#[derive(Deserialize)]
struct WithToken<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    fields: T,
}

/// A form with nothing but its token (a button).
#[derive(Deserialize)]
pub struct Nothing {}

impl<T: DeserializeOwned + Send, W: SignedIn> FromRequest<AppState> for Posted<T, W> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let who = W::from_request_parts(&mut parts, st).await?;
        let headers = parts.headers.clone();
        let f = Form::<WithToken<T>>::from_request(Request::from_parts(parts, body), st).await;
        let op = who.operator();
        let f = form(op.l, f).map_err(IntoResponse::into_response)?;
        op.check(&headers, &f.csrf).map_err(IntoResponse::into_response)?;
        Ok(Posted(who, f.fields))
    }
}

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
