//! The shell's integration tests, in one binary (each would link Tauri): the command table against
//! the handlers, registrations and permissions (`command_table`), and the committed mobile
//! projects (`mobile_project`).

mod command_table;
mod mobile_project;

/// A file of the app's source tree (paths from `src-tauri/`).
fn read(rel: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
