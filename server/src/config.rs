//! Command line and environment: `qala-server serve` needs no flags at all.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use qala_protocol::Role;

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
                k @ ("addr" | "data_dir" | "database_url" | "demo" | "city_prefix" | "log_format" | "otp_ttl_secs"
                | "retention_days" | "s3_bucket" | "s3_endpoint" | "s3_region") => format!("QALA_{}", k.to_uppercase()),
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
