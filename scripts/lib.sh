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
