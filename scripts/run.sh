#!/usr/bin/env bash
# Installs what is missing, then runs qala-server on the embedded default (SQLite + media on local
# disk in ./qala-data) with demo data, on http://127.0.0.1:8080. Extra arguments go to `serve`.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
cd "$here/.."

step "install what is missing" ensure_server_deps
step "build qala-server" cargo build --release -p qala-server
echo "Staff passwords of the demo accounts are printed below on the first start only."
exec "${CARGO_TARGET_DIR:-target}/release/qala-server" serve --demo "$@"
