//! The resident's screens of Qala. Rendered by Yew in the Tauri webview; all data comes from the
//! shell's commands over qala-core (see `bridge`), so the UI holds no state that a restart could
//! lose. The logic that can be tested without a browser (wording, deadlines, parsing, translations)
//! lives in plain modules with unit tests.

pub mod app;
pub mod areas;
pub mod bridge;
pub mod format;
pub mod hooks;
pub mod i18n;
pub mod router;
pub mod screens;

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
