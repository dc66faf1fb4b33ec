#!/usr/bin/env bash
# Installs what is missing, then runs every check and test: formatting, lints (host and wasm), the
# UI built by trunk, unit tests, the tests against the real server on loopback (SQLite and
# PostgreSQL), and the end-to-end tests of the real app under Xvfb; then, bounded in time, the
# fuzzers of every parser of outside bytes and schemathesis against the running server.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=fuzz.sh
source "$here/fuzz.sh"
# shellcheck source=api_fuzz.sh
source "$here/api_fuzz.sh"
cd "$here/.."

step "install what is missing (packages, Rust tools)" ensure_app_toolchain
step "install what is missing (npm tools)" ensure_npm_tools "$PWD"
step "PostgreSQL for the storage suite" ensure_postgres
step "rustfmt" cargo fmt --all -- --check
step "UI (trunk, release)" build_ui
step "clippy" cargo clippy --workspace --all-targets --features "$APP_FEATURES" -- -D warnings
step "clippy (UI for wasm)" cargo clippy -p qala-ui --target "$WASM_TARGET" -- -D warnings
step "qala-protocol for wasm" cargo check -p qala-protocol --target "$WASM_TARGET"
step "install what is missing (Android check)" ensure_android_check_deps
step "clippy (the app for Android, $ANDROID_TARGET)" android_check
step "UI bundle size" ui_bundle_size
step "tests (unit, server, phone core, app end-to-end)" cargo test --workspace --features "$APP_FEATURES"
step "fuzzing (each target ${FUZZ_SECONDS} s)" fuzz_all
step "API fuzzing (schemathesis, ${API_FUZZ_SECONDS} s per principal)" api_fuzz
