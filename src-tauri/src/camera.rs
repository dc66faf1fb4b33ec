//! The phone's camera. On Android, tauri-plugin-camera opens the camera app for a photo or a video
//! and hands the file back (as base64, the plugin's only form). Android needs this: its webview
//! opens the video recorder for any `capture` input that accepts video, so a single input never
//! reaches the photo camera. Elsewhere the screen uses one file input per kind.

use qala_protocol::MediaKind;

use crate::error::{AppError, AppResult};

/// A file larger than the biggest video the server accepts is refused before it is decoded (a
/// camera photo, before the phone shrinks it, is far smaller).
#[cfg(target_os = "android")]
const MAX_BASE64: usize = (qala_protocol::VIDEO_MAX_BYTES as usize).div_ceil(3) * 4;

#[cfg(target_os = "android")]
pub async fn capture(app: &tauri::AppHandle, kind: MediaKind) -> AppResult<Vec<u8>> {
    use base64::Engine;
    use tauri_plugin_camera::CameraExt;
    let app = app.clone();
    // The plugin call blocks until the camera app returns.
    let data = tauri::async_runtime::spawn_blocking(move || match kind {
        MediaKind::Photo => app.camera().take_picture().map(|r| r.image_data),
        MediaKind::Video => app.camera().record_video().map(|r| r.video_data),
    })
    .await
    .map_err(|e| AppError::Join(e.to_string()))?
    .map_err(|e| AppError::Invalid(format!("the camera did not return a file: {e}")))?;
    if data.len() > MAX_BASE64 {
        return Err(AppError::Invalid("the recording is too large to send".into()));
    }
    base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|e| AppError::Invalid(format!("the camera returned an unreadable file: {e}")))
}

#[cfg(not(target_os = "android"))]
pub async fn capture(_app: &tauri::AppHandle, _kind: MediaKind) -> AppResult<Vec<u8>> {
    Err(AppError::PhoneOnly("the built-in camera"))
}
