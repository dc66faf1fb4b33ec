# Shared helpers for the scripts: timed steps and idempotent installs.
# Sourced, not run.

set -euo pipefail

# Pinned tool versions (keep in step with rust-toolchain expectations in README.md).
RUST_MIN_VERSION="1.95.0"
WASM_TARGET="wasm32-unknown-unknown"

# step NAME CMD... — runs CMD and prints how long it took, so a slow step is visible.
step() {
  local name=$1
  shift
  local t0
  t0=$(date +%s)
  echo "==> ${name}"
  "$@"
  echo "<== ${name}: $(($(date +%s) - t0)) s"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages, installed only when one is missing.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
      export PATH="$HOME/.cargo/bin:$PATH"
    else
      echo "cargo is missing: install Rust ${RUST_MIN_VERSION}+ with rustup first" >&2
      exit 1
    fi
  fi
  local have
  have=$(rustc --version | awk '{print $2}')
  if [ "$(printf '%s\n%s\n' "$RUST_MIN_VERSION" "$have" | sort -V | head -n1)" != "$RUST_MIN_VERSION" ]; then
    echo "rustc ${have} is older than ${RUST_MIN_VERSION}" >&2
    exit 1
  fi
  if command -v rustup >/dev/null 2>&1; then
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup target list --installed | grep -qx "$WASM_TARGET" || rustup target add "$WASM_TARGET"
  fi
}

# Everything the server and its tests need on a fresh Debian 12 machine.
ensure_server_deps() {
  ensure_apt build-essential pkg-config ca-certificates curl
  ensure_rust
}

# The PostgreSQL the storage suite runs against: 127.0.0.1:5432, user postgres without a password,
# database `test`. These machines run one already; on a machine without it, install and start one
# and let loopback connections in without a password (a test machine's database, nothing else).
TEST_DATABASE_URL="${QALA_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
ensure_postgres() {
  command -v pg_ctlcluster >/dev/null 2>&1 || ensure_apt postgresql
  command -v psql >/dev/null 2>&1 || ensure_apt postgresql-client
  # The newest Debian cluster, asked for only when it has to be started or reconfigured.
  cluster_version() { ls /etc/postgresql | sort -V | tail -n 1; }
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(cluster_version)" main start
  fi
  local admin="postgres://postgres@127.0.0.1:5432/postgres"
  if ! psql -w "$admin" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    local ver
    ver=$(cluster_version)
    as_root sed -i -E 's/^(host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\.0\.0\.1\/32|::1\/128)[[:space:]]+)[^[:space:]]+/\1trust/' \
      "/etc/postgresql/$ver/main/pg_hba.conf"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
    sleep 1
  fi
  psql -w "$admin" -qAtc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 ||
    psql -w "$admin" -qc 'CREATE DATABASE test'
  # Each test makes its own schema; drop those of earlier runs, one per transaction (dropping
  # many at once runs out of lock slots).
  psql -w "$TEST_DATABASE_URL" -qAtc "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, 'qala_t_')" |
    while read -r schema; do
      PGOPTIONS="-c client_min_messages=warning" psql -w "$TEST_DATABASE_URL" -qc "DROP SCHEMA \"$schema\" CASCADE"
    done
}

# --- The app (Tauri 2 shell + Yew UI) -------------------------------------------------------------
# Versions that were seen to fit together on these machines (see README.md, "Toolchain").
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="0.2.130" # must equal the `wasm-bindgen` crate pinned in ui/Cargo.toml
TAURI_DRIVER_VERSION="2.1.0"
S3S_FS_VERSION="0.14.1" # a real S3-compatible server on loopback for the scale-out test (0.17 needs rustc 1.96)
APP_APT_PACKAGES=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config xvfb xauth webkit2gtk-driver
  chromium chromium-driver imagemagick fonts-noto-color-emoji dbus-daemon)

