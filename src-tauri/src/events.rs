//! From the sync engine to the resident: every engine event becomes a `qala://sync` event for the
//! screens, and a status change or a new answer also becomes a system notification in the
//! resident's language (the screens may be closed when it happens). Tapping the notification opens
//! the report it is about.

use std::sync::Arc;

use qala_core::Core;
use qala_core::sync::engine::SyncEvent;
use qala_protocol::{AppEvent, Lang};
use qala_texts::{Arg, Texts};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use qala_protocol::events::{OPEN, SYNC};

/// The notification's extra field that names the report a tap opens.
const REPORT_EXTRA: &str = "report";

pub fn forward(app: AppHandle, core: Arc<Core>, mut rx: Receiver<SyncEvent>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(RecvError::Lagged(_)) => {
                    let _ = app.emit(SYNC, AppEvent::Changed);
                    continue;
                }
                Err(RecvError::Closed) => return,
            };
            let out = match &event {
                SyncEvent::Progress { media, sent, total } => {
                    AppEvent::Progress { media: *media, sent: *sent, total: *total }
                }
                SyncEvent::Failed(m) => AppEvent::Failed { message: m.clone() },
                _ => AppEvent::Changed,
            };
            let _ = app.emit(SYNC, out);
            if let Some((report, text)) = notification_text(&core, &event) {
                // No notification daemon (a bare desktop session) is not an error worth more than a log line.
                let shown = app
                    .notification()
                    .builder()
                    .id(notification_id(report))
                    .title("Qala")
                    .body(text)
                    .extra(REPORT_EXTRA, report)
                    .show();
                if let Err(e) = shown {
                    tracing::info!("notification not shown: {e}");
                }
            }
        }
    });
}

/// One notification per report: a newer one replaces the older (Android and the desktop servers
/// replace by id), so five status changes in one sync are one line in the shade.
fn notification_id(report: uuid::Uuid) -> i32 {
    let b = report.as_bytes();
    i32::from_le_bytes([b[12], b[13], b[14], b[15]]) & i32::MAX
}

/// Taps on Qala's notifications open the report: the route waits in the state (the screens may not
/// be listening yet, on a cold start) and is announced to the screens, and the window comes forward.
pub fn open_on_tap(app: &AppHandle) {
    let handle = app.clone();
    let registered = app.notification().on_action(move |performed| {
        // Only a report id this module put there is followed (it is read back as a UUID).
        let report = performed
            .notification()
            .and_then(|n| n.extra().get(REPORT_EXTRA))
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<uuid::Uuid>().ok());
        let Some(report) = report else { return };
        let route = qala_protocol::report_path(report);
        tracing::info!(%route, action = performed.action_id(), "notification tapped");
        handle.state::<crate::state::AppState>().set_opened(route.clone());
        let _ = handle.emit(OPEN, route);
        // A phone brings the app forward itself when its notification is tapped.
        #[cfg(desktop)]
        if let Some(w) = handle.get_webview_window("main") {
            let _ = w.unminimize();
            let _ = w.set_focus();
        }
    });
    if let Err(e) = registered {
        tracing::info!("notification taps will not open reports: {e}");
    }
}

/// Asks for the permission to notify when the platform wants it asked (Android 13+, iOS); once
/// answered, the platform does not ask again and this does nothing.
pub fn ask_to_notify(app: &AppHandle) {
    use tauri::plugin::PermissionState;
    let notification = app.notification();
    if matches!(notification.permission_state(), Ok(PermissionState::Prompt | PermissionState::PromptWithRationale))
        && let Err(e) = notification.request_permission()
    {
        tracing::info!("the permission to notify was not asked: {e}");
    }
}

/// The notification for an event, in the resident's language; `None` for events not worth one.
fn notification_text(core: &Core, event: &SyncEvent) -> Option<(uuid::Uuid, String)> {
    let lang = core.setting(qala_protocol::Setting::Lang).ok().flatten().unwrap_or_else(|| "ru".into());
    let (report, status) = match event {
        SyncEvent::StatusChanged { report, status } => (*report, Some(*status)),
        SyncEvent::NewAnswer { report } => (*report, None),
        _ => return None,
    };
    // The number comes from the server; desktop notification servers read markup in the body, so
    // only what a registration number is made of goes in (ALA-2026-000123).
    let number: String = core
        .my_report(report)
        .ok()
        .flatten()
        .and_then(|r| r.report)
        .map(|r| r.registration_number)
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect();
    let texts = Texts::get(Lang::ALL.into_iter().find(|l| l.code() == lang).unwrap_or_default());
    let number = Arg::Str(number);
    let text = match status {
        None => texts.t_args("notify-answered", &[("number", number)]),
        Some(s) => {
            let status = Arg::Str(texts.t(&format!("status-{}", s.as_str())));
            texts.t_args("notify-status", &[("number", number), ("status", status)])
        }
    };
    Some((report, text))
}

#[cfg(test)]
mod tests {
    use qala_protocol::{Lang, ReportStatus};
    use qala_texts::{Arg, Texts};

    /// Every notification text, and every status word it carries, exists in every language.
    #[test]
    fn notifications_name_only_texts_that_exist() {
        let used = qala_texts::keys_named_in(include_str!("events.rs"), &["notify-"]);
        assert!(used.len() >= 2, "found only {used:?}: the scan is broken");
        for lang in Lang::ALL {
            let texts = Texts::get(lang);
            for key in &used {
                assert!(texts.has(key), "{lang:?} lacks {key}");
            }
            for s in ReportStatus::ALL {
                assert!(texts.has(&format!("status-{}", s.as_str())), "{lang:?} lacks the word for {s:?}");
            }
        }
        let ru = Texts::get(Lang::Ru);
        let text = ru.t_args(
            "notify-status",
            &[("number", Arg::Str("ALA-2026-000123".into())), ("status", Arg::Str(ru.t("status-done")))],
        );
        assert_eq!(text, "ALA-2026-000123: Есть ответ");
    }
}
