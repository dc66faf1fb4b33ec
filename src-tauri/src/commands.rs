//! The commands the UI calls: thin wrappers over qala-core. Each one's name, argument and result
//! types are a row of the table in `qala_protocol::commands`; the handler takes `args: Args<C>`
//! and answers `Output<C>` of its row (a test matches handlers to rows by name). Core calls touch SQLite and files (a
//! photo takes ~0.2 s to prepare), so they run on the blocking pool, never on the UI thread.
//! Every write nudges the sync engine: it leaves at once when there is a network.

use std::sync::Arc;

use chrono::Utc;
use qala_core::Core;
use qala_protocol::commands::{
    self as cmd, Args, CaptureArgs, ChangeServerArgs, CommentArgs, ComplainArgs, DetachArgs, FeedArgs, FlagCommentArgs,
    NearbyArgs, Output, RateArgs, SetAddressArgs, SetCategoryArgs, SetDescriptionArgs, SetDistrictsArgs,
    SetLocationArgs, SetSettingArgs, SignInArgs, WithdrawArgs,
};
use qala_protocol::{AppSettings, DraftView, Lang, Located, Location, NearbyReport, Setting};
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
    Ok(core.setting(Setting::Lang)?.and_then(|l| Lang::ALL.into_iter().find(|x| x.code() == l)))
}

// --- settings and sign-in ---

