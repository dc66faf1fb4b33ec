//! The harness Qala's tests share: the real `qala-server` binary on loopback with a client
//! ([`server`]), the desktop the app's end-to-end tests run on, with a WebDriver session on the real
//! app ([`desktop`]), and a desktop notification server on a private D-Bus ([`notify_bus`]).
//!
//! The journeys that cross crates live beside it in `tests/`: the phone core against a real server
//! (`phone_*.rs`) and the app end to end (`app_e2e.rs`). Tests of one crate stay in that crate.
//!
//! The binaries are found beside the test binary (`target/<profile>/`): `cargo test --workspace`
//! builds them; run alone, this crate's tests want `cargo build -p qala-server -p qala-app
//! --features qala-app/custom-protocol` first.

pub mod desktop;
pub mod notify_bus;
pub mod server;

use std::path::{Path, PathBuf};

/// A binary of this workspace, built beside the running test binary.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let p = exe.parent().and_then(Path::parent).expect("target folder").join(name);
    assert!(p.exists(), "{} is missing: build it first (cargo build -p {name})", p.display());
    p
}
