//! The wire to the Tauri shell, and the only place that touches Tauri's private
//! `window.__TAURI_INTERNALS__` (its `invoke`, `transformCallback` and `convertFileSrc`, and the
//! event plugin's `listen`; the shell's test `command_table.rs` fails when a Tauri upgrade changes
//! them). Commands are the rows of `qala_protocol::commands`, called with [`invoke`]: the argument
//! and result types come from the row. They go through `invoke` as JSON
//! (serde_json on both sides, so no second serializer is linked into the wasm); files go as raw
//! bytes with their metadata in headers, so a 6 MB photo is not inflated into a JSON array.
//! Outside the app (a plain browser) every call fails with a clear message instead of hanging.

use qala_protocol::commands::{ARGS_KEY, Args, Command, Output};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function in_tauri() { return typeof window.__TAURI_INTERNALS__ !== 'undefined'; }
export async function invoke_json(cmd, args) {
  const r = await window.__TAURI_INTERNALS__.invoke(cmd, JSON.parse(args));
  return JSON.stringify(r === undefined ? null : r);
}
export async function invoke_bytes(cmd, bytes, headers) {
  const r = await window.__TAURI_INTERNALS__.invoke(cmd, bytes, { headers: JSON.parse(headers) });
  return JSON.stringify(r === undefined ? null : r);
}
export function listen(event, cb) {
  const handler = window.__TAURI_INTERNALS__.transformCallback((e) => cb(JSON.stringify(e.payload)));
  return window.__TAURI_INTERNALS__.invoke('plugin:event|listen', { event, target: { kind: 'Any' }, handler });
}
export function media_src(id) {
  return window.__TAURI_INTERNALS__.convertFileSrc(id, 'qala');
}
export function system_lang() { return (navigator.language || 'ru').slice(0, 2).toLowerCase(); }
export function connection_type() { const c = navigator.connection; return c && typeof c.type === 'string' ? c.type : ''; }
export function on_network_change(cb) {
  const c = navigator.connection;
  if (c && c.addEventListener) c.addEventListener('change', () => cb());
  window.addEventListener('online', () => cb());
}
export function on_foreground(cb) {
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') cb(); });
}
"#)]
extern "C" {
    fn in_tauri() -> bool;
    #[wasm_bindgen(catch)]
    async fn invoke_json(cmd: &str, args: String) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn invoke_bytes(cmd: &str, bytes: js_sys::Uint8Array, headers: String) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn listen(event: &str, cb: &Closure<dyn FnMut(String)>) -> Result<JsValue, JsValue>;
    fn media_src(id: &str) -> String;
    fn system_lang() -> String;
    #[wasm_bindgen(js_name = connection_type)]
    fn connection_type_js() -> String;
    #[wasm_bindgen(js_name = on_network_change)]
    fn js_on_network_change(cb: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = on_foreground)]
    fn js_on_foreground(cb: &Closure<dyn FnMut()>);
}

/// True inside the app's webview.
pub fn available() -> bool {
    in_tauri()
}

/// The language the system asks for, as a two-letter code.
pub fn system_language() -> String {
    system_lang()
}

/// The connection type the webview reports (`wifi`, `cellular`, …), or "" when it cannot tell.
pub fn connection_type() -> String {
    connection_type_js()
}

/// Calls `f` when the connection changes or comes back.
pub fn on_network_change(f: impl FnMut() + 'static) {
    let cb = Closure::wrap(Box::new(f) as Box<dyn FnMut()>);
    js_on_network_change(&cb);
    cb.forget();
}

/// Calls `f` when the app comes back to the foreground.
pub fn on_foreground(f: impl FnMut() + 'static) {
    let cb = Closure::wrap(Box::new(f) as Box<dyn FnMut()>);
    js_on_foreground(&cb);
    cb.forget();
}

/// Calls command `C` of the table. The error is the shell's message, ready to show.
pub async fn invoke<C: Command>(args: &Args<C>) -> Result<Output<C>, String> {
    let mut payload = serde_json::Map::new();
    payload.insert(ARGS_KEY.into(), serde_json::to_value(args).map_err(|e| e.to_string())?);
    call(C::NAME, payload).await
}

/// Calls command `C` with a file's bytes as the body; `headers` carry what it needs besides.
pub async fn invoke_file<C: Command>(bytes: js_sys::Uint8Array, headers: &[(&str, &str)]) -> Result<Output<C>, String> {
    call_bytes(C::NAME, bytes, headers).await
}

async fn call<T: DeserializeOwned>(cmd: &str, args: impl Serialize) -> Result<T, String> {
    if !in_tauri() {
        return Err("This screen runs inside the Qala app.".into());
    }
    let args = serde_json::to_string(&args).map_err(|e| e.to_string())?;
    let out = invoke_json(cmd, args).await.map_err(js_error)?;
    let text = out.as_string().unwrap_or_else(|| "null".into());
    serde_json::from_str(&text).map_err(|e| format!("unexpected answer from the app: {e}"))
}

async fn call_bytes<T: DeserializeOwned>(
    cmd: &str,
    bytes: js_sys::Uint8Array,
    headers: &[(&str, &str)],
) -> Result<T, String> {
    if !in_tauri() {
        return Err("This screen runs inside the Qala app.".into());
    }
    let map: serde_json::Map<String, serde_json::Value> =
        headers.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string()))).collect();
    let headers = serde_json::to_string(&map).map_err(|e| e.to_string())?;
    let out = invoke_bytes(cmd, bytes, headers).await.map_err(js_error)?;
    let text = out.as_string().unwrap_or_else(|| "null".into());
    serde_json::from_str(&text).map_err(|e| format!("unexpected answer from the app: {e}"))
}

/// Subscribes to a shell event for the life of the page; `f` gets the payload as JSON text.
pub fn on_event(event: &str, f: impl FnMut(String) + 'static) {
    if !in_tauri() {
        return;
    }
    let cb = Closure::wrap(Box::new(f) as Box<dyn FnMut(String)>);
    let _ = listen(event, &cb);
    // The page lives as long as the app; the callback must too.
    cb.forget();
}

/// Where the webview loads a media file from: the shell's `qala:` scheme serves the phone's own
/// copy, or fetches the server's (an answer's photo report) and keeps it for offline viewing.
pub fn media_url(id: &uuid::Uuid) -> String {
    if in_tauri() { media_src(&id.to_string()) } else { String::new() }
}

fn js_error(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| {
        js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "unknown error".into())
    })
}
