//! Extractors that turn every malformed request into an [`AppError`] with a JSON body, and the
//! bearer-token extractor that says who is asking.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;

use crate::app::AppState;
use crate::auth::hash_token;
use crate::domain::Principal;
use crate::error::AppError;
use crate::service::access::{Admin, Resident, Staff};

/// `Json<T>` whose failures are ours: 400 for unreadable JSON, 413 for an oversized body, 415 for a
/// wrong content type, 422 for JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

fn json_error(r: JsonRejection) -> AppError {
    let text = r.body_text();
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge("request body is too large".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMedia("send JSON with Content-Type: application/json".into())
        }
        StatusCode::UNPROCESSABLE_ENTITY => AppError::Validation { field: None, message: text },
        _ => AppError::BadRequest(text),
    }
}

/// `Query<T>` with our error body.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r @ QueryRejection::FailedToDeserializeQueryString(_)) => {
                Err(AppError::Validation { field: None, message: r.body_text() })
            }
            Err(r) => Err(AppError::BadRequest(r.body_text())),
        }
    }
}

/// The signed-in user, from `Authorization: Bearer <access token>`. Missing, unknown or expired
/// tokens are 401, so the phone knows to refresh.
pub struct Auth(pub Principal);

impl<S> FromRequestParts<S> for Auth
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = bearer(&parts.headers).ok_or(AppError::Unauthorized)?;
        let principal = state
            .store
            .session_by_access(&hash_token(token), chrono::Utc::now())
            .await?
            .ok_or(AppError::Unauthorized)?;
        Ok(Auth(principal))
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Staff only (operators and administrators): the service layer's checked principal.
impl<S> FromRequestParts<S> for Staff
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Auth(p) = Auth::from_request_parts(parts, state).await?;
        Ok(Staff::check(p)?)
    }
}

/// Residents only: the service layer's checked principal.
impl<S> FromRequestParts<S> for Resident
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Auth(p) = Auth::from_request_parts(parts, state).await?;
        Ok(Resident::check(p)?)
    }
}

/// Administrators only: the service layer's checked principal.
impl<S> FromRequestParts<S> for Admin
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Auth(p) = Auth::from_request_parts(parts, state).await?;
        Ok(Admin::check(p)?)
    }
}

/// The client's address: the peer, or what trusted proxies say in `X-Forwarded-For` (see
/// [`crate::limits::client_addr`]). Limits per client are counted on it.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        // Every connection the server accepts carries its peer; a request built in a test
        // without one counts as one anonymous client.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0), |c| c.0);
        // A proxy may add its own header line after the client's: all lines, in order, are one list.
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let forwarded = (!forwarded.is_empty()).then(|| forwarded.join(","));
        Ok(ClientAddr(crate::limits::client_addr(peer, forwarded.as_deref(), &st.settings.trusted_proxies)))
    }
}

/// Whether the client reached us over TLS: the server itself speaks plain HTTP, so only a trusted
/// proxy's `X-Forwarded-Proto: https` says so; anyone else's header is their own word.
pub struct OverTls(pub bool);

impl FromRequestParts<AppState> for OverTls {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(OverTls(over_tls(parts, st)))
    }
}

/// See [`OverTls`]. With several proxies, the nearest one's word (the last value) counts.
pub fn over_tls(parts: &Parts, st: &AppState) -> bool {
    let from_proxy = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|c| st.settings.trusted_proxies.iter().any(|n| n.contains(c.0.ip())));
    let proto = parts.headers.get_all("x-forwarded-proto").iter().filter_map(|v| v.to_str().ok()).next_back();
    let https = proto.and_then(|p| p.rsplit(',').next()).is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    if https && !from_proxy {
        // Most likely a TLS proxy that is not named with --trusted-proxy: its cookies lose Secure.
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            tracing::warn!("X-Forwarded-Proto from a peer that is not a trusted proxy is ignored: name the TLS proxy with --trusted-proxy")
        });
    }
    from_proxy && https
}

/// `Path<T>` with our error body: a path segment that does not parse (an id that is not a UUID)
/// is a 400 in the API's JSON shape, like every other bad input.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}
