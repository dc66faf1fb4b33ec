//! Command line and environment: `qala-server serve` needs no flags at all.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use qala_protocol::Role;

use crate::app::{ClientLimits, MEDIA_GC_GRACE_HOURS, Quotas, Timeouts};
use crate::limits::Net;

#[derive(Parser, Debug)]
#[command(name = "qala-server", version, about = "Qala sync server")]
pub struct Cli {
    /// A TOML file of settings named like the flags (`addr = "0.0.0.0:8080"`, `demo = true`,
    /// `open311_key = ["ikomek:…"]`). Flags and environment variables win over it.
    #[arg(long, env = "QALA_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// Reads the TOML file named by `--config` (or `QALA_CONFIG`) in `args` and returns, for each
/// setting, the environment variable and value it stands for. The caller sets those that are not
/// set already, so the order of precedence is flags, then environment, then file, then defaults.
pub fn config_file_env(args: &[String]) -> Result<Vec<(String, String)>, String> {
    let path = args
        .iter()
        .position(|a| a == "--config")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--config=").map(str::to_string)))
        .or_else(|| std::env::var("QALA_CONFIG").ok());
    let Some(path) = path else { return Ok(vec![]) };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let table: toml::Table = text.parse().map_err(|e| format!("{path}: {e}"))?;
    table
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(items) => items
                    .into_iter()
                    .map(|v| v.as_str().map(str::to_string).ok_or_else(|| format!("{path}: {key}: a list of strings")))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
                other => return Err(format!("{path}: {key}: unsupported value {other}")),
            };
            let var = match key.replace('-', "_").as_str() {
                // Repeatable flags read a comma-separated list from their plural variable.
                "open311_key" | "open311_keys" => "QALA_OPEN311_KEYS".to_string(),
                "trusted_proxy" | "trusted_proxies" => "QALA_TRUSTED_PROXIES".to_string(),
                k @ ("addr"
                | "data_dir"
                | "database_url"
                | "demo"
                | "city_prefix"
                | "log_format"
                | "otp_ttl_secs"
                | "retention_days"
                | "s3_bucket"
                | "s3_endpoint"
                | "s3_region"
                | "otp_requests_per_addr"
                | "login_failures_per_addr"
                | "password_checks"
                | "header_timeout_secs"
                | "request_timeout_secs"
                | "upload_timeout_secs"
                | "max_connections"
                | "max_in_flight"
                | "quota_reports_per_day"
                | "quota_comments_per_day"
                | "quota_media_mb_per_day"
                | "media_gc_grace_hours") => {
                    format!("QALA_{}", k.to_uppercase())
                }
                other => return Err(format!("{path}: unknown setting {other:?}")),
            };
            Ok((var, value))
        })
        .collect()
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage staff accounts (operators and administrators).
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Create an account and print its generated password once.
    Add(StaffAddArgs),
}

