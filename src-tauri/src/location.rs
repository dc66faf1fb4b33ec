//! Location fixes. On phones, tauri-plugin-geolocation asks the platform's location service. On
//! the desktop there is none: the call fails, and the screen offers district + address or pasted
//! coordinates instead.

use qala_protocol::Fix;

use crate::error::{AppError, AppResult};

#[cfg(mobile)]
pub async fn fix(app: &tauri::AppHandle) -> AppResult<Fix> {
    use tauri_plugin_geolocation::{GeolocationExt, PositionOptions};
    let options = PositionOptions { enable_high_accuracy: true, timeout: 15_000, maximum_age: 30_000 };
    let p = app.geolocation().get_current_position(Some(options)).map_err(|e| AppError::Invalid(e.to_string()))?;
    let (lat, lon) = (p.coords.latitude, p.coords.longitude);
    // A stub or a cold GPS can answer 0,0: that is no fix.
    if lat == 0.0 && lon == 0.0 {
        return Err(AppError::NoFix);
    }
    Ok(Fix { lat, lon, accuracy_m: Some(p.coords.accuracy as f32) })
}

#[cfg(not(mobile))]
pub async fn fix(_app: &tauri::AppHandle) -> AppResult<Fix> {
    Err(AppError::NoFix)
}
