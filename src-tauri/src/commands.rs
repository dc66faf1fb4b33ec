//! The commands the UI calls: thin wrappers over qala-core. Core calls touch SQLite and files (a
//! photo takes ~0.2 s to prepare), so they run on the blocking pool, never on the UI thread.
//! Every write nudges the sync engine: it leaves at once when there is a network.

use std::sync::Arc;

use chrono::Utc;
use qala_core::Core;
use qala_protocol::{
    Agency, AppSettings, Category, CommentView, DraftView, Lang, Located, Location, LocationSource, MediaKind,
    MyReport, NearbyReport, NetworkKind, NewsItem, Position, Project, ServerChange, SyncStatus,
};
use tauri::State;
use tauri::ipc::{InvokeBody, Request};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::state::{AppState, DEFAULT_SERVER};

/// Runs `f` with the core on the blocking pool.
async fn with_core<T: Send + 'static>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&Core) -> Result<T, qala_core::CoreError> + Send + 'static,
) -> AppResult<T> {
    let core: Arc<Core> = state.core.clone();
    tauri::async_runtime::spawn_blocking(move || f(&core))
        .await
        .map_err(|e| AppError::Join(e.to_string()))?
        .map_err(AppError::from)
}

/// The language the resident chose in Settings, if any.
fn chosen_lang(core: &Core) -> Result<Option<Lang>, qala_core::CoreError> {
    Ok(core.setting("lang")?.and_then(|l| Lang::ALL.into_iter().find(|x| x.code() == l)))
}

fn draft_view(core: &Core, id: Uuid) -> Result<DraftView, qala_core::CoreError> {
    let d = core.draft(id)?;
    Ok(DraftView {
        id: d.id,
        category: d.category,
        description: d.description,
        location: d.location,
        address: d.address,
        media: d.media,
        error: d.error,
    })
}

// --- settings and sign-in ---

