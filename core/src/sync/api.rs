//! The server's HTTP API as the phone uses it.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use qala_protocol::{
    ErrorBody, MediaKind, OtpRequest, OtpRequested, OtpVerify, PullResponse, PushRequest, PushResponse, RefreshRequest,
    Session,
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
    if status == StatusCode::UNAUTHORIZED {
        return CoreError::SignedOut;
    }
    let body: Option<ErrorBody> = r.json().await.ok();
    let (code, message) = body.map_or_else(|| (NOT_QALA.into(), status.to_string()), |b| (b.error, b.message));
    CoreError::Server { status: status.as_u16(), code, message }
}

/// The error code of an answer that did not come with Qala's error body (a proxy's page, say).
pub const NOT_QALA: &str = "http";

impl Api {
    pub fn new(server: &str) -> Self {
        // rustls needs one crypto provider per process; a second install is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .expect("HTTP client");
        Api { http, server: server.trim_end_matches('/').to_string() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}{}", self.server, qala_protocol::API_PREFIX, path)
    }

    /// An upload's absolute address from the Location the server gave.
    fn absolute(&self, location: &str) -> String {
        if location.starts_with("http") { location.to_string() } else { format!("{}{}", self.server, location) }
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

    pub async fn push(&self, token: &str, req: &PushRequest) -> CoreResult<PushResponse> {
        let r = self.http.post(self.url("/sync/push")).bearer_auth(token).json(req).send().await.map_err(transport)?;
        if !r.status().is_success() {
            return Err(fail(r).await);
        }
        r.json().await.map_err(transport)
    }

    pub async fn pull(&self, token: &str, cursor: i64, limit: u32) -> CoreResult<Pulled> {
        let r = self
            .http
            .get(format!("{}?cursor={cursor}&limit={limit}", self.url("/sync/pull")))
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
        Ok(self.absolute(location))
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
