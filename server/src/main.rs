use qala_protocol::StaffInput;
use qala_server::auth::{generate_password, hash_password};
use qala_server::config::{Cli, Command, ConfigError, LogFormat, StaffCommand};
use tracing_subscriber::EnvFilter;

fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

fn main() -> std::process::ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let cli = match qala_server::config::parse(&argv) {
        Ok(cli) => cli,
        Err(ConfigError::Cli(e)) => e.exit(),
        Err(e) => {
            eprintln!("qala-server: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match tokio::runtime::Runtime::new() {
        Ok(rt) => rt.block_on(run(cli)),
        Err(e) => {
            eprintln!("qala-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> std::process::ExitCode {
    let result = match cli.command {
        Command::Serve(args) => {
            init_logs(args.log_format);
            qala_server::app::serve(*args).await
        }
        Command::Staff { command: StaffCommand::Add(args) } => {
            init_logs(LogFormat::Text);
            add_staff(args).await
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qala-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn add_staff(args: qala_server::config::StaffAddArgs) -> qala_server::error::AppResult<()> {
    let (store, _) = qala_server::app::open_storage(&args.data).await?;
    let (agencies, categories) = qala_server::app::shipped_catalog()?;
    store.seed_catalog(&agencies, &categories).await?;
    let input = StaffInput {
        display_name: args.name.unwrap_or_else(|| args.login.clone()),
        login: args.login,
        role: args.role,
        agency: args.agency,
    };
    qala_server::service::staff::checked(input.clone(), String::new())?;
    let password = generate_password();
    let staff = qala_server::service::staff::checked(input, hash_password(&password)?)?;
    store.create_staff(&staff, chrono::Utc::now()).await?;
    println!("login={} password={password}", staff.login);
    Ok(())
}
