//! The harness for tests that drive Qala's binaries: the real `qala-server` binary on loopback with
//! a client ([`server`], used by qala-server's own tests and by the app's), the desktop the app's
//! end-to-end tests run on, with a WebDriver session on the real app ([`desktop`]), and a desktop
//! notification server on a private D-Bus ([`notify_bus`]). It never links qala-server, so
//! qala-server's tests can use it.
//!
//! The journeys that cross crates live beside it in `tests/`: the phone core against a real server
//! started inside the test (`phone_*.rs`, with their own in-process harness in `tests/phone/`) and
//! the app end to end (`journeys/app_e2e.rs`). Tests of one crate stay in that crate.
//!
//! The binaries are found beside the test binary (`target/<profile>/`). `scripts/test.sh` builds
//! them (`cargo test --workspace --features qala-app/custom-protocol`: the app with its UI
//! embedded); run alone, this crate's tests want `cargo build -p qala-server -p qala-app --features
//! qala-app/custom-protocol` first, after `trunk build` in `ui/`.

pub mod desktop;
pub mod notify_bus;
pub mod server;

use std::path::{Path, PathBuf};

/// A binary of this workspace, built beside the running test binary.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let p = exe.parent().and_then(Path::parent).expect("target folder").join(name);
    assert!(p.exists(), "{} is missing: build it first (see this crate's documentation)", p.display());
    p
}
