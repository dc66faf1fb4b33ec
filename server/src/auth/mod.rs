//! Sign-in machinery: one-time codes, opaque tokens (only their hashes are stored), staff passwords.

pub mod sms;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use qala_protocol::Session;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::domain::Principal;
use crate::error::{AppError, AppResult};
use crate::store::{NewSession, Store};

/// Lifetimes of the two tokens.
#[derive(Clone, Copy, Debug)]
pub struct TokenPolicy {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self { access_ttl: Duration::minutes(15), refresh_ttl: Duration::days(60) }
    }
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: a leaked table does not let anyone sign in.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh nonce for a one-time code: the code itself is derived from it, see [`otp_code`].
pub fn otp_nonce() -> String {
    random_token()
}

/// The six-digit code of `nonce` for `phone`. Derived (keyed by the server secret) rather than
/// stored, so that a phone that asks again is sent the same code without the plain code being
/// kept anywhere; the bias of reducing 32 bits modulo 10⁶ is below 0.03 %.
pub fn otp_code(secret: &str, phone: &str, nonce: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret.as_bytes());
    h.update(b"\0otp-code\0");
    h.update(phone.as_bytes());
    h.update([0]);
    h.update(nonce.as_bytes());
    let d = h.finalize();
    format!("{:06}", u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 1_000_000)
}

/// The stored form of a code: keyed by the server secret and the phone, so equal codes for two
/// phones differ and a table dump cannot be reversed by a 10⁶ dictionary without the secret.
pub fn otp_hash(secret: &str, phone: &str, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret.as_bytes());
    h.update([0]);
    h.update(phone.as_bytes());
    h.update([0]);
    h.update(code.trim().as_bytes());
    hex::encode(h.finalize())
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::encode_b64(&rand::rng().random::<[u8; 16]>())
        .map_err(|e| AppError::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A readable random password for a new staff account (printed once).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// A device id is the app's own random installation id: short, printable, no spaces.
pub fn check_device_id(device_id: &str) -> AppResult<()> {
    let ok = (8..=128).contains(&device_id.len())
        && device_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(AppError::validation("device_id", "8–128 letters, digits, '-' or '_'")) }
}

/// A fresh token pair for `principal` on `device_id`, and the record the store keeps of it.
pub fn new_session(
    principal: &Principal,
    device_id: &str,
    now: DateTime<Utc>,
    policy: TokenPolicy,
) -> (Session, NewSession) {
    let access = random_token();
    let refresh = random_token();
    let session = Session {
        user_id: principal.user_id,
        role: principal.role,
        access_token: access.clone(),
        access_expires_at: now + policy.access_ttl,
        refresh_token: refresh.clone(),
        refresh_expires_at: now + policy.refresh_ttl,
    };
    let record = NewSession {
        user_id: principal.user_id,
        // A new family; a refresh puts the next session into the family of the old one.
        family: random_token(),
        device_id: device_id.to_string(),
        access_hash: hash_token(&access),
        access_expires_at: session.access_expires_at,
        refresh_hash: hash_token(&refresh),
        refresh_expires_at: session.refresh_expires_at,
    };
    (session, record)
}

/// Creates and stores a session.
pub async fn open_session(
    store: &dyn Store,
    principal: &Principal,
    device_id: &str,
    now: DateTime<Utc>,
    policy: TokenPolicy,
) -> AppResult<Session> {
    let (session, record) = new_session(principal, device_id, now, policy);
    store.session_create(&record, now).await?;
    Ok(session)
}

/// Compares secrets in time that depends on their length only, not on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn otp_hashes_depend_on_phone_and_secret() {
        let a = otp_hash("s", "+77011234567", "123456");
        assert_eq!(a, otp_hash("s", "+77011234567", " 123456 "));
        assert_ne!(a, otp_hash("s", "+77011234568", "123456"));
        assert_ne!(a, otp_hash("t", "+77011234567", "123456"));
        let code = otp_code("s", "+77011234567", "n1");
        assert_eq!((code.len(), code.bytes().all(|b| b.is_ascii_digit())), (6, true));
        assert_eq!(code, otp_code("s", "+77011234567", "n1"), "the same nonce gives the same code");
        let others = ["n2", "n3", "n4", "n5"].map(|n| otp_code("s", "+77011234567", n));
        assert!(others.iter().any(|c| *c != code), "another nonce, another code");
    }

    #[test]
    fn device_ids_are_checked() {
        assert!(check_device_id("a1b2c3d4-e5f6").is_ok());
        assert!(check_device_id("short").is_err());
        assert!(check_device_id("has space here").is_err());
    }
}
