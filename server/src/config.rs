//! Command line and environment: `qala-server serve` needs no flags at all.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use qala_protocol::Role;

use crate::app::{ClientLimits, MEDIA_GC_GRACE_HOURS, PERSONAL_DATA_DAYS, Quotas, Timeouts};
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

/// Why the configuration could not be read. Each names the file and the setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    File { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Toml { path: String, message: String },
    #[error("{path}: unknown setting {key:?}")]
    Unknown { path: String, key: String },
    #[error("{path}: {key}: {message}")]
    Value { path: String, key: String, message: String },
    /// The command line itself (or `--help`, `--version`): clap prints it the usual way.
    #[error(transparent)]
    Cli(#[from] clap::Error),
}

/// Reads the whole configuration: flags win over environment variables, which win over the TOML
/// file named by `--config` (or `QALA_CONFIG`), which wins over the built-in defaults.
///
/// The file's settings become the *defaults* of the flags they name (`addr = "0.0.0.0:8080"` is
/// the default of `--addr`; a list such as `open311_key = ["ikomek:…"]` the default of the
/// repeatable flag), so clap itself applies the order, every value is parsed and checked by the
/// flag's own parser, and nothing is written to the process environment.
pub fn parse(argv: &[String]) -> Result<Cli, ConfigError> {
    let first = Cli::command().try_get_matches_from(argv)?;
    let Some(path) = config_path(&first) else { return Ok(Cli::from_arg_matches(&first)?) };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::File { path: shown.clone(), source })?;
    let table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| ConfigError::Toml { path: shown.clone(), message: e.to_string() })?;
    let mut cmd = Cli::command();
    for (key, value) in table {
        let id = match key.replace('-', "_").as_str() {
            // Repeatable flags are named in the singular on the command line.
            "open311_key" => "open311_keys".to_string(),
            "trusted_proxy" => "trusted_proxies".to_string(),
            "sms_header" => "sms_headers".to_string(),
            other => other.to_string(),
        };
        let values = file_values(&value).map_err(|message| ConfigError::Value {
            path: shown.clone(),
            key: key.clone(),
            message,
        })?;
        let (next, found) = with_default(cmd, &id, &values).map_err(|message| ConfigError::Value {
            path: shown.clone(),
            key: key.clone(),
            message,
        })?;
        cmd = next;
        if !found {
            return Err(ConfigError::Unknown { path: shown, key });
        }
    }
    Ok(Cli::from_arg_matches(&cmd.try_get_matches_from(argv)?)?)
}

/// Runs `value` through the parser of `arg` (on a one-argument command: clap's own check of a
/// value is not public), and says why it does not parse.
fn check_value(arg: &clap::Arg, value: &str) -> Result<(), String> {
    let probe = clap::Arg::new("value").long("value").value_parser(arg.get_value_parser().clone());
    let check = clap::Command::new("check").no_binary_name(true).arg(probe);
    check.try_get_matches_from(["--value", value]).map(drop).map_err(|e| {
        let text = e.render().to_string();
        let reason = text.lines().next().and_then(|l| l.rsplit_once("': ")).map_or("", |(_, r)| r.trim());
        format!("invalid value {value:?} {reason}").trim_end().to_string()
    })
}

/// The `--config` file, from the flag or the environment (clap reads both into the global arg).
fn config_path(m: &clap::ArgMatches) -> Option<PathBuf> {
    let mut m = m;
    loop {
        if let Some(p) = m.get_one::<PathBuf>("config") {
            return Some(p.clone());
        }
        m = m.subcommand()?.1;
    }
}

/// A TOML value as the text(s) a flag would be given.
fn file_values(value: &toml::Value) -> Result<Vec<String>, String> {
    Ok(match value {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Integer(i) => vec![i.to_string()],
        toml::Value::Boolean(b) => vec![b.to_string()],
        toml::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| "a list of strings".to_string()))
            .collect::<Result<_, _>>()?,
        other => return Err(format!("unsupported value {other}")),
    })
}

/// Makes the file's `values` the default of the `serve` argument `id`, and of `staff add`'s
/// argument too when it is one of the data settings both share. Tells whether `serve` has it: a
/// setting of nothing else (`login`, `role` of `staff add`) is unknown to the file.
fn with_default(cmd: clap::Command, id: &str, values: &[String]) -> Result<(clap::Command, bool), String> {
    let serve = cmd.find_subcommand("serve").expect("the serve command exists");
    let Some(arg) = serve.get_arguments().find(|a| a.get_id() == id && id != "config") else {
        return Ok((cmd, false));
    };
    let values = file_args(arg, values)?;
    let shared = DataArgs::command().get_arguments().any(|a| a.get_id() == id);
    let set = |c: clap::Command| c.mut_arg(id, |a| a.default_values(values.clone()));
    let mut cmd = cmd.mut_subcommand("serve", set);
    if shared {
        cmd = cmd.mut_subcommand("staff", |s| s.mut_subcommand("add", set));
    }
    Ok((cmd, true))
}

