#!/usr/bin/env bash
# Fuzzes the parsers that take bytes from outside (the cargo-fuzz crate in fuzz/): each target
# runs for FUZZ_SECONDS (default 60) from its seed corpus, and the script fails when any target
# finds a crash (its input is left in fuzz/artifacts/TARGET/).
#
#   scripts/fuzz.sh                    every target, FUZZ_SECONDS each
#   scripts/fuzz.sh TARGET [SECONDS]   one target
#
# Sourced (from .ci/run, say), it only defines the functions: call `fuzz_all` or `fuzz_one`.
#
# The fuzz builds need a nightly compiler (sanitizer flags) and cargo-fuzz; both are pinned and
# installed only when missing. They get their own target directory: sanitizer-instrumented
# artifacts would otherwise evict the ordinary ones.
fuzz_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib.sh
source "$fuzz_root/scripts/lib.sh"

# Pinned tool versions.
FUZZ_NIGHTLY="${FUZZ_NIGHTLY:-nightly-2026-05-19}" # the newest nightly the toolchain mirror here has
CARGO_FUZZ_VERSION="0.13.1"

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
# An input that takes longer than this many seconds counts as a crash (a hang or a quadratic walk).
FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-10}"
FUZZ_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/qala/target}/fuzz"
FUZZ_TARGETS=(sniff photo_strip mp4 push_json tus_headers open311_form pull_cursor)

# Largest input per target: room for the seeds and for real files and headers, small enough that
# a minute explores structure rather than bulk.
fuzz_max_len() {
  case $1 in
    sniff) echo 64 ;;
    photo_strip | mp4 | push_json) echo 16384 ;;
    open311_form) echo 4096 ;;
    tus_headers) echo 1024 ;;
    pull_cursor) echo 2600 ;;
    *)
      echo "unknown fuzz target: $1 (one of: ${FUZZ_TARGETS[*]})" >&2
      return 1
      ;;
  esac
}

# The pinned nightly (libFuzzer needs its sanitizer flags), installed when missing.
ensure_fuzz_toolchain() {
  local host
  host=$(rustc -vV | sed -n 's/^host: //p')
  rustup toolchain list | awk '{print $1}' | grep -qxF "$FUZZ_NIGHTLY-$host" ||
    rustup toolchain install "$FUZZ_NIGHTLY" --profile minimal
}

ensure_fuzz_tools() {
  ensure_apt build-essential # libFuzzer itself is C++, built by libfuzzer-sys
  ensure_rust
  export PATH="$HOME/.cargo/bin:$PATH"
  ensure_fuzz_toolchain
  if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $NF}')" != "$CARGO_FUZZ_VERSION" ]; then
    cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --locked
  fi
}

# cargo_fuzz ARGS... — `cargo fuzz` with the fuzz toolchain, from the repository root, into the
# fuzz target directory. Release builds with debug assertions, so arithmetic overflow panics too.
cargo_fuzz() {
  (cd "$fuzz_root" &&
    CARGO_TARGET_DIR="$FUZZ_TARGET_DIR" cargo +"$FUZZ_NIGHTLY" fuzz "$1" --debug-assertions --target-dir "$FUZZ_TARGET_DIR" "${@:2}")
}

FUZZ_FAILED=()
# fuzz_run TARGET SECONDS — one target from its seeds. New inputs go to a working corpus beside the
# build (kept between runs on this machine), not into the committed seeds in fuzz/corpus/.
fuzz_run() {
  local target=$1 seconds=$2 max_len work
  max_len=$(fuzz_max_len "$target")
  work="$FUZZ_TARGET_DIR/corpus/$target"
  mkdir -p "$work"
  if ! cargo_fuzz run "$target" "$work" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$max_len" -timeout="$FUZZ_TIMEOUT"; then
    FUZZ_FAILED+=("$target")
  fi
}

fuzz_report() {
  if [ ${#FUZZ_FAILED[@]} -gt 0 ]; then
    echo "fuzzing found crashes in: ${FUZZ_FAILED[*]} (inputs in $fuzz_root/fuzz/artifacts/)" >&2
    return 1
  fi
  echo "fuzzing found no crash"
}

# fuzz_one TARGET [SECONDS]
fuzz_one() {
  local target=$1 seconds=${2:-$FUZZ_SECONDS}
  fuzz_max_len "$target" >/dev/null
  step "install what is missing (nightly, cargo-fuzz)" ensure_fuzz_tools
  step "build fuzz target ${target}" cargo_fuzz build "$target"
  step "fuzz ${target} (${seconds} s)" fuzz_run "$target" "$seconds"
  fuzz_report
}

fuzz_all() {
  step "install what is missing (nightly, cargo-fuzz)" ensure_fuzz_tools
  step "build fuzz targets" cargo_fuzz build
  local target
  for target in "${FUZZ_TARGETS[@]}"; do
    step "fuzz ${target} (${FUZZ_SECONDS} s)" fuzz_run "$target" "$FUZZ_SECONDS"
  done
  fuzz_report
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  if [ $# -gt 0 ]; then
    fuzz_one "$@"
  else
    fuzz_all
  fi
fi
