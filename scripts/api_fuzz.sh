#!/usr/bin/env bash
# API fuzzing: schemathesis (pinned, in its own venv) generates requests from the server's own
# OpenAPI document and sends them to a real qala-server with demo data, once as a signed-in
# resident and once as an administrator. The run fails on any 5xx and on any response that does not
# match the document (status, content type, schema). Bounded by API_FUZZ_SECONDS per principal.
#
#   scripts/api_fuzz.sh        (sourced by scripts/test.sh: call `api_fuzz`)
api_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib.sh
source "$api_root/scripts/lib.sh"

SCHEMATHESIS_VERSION="4.32.5"
API_FUZZ_SECONDS="${API_FUZZ_SECONDS:-90}"
API_FUZZ_VENV="${API_FUZZ_VENV:-$HOME/.cache/qala/schemathesis}"

ensure_schemathesis() {
  if ! "$API_FUZZ_VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
    ensure_apt python3-venv
    python3 -m venv "$API_FUZZ_VENV"
    "$API_FUZZ_VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

# json_field FILE KEY — a top-level string field of the JSON object in FILE.
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# Runs in a subshell, so that its exit trap stops the server and removes its data whatever happens.
api_fuzz() (
  step "schemathesis ${SCHEMATHESIS_VERSION}" ensure_schemathesis
  step "qala-server (debug)" cargo build -q -p qala-server
  local bin="${CARGO_TARGET_DIR:-$api_root/target}/debug/qala-server"
  local work
  work=$(mktemp -d)
  # The demo's staff passwords go to stdout; the log (with the sign-in codes) to stderr.
  "$bin" serve --addr 127.0.0.1:0 --demo --log-format json --data-dir "$work/data" \
    >"$work/stdout" 2>"$work/log" &
  local pid=$!
  # shellcheck disable=SC2064
  trap "kill $pid 2>/dev/null; rm -rf '$work'" EXIT
  local base="" i
  for i in $(seq 1 100); do
    base=$(grep -o '"addr":"[^"]*"' "$work/log" 2>/dev/null | head -n 1 | cut -d'"' -f4 || true)
    [ -n "$base" ] && break
    sleep 0.2
  done
  [ -n "$base" ] || { echo "qala-server did not start" >&2; cat "$work/log" >&2; return 1; }
  base="http://$base"
  # A resident: a code asked for, read from the log, traded for a session.
  local phone="+77015550199" device="api-fuzz-device-1"
  curl -sf -X POST "$base/api/v1/auth/otp/request" -H 'Content-Type: application/json' \
    -d "{\"phone\":\"$phone\",\"device_id\":\"$device\"}" >/dev/null
  local code
  code=$(grep -o '"code":"[0-9]\{6\}"' "$work/log" | tail -n 1 | cut -d'"' -f4)
  curl -sf -X POST "$base/api/v1/auth/otp/verify" -H 'Content-Type: application/json' \
    -d "{\"phone\":\"$phone\",\"device_id\":\"$device\",\"code\":\"$code\"}" >"$work/resident.json"
  local admin_pw
  admin_pw=$(sed -n 's/^demo admin account: login=admin password=\([^ ]*\).*/\1/p' "$work/stdout")
  curl -sf -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"login\":\"admin\",\"password\":\"$admin_pw\",\"device_id\":\"$device\"}" >"$work/admin.json"
  local who failed=0
  for who in resident admin; do
    local token t0
    token=$(json_field "$work/$who.json" access_token)
    t0=$(date +%s)
    echo "==> schemathesis as ${who} (${API_FUZZ_SECONDS} s)"
    # Signing out would end the run's own session, and schemathesis cannot write a tus chunk
    # (application/offset+octet-stream): both are covered by the tests and the tus fuzzer instead.
    if ! "$API_FUZZ_VENV/bin/schemathesis" run "$base/api/v1/openapi.json" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      --header "Authorization: Bearer $token" \
      --exclude-path /api/v1/auth/logout --exclude-method PATCH \
      --max-time "$API_FUZZ_SECONDS" --max-examples 50 --request-timeout 20 --seed 311 \
      --generation-database none --report junit --report-dir "$api_root/artifacts/schemathesis-$who"; then
      failed=1
    fi
    echo "<== schemathesis as ${who}: $(($(date +%s) - t0)) s"
  done
  exit $failed
)

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  api_fuzz
fi
