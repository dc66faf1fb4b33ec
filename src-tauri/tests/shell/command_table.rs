//! The command table (`qala_protocol::commands`) is the one list of the shell's commands: each row
//! has a handler of that name whose types are the row's, registered with Tauri, and granted to the
//! main window; and nothing is registered or granted that is not a row. `build.rs` reads the
//! names from the table itself.

use std::collections::BTreeSet;
use std::path::Path;

use crate::read;

use qala_protocol::commands::{NAMES, ROWS};

fn names() -> BTreeSet<String> {
    NAMES.iter().map(|n| n.to_string()).collect()
}

/// `(handler name, row type, the handler's text)` of every `#[tauri::command]` in the source: the
/// type is the one named in its `Output<cmd::…>`.
fn handlers(source: &str) -> Vec<(String, String, &str)> {
    source
        .split("#[tauri::command")
        .skip(1)
        .map(|item| {
            let name = item.split("pub async fn ").nth(1).and_then(|r| r.split('(').next()).expect("a handler");
            let row = item
                .split("Output<cmd::")
                .nth(1)
                .and_then(|r| r.split('>').next())
                .unwrap_or_else(|| panic!("{name} answers no Output<cmd::…>"));
            (name.trim().to_string(), row.to_string(), item)
        })
        .collect()
}

#[test]
fn every_handler_is_its_row() {
    let source = read("src/commands.rs");
    let found = handlers(&source);
    for (name, row, text) in &found {
        let Some((_, _, args)) = ROWS.iter().find(|(ty, n, _)| ty == row && n == name) else {
            panic!("handler {name} answers Output<cmd::{row}>, which is not the row of {name}");
        };
        // A row with arguments needs a handler that reads them (Tauri would ignore them silently).
        let reads = text.contains(&format!("args: Args<cmd::{row}>"));
        assert_eq!(
            reads,
            *args != "NoArgs",
            "handler {name}: takes `args: Args<cmd::{row}>` exactly when {args} has fields"
        );
    }
    let handled: BTreeSet<String> = found.into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(handled, names(), "handlers and rows of the command table");
}

#[test]
fn every_row_is_registered_with_tauri() {
    let lib = read("src/lib.rs");
    let list = lib.split("generate_handler![").nth(1).and_then(|r| r.split("])").next()).expect("the handler list");
    let registered: BTreeSet<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_start_matches("commands::").to_string())
        .collect();
    assert_eq!(registered, names());
}

#[test]
fn the_main_window_is_granted_every_row_and_nothing_else_of_the_app() {
    let caps: serde_json::Value = serde_json::from_str(&read("../capabilities/main.json")).unwrap();
    let granted: BTreeSet<String> = caps["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(granted, names());
}

/// The source of the tauri crate this workspace builds with, from the registry's unpacked copy.
fn tauri_source() -> std::path::PathBuf {
    let lock = read("../Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"tauri\"\n"))
        .and_then(|p| p.split("version = \"").nth(1))
        .and_then(|v| v.split('"').next())
        .expect("tauri in Cargo.lock");
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let registries = std::fs::read_dir(home.join("registry/src")).expect("the registry's sources");
    registries
        .filter_map(Result::ok)
        .map(|r| r.path().join(format!("tauri-{version}")))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("tauri {version} is not unpacked under {}", home.display()))
}

/// The UI's bridge (`ui/src/bridge.rs`) calls Tauri's private `window.__TAURI_INTERNALS__` and the
/// event plugin's `listen` directly, to link no JavaScript package into the page. A Tauri upgrade
/// that renames or reshapes them would break every screen at run time only; this test reads the
/// new Tauri's own source and fails first.
#[test]
fn the_tauri_internals_the_bridge_uses_are_still_there() {
    let bridge = read("../ui/src/bridge.rs");
    let tauri = tauri_source();
    let core_js = std::fs::read_to_string(tauri.join("scripts/core.js")).expect("tauri's scripts/core.js");
    for member in ["invoke", "transformCallback", "convertFileSrc"] {
        assert!(bridge.contains(&format!("__TAURI_INTERNALS__.{member}(")), "the bridge no longer uses {member}");
        assert!(
            core_js.contains(&format!("Object.defineProperty(window.__TAURI_INTERNALS__, '{member}'")),
            "Tauri no longer defines __TAURI_INTERNALS__.{member}: change ui/src/bridge.rs"
        );
    }
    // `plugin:event|listen` with `{ event, target: { kind: 'Any' }, handler }`.
    assert!(bridge.contains("'plugin:event|listen', { event, target: { kind: 'Any' }, handler }"));
    let plugin = std::fs::read_to_string(tauri.join("src/event/plugin.rs")).expect("tauri's event plugin");
    let listen = plugin.split("async fn listen<").nth(1).and_then(|r| r.split(") ->").next()).expect("fn listen");
    for param in ["event: EventName", "target: EventTarget", "handler: CallbackFn"] {
        assert!(listen.contains(param), "Tauri's event listen lost `{param}`: change ui/src/bridge.rs");
    }
    let any: tauri::EventTarget = serde_json::from_str(r#"{"kind":"Any"}"#).expect("the bridge's event target");
    assert_eq!(any, tauri::EventTarget::Any);
}