# cargo_tool BIN VERSION CRATE [extra cargo-install args] — installs a cargo tool only when the
# binary is missing or reports another version.
cargo_tool() {
  local bin=$1 version=$2 crate=$3
  shift 3
  if "$bin" --version 2>/dev/null | grep -qF "$version"; then
    return 0
  fi
  cargo install "$crate" --version "=$version" "$@"
}

ensure_app_toolchain() {
  ensure_apt "${APP_APT_PACKAGES[@]}"
  ensure_rust
  export PATH="$HOME/.cargo/bin:$PATH"
  # tauri-driver: the WebDriver front for the desktop app (starts WebKitWebDriver).
  cargo_tool tauri-driver "$TAURI_DRIVER_VERSION" tauri-driver --locked
  # wasm-bindgen-cli without --locked: its lock file names a crate version the registry lacks.
  cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
  cargo_tool trunk "$TRUNK_VERSION" trunk --locked
  cargo_tool s3s-fs "$S3S_FS_VERSION" s3s-fs --features binary --locked
}

# The npm tools (Tauri CLI, wasm-opt from binaryen) at the exact versions package.json pins, put
# first on PATH. `npm install` rather than `npm ci`: the registry these machines reach lacks the
# other platforms' optional packages of the Tauri CLI, which a lock file would insist on.
TAURI_CLI_VERSION="2.12.5"
BINARYEN_VERSION="132"
ensure_npm_tools() {
  local root=$1
  export PATH="$root/node_modules/.bin:$PATH"
  if ! tauri --version 2>/dev/null | grep -qF "$TAURI_CLI_VERSION" ||
    ! wasm-opt --version 2>/dev/null | grep -qF "version $BINARYEN_VERSION"; then
    (cd "$root" && npm install --no-audit --no-fund --no-package-lock)
  fi
}

# The app is always built with its UI embedded (otherwise it would look for a dev server).
APP_FEATURES="qala-app/custom-protocol"

# The UI, built to ui/dist by trunk with the pinned tools (offline: no downloads).
build_ui() {
  (cd ui && TRUNK_SKIP_VERSION_CHECK=true trunk build --release)
}

# Prints the UI bundle's size as shipped (wasm + JS, gzip -9); the budget is 300 KB.
ui_bundle_size() {
  local wasm js
  wasm=$(cat ui/dist/*.wasm | gzip -9 | wc -c)
  js=$(cat ui/dist/*.js ui/dist/snippets/*/*.js | gzip -9 | wc -c)
  echo "UI bundle: wasm ${wasm} B + JS ${js} B gzip = $(((wasm + js) / 1024)) KiB (budget 300 KiB)"
  [ $((wasm + js)) -le $((300 * 1024)) ]
}

# --- The Android build, checked as far as these machines can -------------------------------------
# No NDK can be installed here, so no APK is built. The app's Rust is compiled for the phone's
# target and linted (clippy includes `cargo check`), which proves that the phone-only code paths
# (camera, location watching, bundled TLS roots) compile. The bundled SQLite and ring's C need an
# aarch64 C compiler; Debian's cross compiler for glibc stands in for the NDK's clang. Its objects
# are never linked, so a wrong ABI detail in C code would go unnoticed: only a build with the NDK
# proves that.
ANDROID_TARGET="aarch64-linux-android"
ensure_android_check_deps() {
  ensure_apt gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  if ! command -v rustup >/dev/null 2>&1; then
    echo "rustup is needed to add the $ANDROID_TARGET target" >&2
    return 1
  fi
  local installed
  installed=$(rustup target list --installed)
  grep -qx "$ANDROID_TARGET" <<<"$installed" || rustup target add "$ANDROID_TARGET"
}

android_check() {
  CC_aarch64_linux_android=aarch64-linux-gnu-gcc AR_aarch64_linux_android=aarch64-linux-gnu-ar \
    cargo clippy -p qala-app --target "$ANDROID_TARGET" -- -D warnings
}
