#!/usr/bin/env bash
# Installs what is missing, then runs every check and test: formatting, lints, the protocol crate
# for wasm, unit tests, and the tests against the real server on loopback.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
cd "$here/.."

step "install what is missing" ensure_server_deps
step "PostgreSQL for the storage suite" ensure_postgres
step "rustfmt" cargo fmt --all -- --check
step "clippy" cargo clippy --workspace --all-targets -- -D warnings
step "qala-protocol for wasm" cargo check -p qala-protocol --target "$WASM_TARGET"
step "tests" cargo test --workspace
