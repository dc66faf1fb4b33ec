//! How one-time codes reach a phone: an HTTP SMS gateway in production; the log, loudly, in a
//! demo or when an operator chooses it; otherwise nothing, and sign-in by code says it is not set
//! up. The log sender is never a silent default: whoever reads a log it writes can sign in as
//! anyone.

use std::time::Duration;

use async_trait::async_trait;
use clap::Args;

use crate::error::AppError;

/// Delivers a one-time code.
#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    /// Whether codes can be sent at all: a request is refused before it costs anything if not.
    fn available(&self) -> bool {
        true
    }
    async fn send_code(&self, phone: &str, code: &str) -> Result<(), SmsError>;
}

/// Why a code may not have reached the phone. The gateway's own answer stays in the server log.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SmsError {
    /// It certainly did not go out: the gateway could not be reached, or refused the request
    /// with an error status. It counts for no limit.
    #[error("the code could not be sent just now; try again in a minute")]
    NotSent,
    /// It may have gone out: no answer in time, an answer cut off, or one without the expected
    /// text. It counts, or a gateway that answers oddly would lift every limit.
    #[error("the code may not have been sent; if it does not arrive, try again in a minute")]
    Uncertain,
    #[error("sign-in by SMS code is not set up on this server")]
    NotSetUp,
}

/// How long a client waits when no code can be sent now.
const RETRY_SEND_S: u64 = 60;

impl From<SmsError> for AppError {
    fn from(e: SmsError) -> Self {
        let retry_after_s = if e == SmsError::NotSetUp { 3600 } else { RETRY_SEND_S };
        AppError::Unavailable { message: e.to_string(), retry_after_s }
    }
}

/// The development sender: writes the code to the server log (target `qala::sms`), where a
/// developer — or a test reading the log — picks it up.
pub struct LogSender;

#[async_trait]
impl SmsSender for LogSender {
    async fn send_code(&self, phone: &str, code: &str) -> Result<(), SmsError> {
        tracing::info!(target: "qala::sms", phone, code, "one-time code (log sender: no SMS gateway configured)");
        Ok(())
    }
}

/// No way to send codes: the server runs (staff, Open311, the public pages), residents cannot
/// sign in, and each attempt is told why.
pub struct NoSender;

#[async_trait]
impl SmsSender for NoSender {
    fn available(&self) -> bool {
        false
    }

    async fn send_code(&self, _phone: &str, _code: &str) -> Result<(), SmsError> {
        Err(SmsError::NotSetUp)
    }
}

/// The message a resident receives: Kazakh and Russian, one 70-character UCS-2 segment.
pub const DEFAULT_TEXT: &str = "Qala: {code} — кіру коды / код входа. Ешкімге айтпаңыз!";

/// Settings of the SMS gateway (`serve` flags, the environment, or the config file).
#[derive(Args, Debug, Clone, Default)]
pub struct SmsArgs {
    /// The SMS gateway's URL. Placeholders, percent-encoded where they stand: `{phone}`
    /// (+77011234567), `{phone_digits}` (77011234567), `{text}`, `{code}`, `{user}`, `{password}`.
    /// Without it (and without `--sms-log` or `--demo`), residents cannot sign in.
    #[arg(long, env = "QALA_SMS_URL")]
    pub sms_url: Option<String>,
    /// A body to POST, with the same placeholders, encoded for `--sms-content-type`; without it,
    /// the gateway is called with GET.
    #[arg(long, env = "QALA_SMS_BODY")]
    pub sms_body: Option<String>,
    /// The body's type: `application/x-www-form-urlencoded` (values percent-encoded),
    /// `application/json` (values escaped as JSON string content), or any other (as they are).
    #[arg(long, env = "QALA_SMS_CONTENT_TYPE", default_value = "application/x-www-form-urlencoded")]
    pub sms_content_type: String,
    /// An extra request header, `Name: value` (an API key, a bearer token); repeatable.
    #[arg(long = "sms-header", env = "QALA_SMS_HEADER")]
    pub sms_headers: Vec<String>,
    /// The gateway account (a password alone is an API key). When neither template names
    /// `{user}` or `{password}`, they go as HTTP Basic authentication.
    #[arg(long, env = "QALA_SMS_USER")]
    pub sms_user: Option<String>,
    #[arg(long, env = "QALA_SMS_PASSWORD", hide_env_values = true)]
    pub sms_password: Option<String>,
    /// The message; it must contain `{code}`.
    #[arg(long, env = "QALA_SMS_TEXT", default_value = DEFAULT_TEXT)]
    pub sms_text: String,
    /// Text the gateway's answer must contain to count as sent (many answer 200 to a refusal
    /// and say so in the body). Without it, any 2xx status counts.
    #[arg(long, env = "QALA_SMS_EXPECT")]
    pub sms_expect: Option<String>,
    /// Write codes to the server log instead of sending them (development only: anyone who
    /// reads the log can sign in as anyone). `--demo` implies it when no gateway is set.
    #[arg(long, env = "QALA_SMS_LOG")]
    pub sms_log: bool,
    /// Codes the whole server may send per hour, across all instances: a ceiling on the SMS bill
    /// that a flood from many addresses cannot pass.
    #[arg(long, env = "QALA_SMS_PER_HOUR", default_value_t = 3000)]
    pub sms_per_hour: u32,
}

