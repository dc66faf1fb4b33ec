//! The server's HTTP API as the phone uses it.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use qala_protocol::{
    DeleteAccount, ErrorBody, MediaKind, OtpRequest, OtpRequested, OtpVerify, PersonalData, PublicReport, PullResponse,
    PushRequest, PushResponse, RefreshRequest, ReportsOnDeletion, Session,
};
use reqwest::{Response, StatusCode};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    /// Server address, e.g. `http://127.0.0.1:8080`.
    server: String,
}

/// A pull page, or word that the cursor is too old and the phone must start over.
pub enum Pulled {
    Page(PullResponse),
    Gone,
}

fn transport(e: reqwest::Error) -> CoreError {
    CoreError::Offline(e.to_string())
}

async fn fail(r: Response) -> CoreError {
    let status = r.status();
    let body: Option<ErrorBody> = r.json().await.ok();
    // Only Qala's own 401 ends the session; a proxy's or a captive portal's says nothing about it.
    if status == StatusCode::UNAUTHORIZED && body.is_some() {
        return CoreError::SignedOut;
    }
    let (code, message) = body.map_or_else(|| (NOT_QALA.into(), status.to_string()), |b| (b.error, b.message));
    CoreError::Server { status: status.as_u16(), code, message }
}

/// The error code of an answer that did not come with Qala's error body (a proxy's page, say).
pub const NOT_QALA: &str = "http";

/// Checks a server address the resident typed (or the environment gave) and returns it without a
/// trailing slash. HTTPS anywhere; plain HTTP only to this device (a server on the same machine, or
/// the Android emulator's view of its host, 10.0.2.2), because the phone's own HTTP client is not
/// covered by Android's cleartext rules and a session sent in clear can be read by anyone on the
/// way.
pub fn check_server_address(input: &str) -> CoreResult<String> {
    let s = input.trim().trim_end_matches('/');
    let invalid = |why: &str| Err(qala_protocol::FieldError::new("server", format!("the server address {why}")).into());
    if s.len() > 300 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid("is not an address");
    }
    let (secure, rest) = match (s.strip_prefix("https://"), s.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return invalid("must start with https://"),
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return invalid("has no host");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let local = ["127.0.0.1", "localhost", "::1", "10.0.2.2"].contains(&host.to_ascii_lowercase().as_str());
    if !secure && !local {
        return invalid("must start with https:// (plain http:// only for a server on this device)");
    }
    Ok(s.to_string())
}

/// Where the certificates that HTTPS servers are checked against come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Roots {
    /// The operating system's store and verifier (rustls-platform-verifier): Linux, Windows,
    /// macOS, iOS. It follows the system's updates and the roots a user or company installed.
    Platform,
    /// Mozilla's roots, built into the app (webpki-root-certs). Android uses them: its platform
    /// verifier is reached through JNI, which needs an initialisation from the app's Java side that
    /// Tauri does not make. The cost: roots update with the app, not with the system, and roots
    /// that a user or a company added to the phone are not trusted.
    Bundled,
}

impl Roots {
    /// This platform's choice.
    pub const DEFAULT: Roots = if cfg!(target_os = "android") { Roots::Bundled } else { Roots::Platform };
}

impl Api {
    pub fn new(server: &str) -> Self {
        Self::with_roots(server, Roots::DEFAULT)
    }

    /// A client that checks HTTPS servers against `roots` (tests pick; the app takes [`Roots::DEFAULT`]).
    pub fn with_roots(server: &str, roots: Roots) -> Self {
        Self::build(server, roots, Duration::from_secs(10), Duration::from_secs(60))
    }

    /// A client whose requests give up sooner (for courtesies such as a revocation).
    pub fn with_timeouts(server: &str, connect: Duration, total: Duration) -> Self {
        Self::build(server, Roots::DEFAULT, connect, total)
    }

