#!/usr/bin/env bash
# Installs what is missing, then runs qala-server on the embedded default (SQLite + media on local
# disk in ./qala-data) with demo data on http://127.0.0.1:8080, and opens the app pointed at it
# (its own data in ./qala-data/phone). Extra arguments go to `serve`. Without a display the server
# alone runs.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
cd "$here/.."

step "install what is missing (packages, Rust tools)" ensure_app_toolchain
step "install what is missing (npm tools)" ensure_npm_tools "$PWD"
step "UI (trunk, release)" build_ui
step "build qala-server and the app (release)" cargo build --release -p qala-server -p qala-app --features "$APP_FEATURES"
bin="${CARGO_TARGET_DIR:-target}/release"
echo "Staff passwords of the demo accounts are printed below on the first start only."
"$bin/qala-server" serve --demo "$@" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:8080/healthz >/dev/null 2>&1 && break
  sleep 0.2
done
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display here: qala-server runs on http://127.0.0.1:8080; start the app where there is a screen."
  wait $server
else
  mkdir -p qala-data/phone
  QALA_SERVER=http://127.0.0.1:8080 QALA_DATA_DIR="$PWD/qala-data/phone" "$bin/qala-app"
fi