/// The values a file gives an argument, as its flag would take them: a list only for a repeatable
/// flag (split at its delimiter, as its environment variable is), each checked by its parser.
fn file_args(arg: &clap::Arg, values: &[String]) -> Result<Vec<String>, String> {
    let values: Vec<String> = match arg.get_value_delimiter() {
        Some(d) => {
            values.iter().flat_map(|v| v.split(d)).map(str::trim).filter(|v| !v.is_empty()).map(String::from).collect()
        }
        None => values.to_vec(),
    };
    if !matches!(arg.get_action(), clap::ArgAction::Append) && values.len() != 1 {
        return Err("takes one value, not a list".into());
    }
    for v in &values {
        check_value(arg, v)?;
    }
    Ok(values)
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    // Boxed: its settings are many, the other commands' few.
    Serve(Box<ServeArgs>),
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
    /// Seed demo content (news, two projects with comments) and demo staff accounts; without an
    /// SMS gateway, sign-in codes go to the log.
    #[arg(long, env = "QALA_DEMO")]
    pub demo: bool,
    #[command(flatten)]
    pub sms: crate::auth::sms::SmsArgs,
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
    /// Days a report stays on residents' phones after it reached a final status (answered,
    /// rejected, closed; a withdrawn one leaves at once); older ones leave the phones and are read
    /// online when asked. Any later change (a rating, a complaint) brings it back for this long.
    #[arg(long, env = "QALA_PUBLIC_DAYS", default_value_t = 14)]
    pub public_days: u32,
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
    /// Sign-in codes one client address may check in 10 minutes, across all phones.
    #[arg(long, env = "QALA_OTP_CHECKS_PER_ADDR", default_value_t = ClientLimits::DEFAULT.otp_checks)]
    pub otp_checks_per_addr: u32,
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
    /// Days personal data is kept after it stopped being needed: a resident's files after their
    /// report settled, a resident's phone number after their last activity.
    #[arg(long, env = "QALA_PERSONAL_DATA_DAYS", default_value_t = PERSONAL_DATA_DAYS)]
    pub personal_data_days: u32,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        std::iter::once("qala-server").chain(list.iter().copied()).map(String::from).collect()
    }

    fn serve(cli: Cli) -> ServeArgs {
        match cli.command {
            Command::Serve(s) => *s,
            other => panic!("not serve: {other:?}"),
        }
    }

    #[test]
    fn the_file_fills_what_flags_leave_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qala.toml");
        std::fs::write(
            &path,
            "connections-per-addr = 7\ncity_prefix = \"AST\"\ndemo = true\ntrusted_proxy = [\"10.0.0.0/8\", \"192.168.0.1\"]\n",
        )
        .unwrap();
        let file = path.to_str().unwrap();
        let s = serve(parse(&args(&["serve", "--config", file])).unwrap());
        assert_eq!((s.connections_per_addr, s.city_prefix.as_str(), s.demo), (7, "AST", true));
        assert_eq!(s.trusted_proxies.len(), 2);
        let s = serve(parse(&args(&["--config", file, "serve", "--city-prefix", "SHY"])).unwrap());
        assert_eq!((s.city_prefix.as_str(), s.connections_per_addr), ("SHY", 7));
        // A list may also be written as the environment variable has it.
        std::fs::write(&path, "trusted_proxies = \"10.0.0.0/8, 192.168.0.1\"\ndata_dir = \"/srv/qala\"\n").unwrap();
        let s = serve(parse(&args(&["serve", "--config", file])).unwrap());
        assert_eq!(s.trusted_proxies.len(), 2);
        // Data settings reach `staff add` too, which works on the same data.
        match parse(&args(&["--config", file, "staff", "add", "--login", "x.y", "--role", "admin"])).unwrap().command {
            Command::Staff { command: StaffCommand::Add(a) } => assert_eq!(a.data.data_dir, PathBuf::from("/srv/qala")),
            other => panic!("not staff add: {other:?}"),
        }
        // Without a file, the built-in defaults.
        let s = serve(parse(&args(&["serve"])).unwrap());
        assert_eq!(s.connections_per_addr, Timeouts::DEFAULT.connections_per_addr);
    }

    #[test]
    fn bad_settings_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qala.toml");
        let file = path.to_str().unwrap();
        for (text, named) in [
            ("city_prefx = \"AST\"\n", "city_prefx"),
            ("config = \"other.toml\"\n", "config"),
            ("addr = { host = \"x\" }\n", "addr"),
            ("addr = \"not an address\"\n", "not an address"),
            ("addr = [\"127.0.0.1:1\", \"127.0.0.1:2\"]\n", "one value"),
            ("login = \"someone\"\n", "login"),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = parse(&args(&["serve", "--config", file])).unwrap_err().to_string();
            assert!(e.contains(named), "{text:?}: {e}");
        }
    }
}