#[tauri::command(rename_all = "snake_case")]
pub async fn settings(state: State<'_, AppState>) -> AppResult<AppSettings> {
    with_core(&state, |core| {
        let lang = chosen_lang(core)?;
        Ok(AppSettings {
            lang,
            server: core.setting("server")?.unwrap_or_else(|| DEFAULT_SERVER.into()),
            video_wifi_only: core.setting("video_wifi_only")?.as_deref() == Some("true"),
            signed_in: core.sync_status()?.signed_in,
            can_locate: cfg!(mobile),
            native_camera: cfg!(target_os = "android"),
            last_area: core.setting("last_area")?,
        })
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_setting(state: State<'_, AppState>, key: String, value: String) -> AppResult<()> {
    let value = value.trim().to_string();
    let ok = match key.as_str() {
        "lang" => ["kk", "ru", "en"].contains(&value.as_str()),
        "video_wifi_only" => ["true", "false"].contains(&value.as_str()),
        "last_area" => value.len() <= 40 && value.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        _ => false,
    };
    if !ok {
        return Err(AppError::Invalid(format!("cannot set {key:?} to {value:?}")));
    }
    let nudge = key == "video_wifi_only";
    with_core(&state, move |core| core.set_setting(&key, &value)).await?;
    if nudge {
        state.nudge();
    }
    Ok(())
}

/// Points the app at another server (see `AppState::switch_server`).
#[tauri::command(rename_all = "snake_case")]
pub async fn change_server(state: State<'_, AppState>, server: String, confirmed: bool) -> AppResult<ServerChange> {
    state.switch_server(&server, confirmed).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_status(state: State<'_, AppState>) -> AppResult<SyncStatus> {
    let engine = state.engine();
    tauri::async_runtime::spawn_blocking(move || engine.status())
        .await
        .map_err(|e| AppError::Join(e.to_string()))?
        .map_err(AppError::from)
}

/// The connection type as the webview knows it; sent at start and on every change. Coming back
/// online is also the moment to sync.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_network(state: State<'_, AppState>, kind: NetworkKind) -> AppResult<()> {
    state.set_network(kind);
    state.nudge();
    Ok(())
}

/// The route a tapped notification asked for, if the screens have not opened it yet.
#[tauri::command(rename_all = "snake_case")]
pub async fn take_opened(state: State<'_, AppState>) -> AppResult<Option<String>> {
    Ok(state.take_opened())
}

/// "Send now anyway": the videos waiting for Wi-Fi go on the current network.
#[tauri::command(rename_all = "snake_case")]
pub async fn send_videos_now(state: State<'_, AppState>) -> AppResult<()> {
    state.engine().send_videos_now();
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_now(state: State<'_, AppState>) -> AppResult<()> {
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_code(state: State<'_, AppState>, phone: String) -> AppResult<()> {
    Ok(state.engine().request_code(&phone).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(state: State<'_, AppState>, phone: String, code: String) -> AppResult<()> {
    state.engine().sign_in(&phone, &code).await?;
    state.nudge();
    Ok(())
}

/// Signs out here at once; the server is told by the next cycle (now, or when back online).
#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(state: State<'_, AppState>) -> AppResult<()> {
    let engine = state.engine();
    tauri::async_runtime::spawn_blocking(move || engine.sign_out())
        .await
        .map_err(|e| AppError::Join(e.to_string()))??;
    state.nudge();
    Ok(())
}

// --- reading ---

#[tauri::command(rename_all = "snake_case")]
pub async fn my_reports(state: State<'_, AppState>) -> AppResult<Vec<MyReport>> {
    with_core(&state, |core| core.my_reports()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn my_report(state: State<'_, AppState>, id: Uuid) -> AppResult<Option<MyReport>> {
    with_core(&state, move |core| core.my_report(id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn categories(state: State<'_, AppState>) -> AppResult<Vec<Category>> {
    with_core(&state, |core| core.categories(chosen_lang(core)?.unwrap_or_default())).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn agencies(state: State<'_, AppState>) -> AppResult<Vec<Agency>> {
    with_core(&state, |core| core.agencies()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn news(state: State<'_, AppState>) -> AppResult<Vec<NewsItem>> {
    with_core(&state, |core| core.news()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn projects(state: State<'_, AppState>) -> AppResult<Vec<Project>> {
    with_core(&state, |core| core.projects()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn comments(state: State<'_, AppState>, project: Uuid) -> AppResult<Vec<CommentView>> {
    with_core(&state, move |core| core.comments(project)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn nearby(
    state: State<'_, AppState>,
    category: String,
    lat: f64,
    lon: f64,
    radius_m: f64,
) -> AppResult<Vec<NearbyReport>> {
    let radius = radius_m.clamp(10.0, 2000.0);
    with_core(&state, move |core| {
        Ok(core
            .nearby(&category, lat, lon, radius)?
            .into_iter()
            .map(|(report, distance_m)| NearbyReport { report, distance_m })
            .collect())
    })
    .await
}

// --- capturing a report ---

/// The draft the resident was working on, or a new one: leaving the screen loses nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn current_draft(state: State<'_, AppState>) -> AppResult<DraftView> {
    with_core(&state, |core| {
        let open =
            core.setting("current_draft")?.and_then(|s| s.parse::<Uuid>().ok()).filter(|id| core.draft(*id).is_ok());
        let id = match open {
            Some(id) => id,
            None => {
                let id = core.start_draft()?;
                core.set_setting("current_draft", &id.to_string())?;
                id
            }
        };
        draft_view(core, id)
    })
    .await
}

/// A photo or video from the picker, as raw bytes; the draft id comes in the `draft` header.
/// A file that cannot be used leaves its reason on the draft (shown), not an exception.
#[tauri::command(rename_all = "snake_case")]
pub async fn attach(state: State<'_, AppState>, request: Request<'_>) -> AppResult<DraftView> {
    let draft: Uuid = request
        .headers()
        .get("draft")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::Invalid("attach needs the draft id in the `draft` header".into()))?;
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::Invalid("attach takes the file's bytes as the request body".into()));
    };
    let bytes = bytes.clone();
    with_core(&state, move |core| attach_to(core, draft, bytes)).await
}

/// Attaches a file to a draft. A file that cannot be used leaves its reason on the draft (shown),
/// not an exception.
fn attach_to(core: &Core, draft: Uuid, bytes: Vec<u8>) -> Result<DraftView, qala_core::CoreError> {
    match core.attach_bytes(draft, bytes) {
        Ok(_) | Err(qala_core::CoreError::Media(_)) | Err(qala_core::CoreError::Invalid(_)) => {}
        Err(e) => return Err(e),
    }
    draft_view(core, draft)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn detach(state: State<'_, AppState>, draft: Uuid, media: Uuid) -> AppResult<DraftView> {
    with_core(&state, move |core| {
        core.detach(draft, media)?;
        draft_view(core, draft)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_location(
    state: State<'_, AppState>,
    draft: Uuid,
    lat: f64,
    lon: f64,
    accuracy_m: Option<f32>,
    source: LocationSource,
) -> AppResult<DraftView> {
    let location = Location { lat, lon, accuracy_m, source, fixed_at: Utc::now() };
    with_core(&state, move |core| {
        core.set_location(draft, &location)?;
        draft_view(core, draft)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_address(state: State<'_, AppState>, draft: Uuid, address: String) -> AppResult<DraftView> {
    with_core(&state, move |core| {
        core.set_address(draft, &address)?;
        draft_view(core, draft)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_category(state: State<'_, AppState>, draft: Uuid, code: String) -> AppResult<DraftView> {
    with_core(&state, move |core| {
        core.set_category(draft, &code)?;
        draft_view(core, draft)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_description(state: State<'_, AppState>, draft: Uuid, text: String) -> AppResult<DraftView> {
    with_core(&state, move |core| {
        core.set_description(draft, &text)?;
        draft_view(core, draft)
    })
    .await
}

/// Takes a photo or records a video with the phone's own camera app and attaches it to the draft.
/// Android only (tauri-plugin-camera); elsewhere the screen uses file inputs that open the camera.
#[tauri::command(rename_all = "snake_case")]
pub async fn capture(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    draft: Uuid,
    kind: MediaKind,
) -> AppResult<DraftView> {
    let bytes = crate::camera::capture(&app, kind).await?;
    with_core(&state, move |core| attach_to(core, draft, bytes)).await
}

/// A fix from the device's location service, watched until it is good enough (see `location`).
/// Phones only: the desktop has none (and the plugin's desktop code returns 0,0, which must never
/// become a report's location).
#[tauri::command(rename_all = "snake_case")]
pub async fn locate(app: tauri::AppHandle) -> AppResult<Located> {
    match crate::location::fix(&app).await {
        Ok(fix) => Ok(Located::Found { fix }),
        Err(AppError::LocationDenied) => Ok(Located::Denied),
        Err(AppError::NoFix) => Ok(Located::NoFix),
        Err(e) => {
            tracing::info!("no location: {e}");
            Ok(Located::NoFix)
        }
    }
}

/// Queues the report. The first time, this is also when the phone asks to show notifications
/// (Android 13+ asks the resident): the resident has just done what they will be notified about.
#[tauri::command(rename_all = "snake_case")]
pub async fn submit(app: tauri::AppHandle, state: State<'_, AppState>, draft: Uuid) -> AppResult<Uuid> {
    let id = with_core(&state, move |core| {
        let id = core.submit(draft)?;
        core.set_setting("current_draft", "")?;
        Ok(id)
    })
    .await?;
    state.nudge();
    tauri::async_runtime::spawn_blocking(move || crate::events::ask_to_notify(&app));
    Ok(id)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn discard_draft(state: State<'_, AppState>, draft: Uuid) -> AppResult<()> {
    with_core(&state, move |core| {
        core.discard_draft(draft)?;
        core.set_setting("current_draft", "")
    })
    .await
}

// --- acting on reports and projects ---

#[tauri::command(rename_all = "snake_case")]
pub async fn rate(state: State<'_, AppState>, report: Uuid, stars: u8, comment: Option<String>) -> AppResult<()> {
    with_core(&state, move |core| core.rate(report, stars, comment.as_deref())).await?;
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn complain(state: State<'_, AppState>, report: Uuid, text: String) -> AppResult<()> {
    with_core(&state, move |core| core.complain(report, &text)).await?;
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn withdraw(state: State<'_, AppState>, report: Uuid, reason: Option<String>) -> AppResult<()> {
    with_core(&state, move |core| core.withdraw(report, reason.as_deref())).await?;
    state.nudge();
    Ok(())
}

/// Flags someone's comment for the moderators; queued like a comment.
#[tauri::command(rename_all = "snake_case")]
pub async fn flag_comment(state: State<'_, AppState>, comment: Uuid, reason: Option<String>) -> AppResult<()> {
    with_core(&state, move |core| core.flag_comment(comment, reason.as_deref())).await?;
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn comment(
    state: State<'_, AppState>,
    project: Uuid,
    parent: Option<Uuid>,
    body: String,
    position: Position,
) -> AppResult<Uuid> {
    let id = with_core(&state, move |core| core.comment(project, parent, &body, position)).await?;
    state.nudge();
    Ok(id)
}