    fn build(server: &str, roots: Roots, connect: Duration, total: Duration) -> Self {
        // rustls needs one crypto provider per process; a second install is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // No redirects: a 307/308 would send a body that holds a refresh token, a code or a file to
        // wherever the answer points, and the server never redirects the API.
        let builder = reqwest::Client::builder()
            .connect_timeout(connect)
            .timeout(total)
            .redirect(reqwest::redirect::Policy::none());
        let builder = match roots {
            Roots::Platform => builder,
            Roots::Bundled => builder.tls_certs_only(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS
                    .iter()
                    .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok()),
            ),
        };
        let http = builder.build().expect("HTTP client");
        Api { http, server: server.trim_end_matches('/').to_string() }
    }

    /// The server's base address.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}{}", self.server, qala_protocol::API_PREFIX, path)
    }

    /// Whether `url` is on this server (same scheme, host and port): only such addresses get the
    /// resident's token.
    pub fn owns(&self, url: &str) -> bool {
        url.strip_prefix(&self.server).is_some_and(|rest| rest.starts_with('/'))
    }

    /// An upload's absolute address from the Location the server gave. A Location on another
    /// origin is refused: every later request to it would carry the resident's token.
    fn absolute(&self, location: &str) -> CoreResult<String> {
        let url = if location.starts_with('/') && !location.starts_with("//") {
            format!("{}{}", self.server, location)
        } else {
            location.to_string()
        };
        if !self.owns(&url) {
            return Err(CoreError::Server {
                status: 201,
                code: "foreign_location".into(),
                message: "the upload address is not on this server".into(),
            });
        }
        Ok(url)
    }

    pub async fn otp_request(&self, phone: &str, device_id: &str) -> CoreResult<OtpRequested> {
        let body = OtpRequest { phone: phone.into(), device_id: device_id.into() };
        let r = self.http.post(self.url("/auth/otp/request")).json(&body).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    pub async fn otp_verify(&self, phone: &str, device_id: &str, code: &str) -> CoreResult<Session> {
        let body = OtpVerify { phone: phone.into(), device_id: device_id.into(), code: code.into() };
        let r = self.http.post(self.url("/auth/otp/verify")).json(&body).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    pub async fn refresh(&self, refresh_token: &str, device_id: &str) -> CoreResult<Session> {
        let body = RefreshRequest { refresh_token: refresh_token.into(), device_id: device_id.into() };
        let r = self.http.post(self.url("/auth/refresh")).json(&body).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    /// Ends the session the access token belongs to.
    pub async fn logout(&self, access_token: &str) -> CoreResult<()> {
        let r = self.http.post(self.url("/auth/logout")).bearer_auth(access_token).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        Ok(())
    }

    pub async fn push(&self, token: &str, req: &PushRequest) -> CoreResult<PushResponse> {
        let r = self.http.post(self.url("/sync/push")).bearer_auth(token).json(req).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    /// A report as the public sees it, whole, read online (outside the phone's scope, or past the
    /// pulled summary). `None` when the server has no public report by that id.
    pub async fn public_report(&self, token: &str, id: Uuid) -> CoreResult<Option<PublicReport>> {
        let r =
            self.http.get(self.url(&format!("/reports/{id}"))).bearer_auth(token).send().await.map_err(transport)?;
        if r.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    /// Public reports read online: one by registration number (`number`), or a page of the feed
    /// after `before` (registration time and id of the previous page's last report) in
    /// `districts` (`*`: the whole city).
    pub async fn public_reports(
        &self,
        token: &str,
        number: Option<&str>,
        before: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
        districts: &[String],
        limit: u32,
    ) -> CoreResult<Vec<PublicReport>> {
        let mut q: Vec<(&str, String)> = vec![("limit", limit.to_string()), ("districts", districts.join(","))];
        if let Some(n) = number {
            q.push(("number", n.to_string()));
        }
        if let Some((at, id)) = before {
            q.push(("before", crate::db::ts(at)));
            q.push(("before_id", id.to_string()));
        }
        let r = self.http.get(self.url("/reports")).query(&q).bearer_auth(token).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    /// The next page of the scope `districts` (empty: the whole city) after `cursor` (empty: a
    /// phone that holds nothing yet).
    pub async fn pull(&self, token: &str, cursor: &str, districts: &[String], limit: u32) -> CoreResult<Pulled> {
        let limit = limit.to_string();
        let districts = districts.join(",");
        let r = self
            .http
            .get(self.url("/sync/pull"))
            .query(&[("cursor", cursor), ("limit", &limit), ("districts", &districts)])
            .bearer_auth(token)
            .send()
            .await
            .map_err(transport)?;
        if r.status() == StatusCode::GONE {
            return Ok(Pulled::Gone);
        }
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        Ok(Pulled::Page(r.json().await.map_err(transport)?))
    }

    /// Creates (or finds again: the server keys uploads by media id) an upload; returns its URL.
    pub async fn tus_create(
        &self,
        token: &str,
        id: Uuid,
        kind: MediaKind,
        len: u64,
        sha256: &str,
    ) -> CoreResult<String> {
        let meta = format!(
            "id {},kind {},sha256 {}",
            STANDARD.encode(id.to_string()),
            STANDARD.encode(kind.as_str()),
            STANDARD.encode(sha256)
        );
        let r = self
            .http
            .post(self.url("/uploads"))
            .bearer_auth(token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", len.to_string())
            .header("Upload-Metadata", meta)
            .send()
            .await
            .map_err(transport)?;
        if r.status() != StatusCode::CREATED {
            return Err(fail(r).await);
        }
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).ok_or_else(|| CoreError::Server {
            status: 201,
            code: "no_location".into(),
            message: "no Location".into(),
        })?;
        self.absolute(location)
    }

    /// The city's catalogue; public, so a phone that never signed in can still capture.
    pub async fn catalog(&self) -> CoreResult<qala_protocol::CatalogResponse> {
        let r = self.http.get(self.url("/catalog")).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    /// Downloads a stored media file (an answer's photo report, say) the caller may see.
    pub async fn media(&self, token: &str, id: Uuid) -> CoreResult<bytes::Bytes> {
        let r = self.http.get(self.url(&format!("/media/{id}"))).bearer_auth(token).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.bytes().await.map_err(transport)
    }

    /// Everything the server keeps about the signed-in resident.
    pub async fn export(&self, token: &str) -> CoreResult<PersonalData> {
        let r = self.http.get(self.url("/me/export")).bearer_auth(token).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    /// Takes the resident's name off one of their reports.
    pub async fn anonymise(&self, token: &str, report: Uuid) -> CoreResult<()> {
        let url = self.url(&format!("/me/reports/{report}/anonymise"));
        let r = self.http.post(url).bearer_auth(token).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        Ok(())
    }

    /// Deletes the resident's account at the server.
    pub async fn delete_account(&self, token: &str, reports: ReportsOnDeletion) -> CoreResult<()> {
        let body = DeleteAccount { reports };
        let r = self.http.delete(self.url("/me")).bearer_auth(token).json(&body).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        Ok(())
    }

    /// The server's offset of an upload; `None` when the upload is gone (expired or refused).
    pub async fn tus_offset(&self, token: &str, url: &str) -> CoreResult<Option<u64>> {
        let r =
            self.http.head(url).bearer_auth(token).header("Tus-Resumable", "1.0.0").send().await.map_err(transport)?;
        match r.status() {
            StatusCode::OK => Ok(offset_header(&r)),
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(None),
            _ => Err(fail(r).await),
        }
    }

    /// Sends one chunk at `offset` with its checksum; returns the new offset.
    pub async fn tus_patch(&self, token: &str, url: &str, offset: u64, chunk: Vec<u8>) -> CoreResult<u64> {
        let checksum = format!("sha256 {}", STANDARD.encode(Sha256::digest(&chunk)));
        let r = self
            .http
            .patch(url)
            .bearer_auth(token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Upload-Checksum", checksum)
            .header("Content-Type", "application/offset+octet-stream")
            .body(chunk)
            .send()
            .await
            .map_err(transport)?;
        if r.status() != StatusCode::NO_CONTENT {
            return Err(fail(r).await);
        }
        offset_header(&r).ok_or_else(|| CoreError::Server {
            status: 204,
            code: "no_offset".into(),
            message: "no Upload-Offset".into(),
        })
    }
}

fn offset_header(r: &Response) -> Option<u64> {
    r.headers().get("upload-offset")?.to_str().ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_https_or_this_device() {
        assert_eq!(check_server_address(" https://qala.almaty.kz/ ").unwrap(), "https://qala.almaty.kz");
        for ok in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "http://10.0.2.2:8080"] {
            assert!(check_server_address(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://qala.almaty.kz",
            "http://192.168.1.5:8080",
            "ftp://qala.kz",
            "qala.kz",
            "https://",
            "https://user@qala.kz",
            "http://127.0.0.1.evil.kz",
            "https://qala .kz",
        ] {
            assert!(check_server_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn upload_addresses_stay_on_the_server() {
        let api = Api::with_roots("https://qala.kz", Roots::Platform);
        assert_eq!(api.absolute("/api/v1/uploads/1").unwrap(), "https://qala.kz/api/v1/uploads/1");
        assert!(api.absolute("https://qala.kz/api/v1/uploads/1").is_ok());
        for foreign in ["https://evil.kz/u", "//evil.kz/u", "https://qala.kz.evil.kz/u", "http://qala.kz/u", "u"] {
            assert!(api.absolute(foreign).is_err(), "{foreign}");
        }
        assert!(!api.owns("https://qala.kz:8443/x"));
    }
}
