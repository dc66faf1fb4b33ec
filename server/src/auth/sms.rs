//! How one-time codes reach a phone.

use async_trait::async_trait;

use crate::error::AppResult;

/// Delivers a one-time code. A real deployment plugs in its SMS gateway; the embedded default logs.
#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    async fn send_code(&self, phone: &str, code: &str) -> AppResult<()>;
}

/// The zero-configuration sender: writes the code to the server log (target `qala::sms`), where a
/// developer — or a test reading the log — picks it up.
pub struct LogSender;

#[async_trait]
impl SmsSender for LogSender {
    async fn send_code(&self, phone: &str, code: &str) -> AppResult<()> {
        tracing::info!(target: "qala::sms", phone, code, "one-time code (log sender: no SMS gateway configured)");
        Ok(())
    }
}
