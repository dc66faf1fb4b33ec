//! Capabilities live beside the app (`../capabilities`), one file per window. The commands the UI
//! may call are the rows of the command table (`qala_protocol::commands`), so that a window is
//! granted exactly the commands its capability names.

fn main() {
    println!("cargo:rerun-if-changed=../capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("../capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(qala_protocol::commands::NAMES)),
    )
    .expect("tauri build step");
}