/// Why the SMS settings cannot be used. Each names the setting at fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SmsConfigError {
    #[error("--sms-url and --sms-log both given: choose the gateway or the log")]
    Both,
    #[error("--sms-url: {0}")]
    Url(String),
    #[error(
        "{setting}: unknown placeholder {{{name}}}; known: {{phone}} {{phone_digits}} {{text}} {{code}} {{user}} {{password}}"
    )]
    Placeholder { setting: &'static str, name: String },
    #[error("--sms-text must contain {{code}}")]
    NoCode,
    #[error("--sms-header {0:?}: use `Name: value`")]
    Header(String),
    #[error("--sms-user needs --sms-password")]
    HalfAccount,
}

/// The sender the settings choose; each choice says at start-up what it means.
pub fn sender_from(args: &SmsArgs, demo: bool) -> Result<Box<dyn SmsSender>, SmsConfigError> {
    match (&args.sms_url, args.sms_log) {
        (Some(_), true) => Err(SmsConfigError::Both),
        (Some(_), false) => Ok(Box::new(HttpSender::new(args)?)),
        (None, true) => {
            tracing::warn!("SMS: codes are written to the log (--sms-log): whoever reads it can sign in as anyone");
            Ok(Box::new(LogSender))
        }
        (None, false) if demo => {
            tracing::warn!(
                "SMS: demo mode writes codes to the log: whoever reads it can sign in as anyone; never expose a demo server"
            );
            Ok(Box::new(LogSender))
        }
        (None, false) => {
            tracing::warn!("SMS: no gateway set (--sms-url): residents cannot sign in with a code");
            Ok(Box::new(NoSender))
        }
    }
}

/// How a value is written into a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    /// A URL or a form body: every byte outside the unreserved set is percent-encoded.
    Percent,
    /// Inside a JSON string: quotes, backslashes and control characters escaped.
    JsonString,
    /// As it is.
    Raw,
}

const PLACEHOLDERS: [&str; 6] = ["phone", "phone_digits", "text", "code", "user", "password"];

