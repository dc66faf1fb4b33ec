//! Location fixes. On phones, tauri-plugin-geolocation asks the platform's location service; on the
//! desktop there is none, and the screen offers district + address or pasted coordinates instead.
//!
//! A phone's first fix is often far off (a cell tower, a cached position): the position is
//! watched until a fix is good enough, or for a while and then the best one is taken. Every better
//! fix goes to the screen as it comes, so the resident sees the accuracy improve.

// The watch runs only on phones; the desktop build keeps the logic (and its tests) without using it.
#![cfg_attr(desktop, allow(dead_code))]

use std::time::Duration;

use qala_protocol::Fix;

use crate::error::{AppError, AppResult};

/// A fix this close is good enough for a repeat check and for the crew to find the spot.
pub const GOOD_ENOUGH_M: f32 = 30.0;
/// How long to watch for a better fix before taking the best so far.
pub const WATCH_FOR: Duration = Duration::from_secs(10);

/// Keeps the best of the fixes seen while watching and says when to stop.
#[derive(Debug, Default)]
pub struct BestFix {
    best: Option<Fix>,
}

impl BestFix {
    /// Offers a fix; returns it when it is better than every earlier one. A fix at 0,0 is a
    /// stub's or a cold receiver's answer, never a place in Kazakhstan: it is ignored, like a fix
    /// whose numbers are not numbers.
    pub fn offer(&mut self, mut fix: Fix) -> Option<&Fix> {
        // An accuracy that is not a distance is no accuracy.
        fix.accuracy_m = fix.accuracy_m.filter(|a| a.is_finite() && *a >= 0.0);
        let valid = fix.lat.is_finite()
            && fix.lon.is_finite()
            && (-90.0..=90.0).contains(&fix.lat)
            && (-180.0..=180.0).contains(&fix.lon)
            && !(fix.lat == 0.0 && fix.lon == 0.0);
        if !valid {
            return None;
        }
        let accuracy = |f: &Fix| f.accuracy_m.unwrap_or(f32::MAX);
        if self.best.as_ref().is_some_and(|b| accuracy(b) <= accuracy(&fix)) {
            return None;
        }
        self.best = Some(fix);
        self.best.as_ref()
    }

    /// Whether the best fix is good enough to stop watching.
    pub fn good_enough(&self) -> bool {
        self.best.as_ref().and_then(|b| b.accuracy_m).is_some_and(|a| a <= GOOD_ENOUGH_M)
    }

    /// The best fix seen, if any.
    pub fn into_best(self) -> Option<Fix> {
        self.best
    }
}

/// Watches the position until [`BestFix::good_enough`] or [`WATCH_FOR`] has passed; each better
/// fix is emitted as [`qala_protocol::events::FIX`]. Asks for the permission first, in context (the resident just
/// tapped "use my location"); a refusal is [`AppError::LocationDenied`], and the screen goes on to
/// district + address.
#[cfg(mobile)]
pub async fn fix(app: &tauri::AppHandle) -> AppResult<Fix> {
    use tauri::Emitter;
    use tauri::plugin::PermissionState;
    use tauri_plugin_geolocation::{GeolocationExt, PositionOptions, WatchEvent};

    let geo = app.geolocation();
    let status = geo.check_permissions().map_err(|e| AppError::Invalid(e.to_string()))?;
    let status = match status.location {
        PermissionState::Prompt | PermissionState::PromptWithRationale => {
            geo.request_permissions(None).map_err(|e| AppError::Invalid(e.to_string()))?
        }
        _ => status,
    };
    if !matches!(status.location, PermissionState::Granted) {
        return Err(AppError::LocationDenied);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let options = PositionOptions { enable_high_accuracy: true, timeout: WATCH_FOR.as_millis() as u32, maximum_age: 0 };
    let watch = geo
        .watch_position(options, move |e| {
            if let WatchEvent::Position(p) = e {
                let _ = tx.send(Fix {
                    lat: p.coords.latitude,
                    lon: p.coords.longitude,
                    accuracy_m: Some(p.coords.accuracy as f32),
                });
            }
        })
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut best = BestFix::default();
    let deadline = tokio::time::sleep(WATCH_FOR);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => break,
            next = rx.recv() => match next {
                Some(f) => {
                    if let Some(better) = best.offer(f) {
                        let _ = app.emit(qala_protocol::events::FIX, better);
                    }
                    if best.good_enough() {
                        break;
                    }
                }
                None => break,
            },
        }
    }
    let _ = geo.clear_watch(watch);
    best.into_best().ok_or(AppError::NoFix)
}

#[cfg(not(mobile))]
pub async fn fix(_app: &tauri::AppHandle) -> AppResult<Fix> {
    Err(AppError::NoFix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, accuracy: f32) -> Fix {
        Fix { lat, lon: 76.9, accuracy_m: Some(accuracy) }
    }

    #[test]
    fn only_better_fixes_are_kept_and_good_enough_stops() {
        let mut b = BestFix::default();
        assert!(b.offer(at(43.2, 900.0)).is_some(), "the first fix is the best so far");
        assert!(!b.good_enough());
        assert!(b.offer(at(43.3, 1200.0)).is_none(), "a worse fix is not taken");
        assert!(b.offer(at(43.25, 45.0)).is_some());
        assert!(!b.good_enough());
        assert!(b.offer(at(43.24, 12.0)).is_some());
        assert!(b.good_enough());
        assert_eq!(b.into_best().unwrap().lat, 43.24);
    }

    #[test]
    fn stubs_and_nonsense_are_no_fix() {
        let mut b = BestFix::default();
        assert!(b.offer(Fix { lat: 0.0, lon: 0.0, accuracy_m: Some(1.0) }).is_none());
        assert!(b.offer(Fix { lat: f64::NAN, lon: 76.9, accuracy_m: Some(1.0) }).is_none());
        assert!(b.offer(Fix { lat: 91.0, lon: 76.9, accuracy_m: Some(1.0) }).is_none());
        assert!(b.into_best().is_none());
        let mut b = BestFix::default();
        b.offer(Fix { lat: 43.2, lon: 76.9, accuracy_m: None });
        assert!(!b.good_enough(), "a fix of unknown accuracy is not good enough");
        assert!(b.offer(at(43.2, f32::NAN)).is_none(), "NaN accuracy is no better than unknown");
        assert!(b.offer(at(43.2, -5.0)).is_none(), "nor is a negative one");
        assert!(!b.good_enough(), "and neither is good enough");
        assert!(b.offer(at(43.2, 500.0)).is_some(), "a known accuracy beats an unknown one");
    }
}
