//! Capabilities live beside the app (`../capabilities`), one file per window; every command the UI
//! may call is listed here so that a window is granted exactly the commands its capability names.

const COMMANDS: &[&str] = &[
    "settings",
    "set_setting",
    "sync_status",
    "sync_now",
    "set_network",
    "send_videos_now",
    "change_server",
    "take_opened",
    "request_code",
    "sign_in",
    "sign_out",
    "my_reports",
    "my_report",
    "categories",
    "agencies",
    "current_draft",
    "attach",
    "detach",
    "set_location",
    "set_address",
    "set_category",
    "set_description",
    "locate",
    "capture",
    "nearby",
    "submit",
    "discard_draft",
    "rate",
    "complain",
    "withdraw",
    "news",
    "projects",
    "comments",
    "comment",
    "flag_comment",
];

fn main() {
    println!("cargo:rerun-if-changed=../capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("../capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
