//! From the sync engine to the resident: every engine event becomes a `qala://sync` event for the
//! screens, and a status change or a new answer also becomes a system notification in the
//! resident's language (the screens may be closed when it happens).

use std::sync::Arc;

use qala_core::Core;
use qala_core::sync::engine::SyncEvent;
use qala_protocol::{AppEvent, ReportStatus};
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

pub const EVENT: &str = "qala://sync";

pub fn forward(app: AppHandle, core: Arc<Core>, mut rx: Receiver<SyncEvent>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(RecvError::Lagged(_)) => {
                    let _ = app.emit(EVENT, AppEvent::Changed);
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
            let _ = app.emit(EVENT, out);
            if let Some(text) = notification_text(&core, &event) {
                // No notification daemon (a bare desktop session) is not an error worth more than a log line.
                if let Err(e) = app.notification().builder().title("Qala").body(text).show() {
                    tracing::info!("notification not shown: {e}");
                }
            }
        }
    });
}

/// The notification for an event, in the resident's language; `None` for events not worth one.
fn notification_text(core: &Core, event: &SyncEvent) -> Option<String> {
    let lang = core.setting("lang").ok().flatten().unwrap_or_else(|| "ru".into());
    let (report, status) = match event {
        SyncEvent::StatusChanged { report, status } => (*report, Some(*status)),
        SyncEvent::NewAnswer { report } => (*report, None),
        _ => return None,
    };
    let number =
        core.my_report(report).ok().flatten().and_then(|r| r.report).map(|r| r.registration_number).unwrap_or_default();
    Some(match status {
        None => match lang.as_str() {
            "kk" => format!("{number}: мекеме жауап берді"),
            "en" => format!("{number}: the agency answered"),
            _ => format!("{number}: ведомство ответило"),
        },
        Some(s) => format!("{number}: {}", status_word(s, &lang)),
    })
}

fn status_word(s: ReportStatus, lang: &str) -> &'static str {
    use ReportStatus::*;
    let [kk, ru, en] = match s {
        Submitted => ["жіберілді", "отправлено", "sent"],
        Registered => ["тіркелді", "зарегистрировано", "registered"],
        Assigned => ["орындаушы тағайындалды", "назначен исполнитель", "assigned"],
        InProgress => ["жұмыста", "в работе", "in progress"],
        Done => ["жауап бар", "есть ответ", "answered"],
        Rejected => ["қабылданбады", "отклонено", "rejected"],
        Reopened => ["қайта жұмысқа жіберілді", "возвращено в работу", "reopened"],
        Closed => ["жабылды", "закрыто", "closed"],
        Withdrawn => ["кері қайтарылды", "отозвано", "withdrawn"],
    };
    match lang {
        "kk" => kk,
        "en" => en,
        _ => ru,
    }
}