/// The names of the `{name}` placeholders of `template`, in order: a name is lower-case letters
/// and `_`. Any other brace (a JSON body's own) is text.
fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find(|c: char| !(c.is_ascii_lowercase() || c == '_')) {
            Some(end) if end > 0 && after[end..].starts_with('}') => {
                names.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

/// `template` with each known placeholder replaced by its value, encoded; anything else as it is.
fn fill(template: &str, values: &[(&str, &str)], enc: Encoding) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| Some((close, values.iter().find(|(k, _)| *k == &after[..close])?))) {
            Some((close, (_, value))) => {
                encode_into(&mut out, value, enc);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn encode_into(out: &mut String, value: &str, enc: Encoding) {
    match enc {
        Encoding::Raw => out.push_str(value),
        Encoding::Percent => {
            for b in value.bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
        Encoding::JsonString => {
            let quoted = serde_json::Value::String(value.to_string()).to_string();
            out.push_str(&quoted[1..quoted.len() - 1]);
        }
    }
}

/// The most of a gateway's answer that is read: enough for any status text, bounded against a
/// gateway (or something posing as one) that streams without end.
const ANSWER_MAX: usize = 16 << 10;
/// A gateway that has not answered by then is down for this code; the client is told to retry.
const GATEWAY_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends codes through an HTTP SMS gateway (SMSC.kz-, Mobizon-style APIs: a GET with the
/// message in the query, or a form or JSON POST).
pub struct HttpSender {
    client: reqwest::Client,
    url: String,
    body: Option<String>,
    content_type: String,
    headers: Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    account: Option<(String, String)>,
    basic_auth: bool,
    text: String,
    expect: Option<String>,
}

impl HttpSender {
    pub fn new(args: &SmsArgs) -> Result<Self, SmsConfigError> {
        let url = args.sms_url.clone().unwrap_or_default();
        let parsed = reqwest::Url::parse(&fill(&url, &[], Encoding::Raw).replace(['{', '}'], ""))
            .map_err(|e| SmsConfigError::Url(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(SmsConfigError::Url("use an http:// or https:// URL".into()));
        }
        for (setting, template) in [("--sms-url", Some(&url)), ("--sms-body", args.sms_body.as_ref())] {
            for name in placeholders(template.map_or("", |t| t.as_str())) {
                if !PLACEHOLDERS.contains(&name) {
                    return Err(SmsConfigError::Placeholder { setting, name: name.to_string() });
                }
            }
        }
        if !placeholders(&args.sms_text).contains(&"code") {
            return Err(SmsConfigError::NoCode);
        }
        let headers = args
            .sms_headers
            .iter()
            .map(|h| {
                let (name, value) = h.split_once(':').ok_or_else(|| SmsConfigError::Header(h.clone()))?;
                Ok((
                    reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
                        .map_err(|_| SmsConfigError::Header(h.clone()))?,
                    reqwest::header::HeaderValue::from_str(value.trim())
                        .map_err(|_| SmsConfigError::Header(h.clone()))?,
                ))
            })
            .collect::<Result<Vec<_>, SmsConfigError>>()?;
        // A password alone is an API key; a user alone is a mistake.
        let account = match (&args.sms_user, &args.sms_password) {
            (u, Some(p)) => Some((u.clone().unwrap_or_default(), p.clone())),
            (None, None) => None,
            (Some(_), None) => return Err(SmsConfigError::HalfAccount),
        };
        let named = |name: &str| {
            placeholders(&url).contains(&name)
                || args.sms_body.as_deref().is_some_and(|b| placeholders(b).contains(&name))
        };
        let basic_auth = account.is_some() && !named("user") && !named("password");
        // The crypto provider of this process; a second install is refused and harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(GATEWAY_TIMEOUT)
            .connect_timeout(GATEWAY_TIMEOUT)
            // A redirect would carry the credentials and the code to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SmsConfigError::Url(e.to_string()))?;
        tracing::info!(gateway = %parsed.host_str().unwrap_or(""), "SMS: codes go through the HTTP gateway");
        Ok(HttpSender {
            client,
            url,
            body: args.sms_body.clone(),
            content_type: args.sms_content_type.clone(),
            headers,
            account,
            basic_auth,
            text: args.sms_text.clone(),
            expect: args.sms_expect.clone(),
        })
    }

    fn body_encoding(&self) -> Encoding {
        let ct = self.content_type.to_ascii_lowercase();
        if ct.starts_with("application/x-www-form-urlencoded") {
            Encoding::Percent
        } else if ct.starts_with("application/json") {
            Encoding::JsonString
        } else {
            Encoding::Raw
        }
    }
}

#[async_trait]
impl SmsSender for HttpSender {
    async fn send_code(&self, phone: &str, code: &str) -> Result<(), SmsError> {
        let text = fill(&self.text, &[("code", code)], Encoding::Raw);
        let digits = phone.trim_start_matches('+');
        let (user, password) = self.account.as_ref().map_or(("", ""), |(u, p)| (u.as_str(), p.as_str()));
        let values = [
            ("phone", phone),
            ("phone_digits", digits),
            ("text", &text),
            ("code", code),
            ("user", user),
            ("password", password),
        ];
        let url = fill(&self.url, &values, Encoding::Percent);
        let mut req = match &self.body {
            Some(body) => self.client.post(url).header(reqwest::header::CONTENT_TYPE, &self.content_type).body(fill(
                body,
                &values,
                self.body_encoding(),
            )),
            None => self.client.get(url),
        };
        for (name, value) in &self.headers {
            req = req.header(name, value);
        }
        if self.basic_auth {
            req = req.basic_auth(user, Some(password));
        }
        // Neither the phone nor the code goes to the log: only what the gateway said.
        let mut resp = req.send().await.map_err(|e| {
            let refused = if e.is_connect() { SmsError::NotSent } else { SmsError::Uncertain };
            tracing::error!(error = %e.without_url(), "SMS gateway unreachable");
            refused
        })?;
        let status = resp.status();
        let mut answer = Vec::new();
        while answer.len() < ANSWER_MAX {
            match resp.chunk().await {
                Ok(Some(chunk)) => answer.extend_from_slice(&chunk[..chunk.len().min(ANSWER_MAX - answer.len())]),
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(error = %e.without_url(), %status, "SMS gateway answer cut off");
                    return Err(SmsError::Uncertain);
                }
            }
        }
        let answer = String::from_utf8_lossy(&answer);
        let accepted = status.is_success() && self.expect.as_deref().is_none_or(|e| answer.contains(e));
        if !accepted {
            let shown: String = masked(&answer, &[user, password]).chars().take(200).collect();
            tracing::error!(%status, answer = %shown, "SMS gateway refused the message");
            // An error status is a refusal; a success that does not say so may still have gone out.
            return Err(if status.is_success() { SmsError::Uncertain } else { SmsError::NotSent });
        }
        Ok(())
    }
}

/// A gateway's answer as the log may keep it: gateways echo what they were sent, so runs of four
/// or more digits (a phone number, a code) and the account's secrets, as they are and as they
/// were encoded into the request, are masked.
fn masked(answer: &str, secrets: &[&str]) -> String {
    let mut out = answer.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 3) {
        for enc in [Encoding::Raw, Encoding::Percent, Encoding::JsonString] {
            let mut form = String::new();
            encode_into(&mut form, secret, enc);
            out = out.replace(&form, "***");
        }
    }
    let mut result = String::with_capacity(out.len());
    let mut digits = String::new();
    for c in out.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 4 {
            result.push_str(&"#".repeat(digits.len()));
        } else {
            result.push_str(&digits);
        }
        digits.clear();
        if c != '\0' {
            result.push(c);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_in_their_own_encoding() {
        let values = [("phone", "+77011234567"), ("text", "Qala: 123 \"код\" & more")];
        assert_eq!(
            fill("https://g/send?to={phone}&mes={text}", &values, Encoding::Percent),
            "https://g/send?to=%2B77011234567&mes=Qala%3A%20123%20%22%D0%BA%D0%BE%D0%B4%22%20%26%20more"
        );
        assert_eq!(
            fill(r#"{"to":"{phone}","text":"{text}"}"#, &values, Encoding::JsonString),
            r#"{"to":"+77011234567","text":"Qala: 123 \"код\" & more"}"#
        );
        // Braces that are not a known placeholder stay as they are, the unclosed one too.
        assert_eq!(fill("{x} {phone} {", &values, Encoding::Raw), "{x} +77011234567 {");
        assert_eq!(placeholders(r#"{"to":"{phone}","n":{"a":1},"t":"{text}"} {}"#), ["phone", "text"]);
    }

    #[test]
    fn settings_that_cannot_work_are_refused_at_start() {
        let base = SmsArgs {
            sms_url: Some("https://g/send?to={phone}".into()),
            sms_text: DEFAULT_TEXT.into(),
            ..Default::default()
        };
        assert!(HttpSender::new(&base).is_ok());
        let bad = |f: &dyn Fn(&mut SmsArgs)| {
            let mut a = base.clone();
            f(&mut a);
            HttpSender::new(&a).err()
        };
        assert_eq!(
            bad(&|a| a.sms_url = Some("https://g/?to={phon}".into())),
            Some(SmsConfigError::Placeholder { setting: "--sms-url", name: "phon".into() })
        );
        assert_eq!(bad(&|a| a.sms_text = "your code".into()), Some(SmsConfigError::NoCode));
        assert_eq!(
            bad(&|a| a.sms_url = Some("ftp://g/".into())).map(|e| matches!(e, SmsConfigError::Url(_))),
            Some(true)
        );
        assert_eq!(bad(&|a| a.sms_headers = vec!["no colon".into()]), Some(SmsConfigError::Header("no colon".into())));
        assert_eq!(bad(&|a| a.sms_user = Some("u".into())), Some(SmsConfigError::HalfAccount));
        let both = SmsArgs { sms_log: true, ..base.clone() };
        assert!(matches!(sender_from(&both, false), Err(SmsConfigError::Both)));
    }

    #[test]
    fn the_log_sender_is_never_the_silent_default() {
        let none = SmsArgs::default();
        assert!(!sender_from(&none, false).unwrap().available());
        assert!(sender_from(&none, true).unwrap().available());
        assert!(sender_from(&SmsArgs { sms_log: true, ..none }, false).unwrap().available());
    }

    #[test]
    fn what_a_gateway_echoes_is_masked_in_the_log() {
        let shown = masked(
            r#"{"code":12,"message":"bad key k3y-secret for 77011234567, text Qala: 123456"}"#,
            &["k3y-secret", ""],
        );
        assert_eq!(shown, r#"{"code":12,"message":"bad key *** for ###########, text Qala: ######"}"#);
        assert_eq!(masked("psw=p%26ss", &["p&ss"]), "psw=***", "as it was encoded into the request");
    }

    #[test]
    fn the_default_text_fits_one_segment() {
        assert!(fill(DEFAULT_TEXT, &[("code", "123456")], Encoding::Raw).chars().count() <= 70);
    }
}
