//! The Qala app shell: opens the phone core in the app's data folder, runs the sync engine in the
//! background, serves media to the webview under the `qala:` scheme, and exposes the commands the
//! Yew UI calls. Everything with logic lives in qala-core; this crate only wires it to Tauri.
//!
//! Environment (for the run script and the end-to-end tests): `QALA_DATA_DIR` puts the data in a
//! given folder instead of the platform's app-data folder; `QALA_SERVER` points the app at a server
//! (it is stored, like the resident choosing it in Settings).

mod camera;
mod commands;
mod error;
mod events;
mod location;
mod media;
mod state;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::Manager;

use crate::state::{AppState, DEFAULT_SERVER};

/// The city's catalogue as shipped; the server's copy replaces it at the first sync.
const BUNDLED_CATALOG: &str = include_str!("../../server/data/catalog.json");

/// The server to talk to: `QALA_SERVER` when set, else the one chosen in Settings, else the default.
/// A session stored by an earlier version belongs to the server used then; coming from the
/// environment, a new address leaves the old server as a switch in Settings does. A stored address
/// that is no longer allowed (plain HTTP to another machine) falls back to the default.
fn chosen_server(core: &Arc<qala_core::Core>) -> Result<String, Box<dyn std::error::Error>> {
    use qala_core::sync::api::check_server_address;
    let stored = core.setting(qala_protocol::Setting::Server)?.unwrap_or_else(|| DEFAULT_SERVER.into());
    qala_core::sync::adopt_unbound_session(core, &stored)?;
    let wanted = match std::env::var("QALA_SERVER") {
        Ok(env) => check_server_address(&env).map_err(|e| tracing::error!("QALA_SERVER is ignored: {e}")).ok(),
        Err(_) => None,
    };
    let server = match wanted.or_else(|| check_server_address(&stored).ok()) {
        Some(s) => s,
        None => {
            tracing::error!(%stored, "the stored server address is not allowed; using the default");
            DEFAULT_SERVER.to_string()
        }
    };
    if server != stored {
        qala_core::sync::SyncEngine::new(core.clone(), &stored).leave_server()?;
        core.set_setting(qala_protocol::Setting::Server, &server)?;
    }
    Ok(server)
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .try_init();
    let builder = tauri::Builder::default().plugin(tauri_plugin_notification::init());
    #[cfg(mobile)]
    let builder = builder.plugin(tauri_plugin_geolocation::init());
    #[cfg(target_os = "android")]
    let builder = builder.plugin(tauri_plugin_camera::init());
    builder
        .register_asynchronous_uri_scheme_protocol("qala", media::serve)
        .setup(|app| {
            let dir = match std::env::var_os("QALA_DATA_DIR") {
                Some(d) => PathBuf::from(d),
                None => app.path().app_data_dir()?,
            };
            let core = Arc::new(qala_core::Core::open(&dir)?);
            // The first report can be captured before the phone was ever online.
            let bundled: qala_protocol::CatalogResponse = serde_json::from_str(BUNDLED_CATALOG)?;
            core.store_catalog(&bundled, false)?;
            let server = chosen_server(&core)?;
            tracing::info!(data = %dir.display(), %server, "qala app starting");
            let state = AppState::new(app.handle().clone(), core, &server);
            app.manage(state);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { handle.state::<AppState>().start() });
            events::open_on_tap(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::settings,
            commands::set_setting,
            commands::sync_status,
            commands::sync_now,
            commands::set_network,
            commands::send_videos_now,
            commands::change_server,
            commands::take_opened,
            commands::request_code,
            commands::sign_in,
            commands::sign_out,
            commands::my_reports,
            commands::my_report,
            commands::categories,
            commands::agencies,
            commands::current_draft,
            commands::attach,
            commands::detach,
            commands::set_location,
            commands::set_address,
            commands::set_category,
            commands::set_description,
            commands::locate,
            commands::capture,
            commands::nearby,
            commands::districts,
            commands::set_districts,
            commands::feed,
            commands::public_report,
            commands::find_report,
            commands::submit,
            commands::discard_draft,
            commands::rate,
            commands::complain,
            commands::withdraw,
            commands::export_my_data,
            commands::anonymise_report,
            commands::delete_my_account,
            commands::news,
            commands::projects,
            commands::comments,
            commands::comment,
            commands::flag_comment,
        ])
        .run(tauri::generate_context!())
        .expect("the Qala app could not start");
}
