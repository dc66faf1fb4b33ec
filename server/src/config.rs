//! Command line and environment: `qala-server serve` needs no flags at all.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use qala_protocol::Role;

#[derive(Parser, Debug)]
#[command(name = "qala-server", version, about = "Qala sync server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