#[tauri::command(rename_all = "snake_case")]
pub async fn settings(state: State<'_, AppState>) -> AppResult<Output<cmd::Settings>> {
    with_core(&state, |core| {
        let lang = chosen_lang(core)?;
        Ok(AppSettings {
            lang,
            server: core.setting(Setting::Server)?.unwrap_or_else(|| DEFAULT_SERVER.into()),
            video_wifi_only: core.setting(Setting::VideoWifiOnly)?.as_deref() == Some("true"),
            signed_in: core.sync_status()?.signed_in,
            can_locate: cfg!(mobile),
            native_camera: cfg!(target_os = "android"),
            last_area: core.setting(Setting::LastArea)?,
        })
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_setting(
    state: State<'_, AppState>,
    args: Args<cmd::SetSetting>,
) -> AppResult<Output<cmd::SetSetting>> {
    let SetSettingArgs { key, value } = args;
    let value = value.trim().to_string();
    let ok = match key {
        Setting::Lang => ["kk", "ru", "en"].contains(&value.as_str()),
        Setting::VideoWifiOnly => ["true", "false"].contains(&value.as_str()),
        Setting::LastArea => value.len() <= 40 && value.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        // The server changes through `change_server`; the draft is the shell's own.
        Setting::Server | Setting::CurrentDraft | Setting::Districts => false,
    };
    if !ok {
        return Err(AppError::Invalid(format!("cannot set {key:?} to {value:?}")));
    }
    let nudge = key == Setting::VideoWifiOnly;
    with_core(&state, move |core| core.set_setting(key, &value)).await?;
    if nudge {
        state.nudge();
    }
    Ok(())
}

/// Points the app at another server (see `AppState::switch_server`).
#[tauri::command(rename_all = "snake_case")]
pub async fn change_server(
    state: State<'_, AppState>,
    args: Args<cmd::ChangeServer>,
) -> AppResult<Output<cmd::ChangeServer>> {
    let ChangeServerArgs { server, confirmed } = args;
    state.switch_server(&server, confirmed).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_status(state: State<'_, AppState>) -> AppResult<Output<cmd::GetSyncStatus>> {
    let engine = state.engine();
    tauri::async_runtime::spawn_blocking(move || engine.status())
        .await
        .map_err(|e| AppError::Join(e.to_string()))?
        .map_err(AppError::from)
}

/// The connection type as the webview knows it; sent at start and on every change. Coming back
/// online is also the moment to sync.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_network(
    state: State<'_, AppState>,
    args: Args<cmd::SetNetwork>,
) -> AppResult<Output<cmd::SetNetwork>> {
    let kind = args.kind;
    state.set_network(kind);
    state.nudge();
    Ok(())
}

/// The route a tapped notification asked for, if the screens have not opened it yet.
#[tauri::command(rename_all = "snake_case")]
pub async fn take_opened(state: State<'_, AppState>) -> AppResult<Output<cmd::TakeOpened>> {
    Ok(state.take_opened())
}

/// "Send now anyway": the videos waiting for Wi-Fi go on the current network.
#[tauri::command(rename_all = "snake_case")]
pub async fn send_videos_now(state: State<'_, AppState>) -> AppResult<Output<cmd::SendVideosNow>> {
    state.engine().send_videos_now();
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_now(state: State<'_, AppState>) -> AppResult<Output<cmd::SyncNow>> {
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn request_code(
    state: State<'_, AppState>,
    args: Args<cmd::RequestCode>,
) -> AppResult<Output<cmd::RequestCode>> {
    let phone = args.phone;
    Ok(state.engine().request_code(&phone).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(state: State<'_, AppState>, args: Args<cmd::SignIn>) -> AppResult<Output<cmd::SignIn>> {
    let SignInArgs { phone, code } = args;
    state.engine().sign_in(&phone, &code).await?;
    state.nudge();
    Ok(())
}

/// Signs out here at once; the server is told by the next cycle (now, or when back online).
#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(state: State<'_, AppState>) -> AppResult<Output<cmd::SignOut>> {
    let engine = state.engine();
    tauri::async_runtime::spawn_blocking(move || engine.sign_out())
        .await
        .map_err(|e| AppError::Join(e.to_string()))??;
    state.nudge();
    Ok(())
}

// --- reading ---

#[tauri::command(rename_all = "snake_case")]
pub async fn my_reports(state: State<'_, AppState>) -> AppResult<Output<cmd::MyReports>> {
    with_core(&state, |core| core.my_reports()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn my_report(
    state: State<'_, AppState>,
    args: Args<cmd::MyReportById>,
) -> AppResult<Output<cmd::MyReportById>> {
    let id = args.id;
    with_core(&state, move |core| core.my_report(id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn categories(state: State<'_, AppState>) -> AppResult<Output<cmd::Categories>> {
    with_core(&state, |core| core.categories(chosen_lang(core)?.unwrap_or_default())).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn agencies(state: State<'_, AppState>) -> AppResult<Output<cmd::Agencies>> {
    with_core(&state, |core| core.agencies()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn news(state: State<'_, AppState>) -> AppResult<Output<cmd::News>> {
    with_core(&state, |core| core.news()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn projects(state: State<'_, AppState>) -> AppResult<Output<cmd::Projects>> {
    with_core(&state, |core| core.projects()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn comments(state: State<'_, AppState>, args: Args<cmd::Comments>) -> AppResult<Output<cmd::Comments>> {
    let project = args.project;
    with_core(&state, move |core| core.comments(project)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn nearby(state: State<'_, AppState>, args: Args<cmd::Nearby>) -> AppResult<Output<cmd::Nearby>> {
    let NearbyArgs { category, lat, lon, radius_m } = args;
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

// --- the city: districts followed, the feed, reports outside the phone's scope ---

#[tauri::command(rename_all = "snake_case")]
pub async fn districts(state: State<'_, AppState>) -> AppResult<Output<cmd::Districts>> {
    with_core(&state, |core| core.districts()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_districts(
    state: State<'_, AppState>,
    args: Args<cmd::SetDistricts>,
) -> AppResult<Output<cmd::SetDistricts>> {
    let SetDistrictsArgs { districts } = args;
    with_core(&state, move |core| core.set_districts(&districts)).await?;
    state.nudge();
    Ok(())
}

/// The feed: the server's pages online, what the phone holds offline.
#[tauri::command(rename_all = "snake_case")]
pub async fn feed(state: State<'_, AppState>, args: Args<cmd::Feed>) -> AppResult<Output<cmd::Feed>> {
    let FeedArgs { before, limit } = args;
    Ok(state.engine().feed(before, limit.clamp(1, 100)).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn public_report(
    state: State<'_, AppState>,
    args: Args<cmd::PublicReportById>,
) -> AppResult<Output<cmd::PublicReportById>> {
    Ok(state.engine().public_report(args.id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn find_report(
    state: State<'_, AppState>,
    args: Args<cmd::FindReport>,
) -> AppResult<Output<cmd::FindReport>> {
    let number = args.number.trim().to_uppercase();
    if number.is_empty() || number.len() > 40 {
        return Err(AppError::Invalid("a registration number looks like ALA-2026-000123".into()));
    }
    Ok(state.engine().find_report(&number).await?)
}

// --- capturing a report ---

/// The draft the resident was working on, or a new one: leaving the screen loses nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn current_draft(state: State<'_, AppState>) -> AppResult<Output<cmd::CurrentDraft>> {
    with_core(&state, |core| {
        let open = core
            .setting(Setting::CurrentDraft)?
            .and_then(|s| s.parse::<Uuid>().ok())
            .filter(|id| core.draft(*id).is_ok());
        let id = match open {
            Some(id) => id,
            None => {
                let id = core.start_draft()?;
                core.set_setting(Setting::CurrentDraft, &id.to_string())?;
                id
            }
        };
        core.draft(id)
    })
    .await
}

/// A photo or video from the picker, as raw bytes; the draft id comes in the `draft` header.
/// A file that cannot be used leaves its reason on the draft (shown), not an exception.
#[tauri::command(rename_all = "snake_case")]
pub async fn attach(state: State<'_, AppState>, request: Request<'_>) -> AppResult<Output<cmd::Attach>> {
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
    core.draft(draft)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn detach(state: State<'_, AppState>, args: Args<cmd::Detach>) -> AppResult<Output<cmd::Detach>> {
    let DetachArgs { draft, media } = args;
    with_core(&state, move |core| {
        core.detach(draft, media)?;
        core.draft(draft)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_location(
    state: State<'_, AppState>,
    args: Args<cmd::SetLocation>,
) -> AppResult<Output<cmd::SetLocation>> {
    let SetLocationArgs { draft, lat, lon, accuracy_m, source } = args;
    let location = Location { lat, lon, accuracy_m, source, fixed_at: Utc::now() };
    let (view, adopted) = with_core(&state, move |core| {
        let before = core.districts()?;
        core.set_location(draft, &location)?;
        Ok((core.draft(draft)?, core.districts()? != before))
    })
    .await?;
    // The first located report chose the phone's district: its neighbours' reports come now, for
    // "same problem nearby?".
    if adopted {
        state.nudge();
    }
    Ok(view)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_address(
    state: State<'_, AppState>,
    args: Args<cmd::SetAddress>,
) -> AppResult<Output<cmd::SetAddress>> {
    let SetAddressArgs { draft, address } = args;
    with_core(&state, move |core| {
        core.set_address(draft, &address)?;
        core.draft(draft)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_category(
    state: State<'_, AppState>,
    args: Args<cmd::SetCategory>,
) -> AppResult<Output<cmd::SetCategory>> {
    let SetCategoryArgs { draft, code } = args;
    with_core(&state, move |core| {
        core.set_category(draft, &code)?;
        core.draft(draft)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_description(
    state: State<'_, AppState>,
    args: Args<cmd::SetDescription>,
) -> AppResult<Output<cmd::SetDescription>> {
    let SetDescriptionArgs { draft, text } = args;
    with_core(&state, move |core| {
        core.set_description(draft, &text)?;
        core.draft(draft)
    })
    .await
}

/// Takes a photo or records a video with the phone's own camera app and attaches it to the draft.
/// Android only (tauri-plugin-camera); elsewhere the screen uses file inputs that open the camera.
#[tauri::command(rename_all = "snake_case")]
pub async fn capture(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    args: Args<cmd::Capture>,
) -> AppResult<Output<cmd::Capture>> {
    let CaptureArgs { draft, kind } = args;
    let bytes = crate::camera::capture(&app, kind).await?;
    with_core(&state, move |core| attach_to(core, draft, bytes)).await
}

/// A fix from the device's location service, watched until it is good enough (see `location`).
/// Phones only: the desktop has none (and the plugin's desktop code returns 0,0, which must never
/// become a report's location).
#[tauri::command(rename_all = "snake_case")]
pub async fn locate(app: tauri::AppHandle) -> AppResult<Output<cmd::Locate>> {
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
pub async fn submit(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    args: Args<cmd::Submit>,
) -> AppResult<Output<cmd::Submit>> {
    let draft = args.draft;
    let id = with_core(&state, move |core| {
        let id = core.submit(draft)?;
        core.set_setting(Setting::CurrentDraft, "")?;
        Ok(id)
    })
    .await?;
    state.nudge();
    tauri::async_runtime::spawn_blocking(move || crate::events::ask_to_notify(&app));
    Ok(id)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn discard_draft(
    state: State<'_, AppState>,
    args: Args<cmd::DiscardDraft>,
) -> AppResult<Output<cmd::DiscardDraft>> {
    let draft = args.draft;
    with_core(&state, move |core| {
        core.discard_draft(draft)?;
        core.set_setting(Setting::CurrentDraft, "")
    })
    .await
}

// --- acting on reports and projects ---

#[tauri::command(rename_all = "snake_case")]
pub async fn rate(state: State<'_, AppState>, args: Args<cmd::Rate>) -> AppResult<Output<cmd::Rate>> {
    let RateArgs { report, stars, comment } = args;
    with_core(&state, move |core| core.rate(report, stars, comment.as_deref())).await?;
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn complain(state: State<'_, AppState>, args: Args<cmd::Complain>) -> AppResult<Output<cmd::Complain>> {
    let ComplainArgs { report, text } = args;
    with_core(&state, move |core| core.complain(report, &text)).await?;
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn withdraw(state: State<'_, AppState>, args: Args<cmd::Withdraw>) -> AppResult<Output<cmd::Withdraw>> {
    let WithdrawArgs { report, reason } = args;
    with_core(&state, move |core| core.withdraw(report, reason.as_deref())).await?;
    state.nudge();
    Ok(())
}

/// Flags someone's comment for the moderators; queued like a comment.
#[tauri::command(rename_all = "snake_case")]
pub async fn flag_comment(
    state: State<'_, AppState>,
    args: Args<cmd::FlagComment>,
) -> AppResult<Output<cmd::FlagComment>> {
    let FlagCommentArgs { comment, reason } = args;
    with_core(&state, move |core| core.flag_comment(comment, reason.as_deref())).await?;
    state.nudge();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn comment(state: State<'_, AppState>, args: Args<cmd::CommentOn>) -> AppResult<Output<cmd::CommentOn>> {
    let CommentArgs { project, parent, body, position } = args;
    let id = with_core(&state, move |core| core.comment(project, parent, &body, position)).await?;
    state.nudge();
    Ok(id)
}

// --- a resident's rights (online) ---

/// Saves everything the server keeps about me, with my files, as one JSON file in the
/// downloads folder; answers its path.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_my_data(state: State<'_, AppState>) -> AppResult<Output<cmd::ExportMyData>> {
    let dir = state.export_dir();
    let path = state.engine().export_my_data(&dir).await?;
    Ok(path.display().to_string())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn anonymise_report(
    state: State<'_, AppState>,
    args: Args<cmd::AnonymiseReport>,
) -> AppResult<Output<cmd::AnonymiseReport>> {
    Ok(state.engine().anonymise_report(args.id).await?)
}

/// Deletes my account; the phone's copy of it goes with it (the app's settings stay).
#[tauri::command(rename_all = "snake_case")]
pub async fn delete_my_account(
    state: State<'_, AppState>,
    args: Args<cmd::DeleteMyAccount>,
) -> AppResult<Output<cmd::DeleteMyAccount>> {
    state.engine().delete_account(args.reports).await?;
    Ok(())
}