#[derive(Parser, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the chosen address is logged).
    #[arg(long, env = "QALA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub data: DataArgs,
    /// Seed demo content (news, two projects with comments) and demo staff accounts.
    #[arg(long, env = "QALA_DEMO")]
    pub demo: bool,
    /// Prefix of registration numbers, e.g. ALA for Almaty, AST for Astana.
    #[arg(long, env = "QALA_CITY_PREFIX", default_value = "ALA")]
    pub city_prefix: String,
    #[arg(long, env = "QALA_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Open311 intake keys as `channel:key` (e.g. `ikomek:…`), comma-separated in the environment.
    /// Without any, `POST /open311/v2/requests` refuses every call.
    #[arg(long = "open311-key", env = "QALA_OPEN311_KEYS", value_delimiter = ',')]
    pub open311_keys: Vec<String>,
    /// Days a deletion (tombstone) stays in the change log; a phone whose cursor is older must
    /// download everything again (410).
    #[arg(long, env = "QALA_RETENTION_DAYS", default_value_t = 90)]
    pub retention_days: u32,
    /// Lifetime of a one-time sign-in code.
    #[arg(long, env = "QALA_OTP_TTL_SECS", default_value_t = qala_protocol::OTP_TTL_SECS)]
    pub otp_ttl_secs: u32,
    /// Proxies (addresses or networks, e.g. `10.0.0.0/8`) whose `X-Forwarded-For` names the client;
    /// comma-separated in the environment. Without any, the peer's address is the client's.
    #[arg(long = "trusted-proxy", env = "QALA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<Net>,
    /// Sign-in codes one client address may ask for in 10 minutes (phones behind one mobile NAT
    /// share an address: keep it generous).
    #[arg(long, env = "QALA_OTP_REQUESTS_PER_ADDR", default_value_t = ClientLimits::DEFAULT.otp_requests)]
    pub otp_requests_per_addr: u32,
    /// Failed staff sign-ins one client address may make in 15 minutes.
    #[arg(long, env = "QALA_LOGIN_FAILURES_PER_ADDR", default_value_t = ClientLimits::DEFAULT.login_failures)]
    pub login_failures_per_addr: u32,
    /// Password checks (argon2, ~19 MiB each) running at once.
    #[arg(long, env = "QALA_PASSWORD_CHECKS", default_value_t = ClientLimits::DEFAULT.password_checks)]
    pub password_checks: usize,
    /// Seconds a connection has to send its request headers.
    #[arg(long, env = "QALA_HEADER_TIMEOUT_SECS", default_value_t = Timeouts::DEFAULT.header_read.as_secs())]
    pub header_timeout_secs: u64,
    /// Seconds an ordinary request (with its body) may take before 408.
    #[arg(long, env = "QALA_REQUEST_TIMEOUT_SECS", default_value_t = Timeouts::DEFAULT.request.as_secs())]
    pub request_timeout_secs: u64,
    /// Seconds one upload chunk (PATCH) may take before 408; what arrived by then is kept.
    #[arg(long, env = "QALA_UPLOAD_TIMEOUT_SECS", default_value_t = Timeouts::DEFAULT.upload.as_secs())]
    pub upload_timeout_secs: u64,
    /// Open connections at once; more wait to be accepted.
    #[arg(long, env = "QALA_MAX_CONNECTIONS", default_value_t = Timeouts::DEFAULT.max_connections)]
    pub max_connections: usize,
    /// Open connections from one address that is not a trusted proxy; more are closed.
    #[arg(long, env = "QALA_CONNECTIONS_PER_ADDR", default_value_t = Timeouts::DEFAULT.connections_per_addr)]
    pub connections_per_addr: usize,
    /// Requests handled at once; more are refused with 503 and Retry-After.
    #[arg(long, env = "QALA_MAX_IN_FLIGHT", default_value_t = Timeouts::DEFAULT.max_in_flight)]
    pub max_in_flight: usize,
    /// New reports one resident's account may send per local (UTC+5) day.
    #[arg(long, env = "QALA_QUOTA_REPORTS_PER_DAY", default_value_t = Quotas::DEFAULT.reports_per_day)]
    pub quota_reports_per_day: u32,
    /// Comments one resident's account may write per local day.
    #[arg(long, env = "QALA_QUOTA_COMMENTS_PER_DAY", default_value_t = Quotas::DEFAULT.comments_per_day)]
    pub quota_comments_per_day: u32,
    /// MiB of media uploads one resident's account may begin per local day.
    #[arg(long, env = "QALA_QUOTA_MEDIA_MB_PER_DAY", default_value_t = (Quotas::DEFAULT.media_bytes_per_day >> 20) as u32)]
    pub quota_media_mb_per_day: u32,
    /// Hours a stored media file that no report refers to is kept before it is collected.
    #[arg(long, env = "QALA_MEDIA_GC_GRACE_HOURS", default_value_t = MEDIA_GC_GRACE_HOURS)]
    pub media_gc_grace_hours: u32,
}

#[derive(Parser, Debug, Clone)]
pub struct DataArgs {
    /// Folder for the SQLite file and the media.
    #[arg(long, env = "QALA_DATA_DIR", default_value = "./qala-data")]
    pub data_dir: PathBuf,
    /// `postgres://…` to keep the data in PostgreSQL instead of the SQLite file (media stay in
    /// the data folder).
    #[arg(long, env = "QALA_DATABASE_URL")]
    pub database_url: Option<String>,
    /// An S3-compatible bucket for media instead of the data folder (uploads in progress are
    /// staged there too, so several instances can share them). Credentials come from
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
    #[arg(long, env = "QALA_S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// The S3 endpoint, e.g. `http://127.0.0.1:9000` for a store on loopback (AWS when unset).
    #[arg(long, env = "QALA_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "QALA_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
}

impl DataArgs {
    /// Everything in `data_dir`: the embedded default.
    pub fn embedded(data_dir: &std::path::Path) -> DataArgs {
        DataArgs {
            data_dir: data_dir.to_path_buf(),
            database_url: None,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
        }
    }
}

#[derive(Parser, Debug, Clone)]
pub struct StaffAddArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[arg(long)]
    pub login: String,
    #[arg(long, value_parser = parse_staff_role)]
    pub role: Role,
    /// Agency code (operators only).
    #[arg(long)]
    pub agency: Option<String>,
    /// Name shown in the console.
    #[arg(long)]
    pub name: Option<String>,
}

fn parse_staff_role(s: &str) -> Result<Role, String> {
    match Role::parse(s) {
        Some(r @ (Role::Operator | Role::Admin)) => Ok(r),
        _ => Err("operator or admin".into()),
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}
