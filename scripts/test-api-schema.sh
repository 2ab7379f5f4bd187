#!/usr/bin/env bash
# Property-based tests of the HTTP API with schemathesis (PyPI), driven by
# the OpenAPI document the running service serves at /api/openapi.json:
# every operation gets generated valid and invalid requests (bounded: at most
# REZ_SCHEMATHESIS_EXAMPLES per operation, fixed seed), and every response
# must be no 5xx, conform to the documented status codes, content types,
# headers and schemas, and reject what the schema forbids.
#
#   scripts/test-api-schema.sh          # needs target/debug/rez-agent
#
# One check is left out: positive_data_acceptance ("a request the schema
# allows must be accepted"). The API validates what JSON Schema cannot say:
# lengths in bytes (maxLength counts characters), blank-but-nonempty text,
# and opaque cursors that must be ones it issued for the same filters. Those
# requests are rightly 400s; every other check runs.
#
# Starts the ntfy stub (node) and `rez-agent up` on free loopback ports with
# an API key and stops both on exit. Last line: "api-schema: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SCHEMATHESIS_PIN="schemathesis==4.32.5"
EXAMPLES=${REZ_SCHEMATHESIS_EXAMPLES:-100}
SEED=${REZ_SCHEMATHESIS_SEED:-20261130}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
BIN=${REZ_AGENT_BIN:-$TARGET_DIR/debug/rez-agent}
VENV=$TARGET_DIR/schemathesis-venv
API_KEY="schemathesis-key-$(date +%s)-$$"

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "$1" >&2; echo "api-schema: 0 passed, 1 failed"; exit 1; }

[ -x "$BIN" ] || fail "$BIN is missing; build it first: cargo build -p rez-agent --bin rez-agent"

if [ ! -x "$VENV/bin/schemathesis" ] || [ "$(cat "$VENV/.pin" 2>/dev/null)" != "$SCHEMATHESIS_PIN" ]; then
  step "installing $SCHEMATHESIS_PIN into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SCHEMATHESIS_PIN"
  printf '%s' "$SCHEMATHESIS_PIN" >"$VENV/.pin"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rez-schemathesis.XXXXXX")
PIDS=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/lib/wait.sh
. scripts/lib/wait.sh # the working directory is the checkout (cd above)

step "starting the ntfy stub and rez-agent up"
node tests/browser/ntfy-stub.js >"$WORK/ntfy.log" 2>&1 &
PIDS+=($!)
NTFY=$(wait_for_line "$WORK/ntfy.log" 'http://127\.0\.0\.1:[0-9]*' 10) || fail "the ntfy stub did not start"
# The rate limit is off: schemathesis sends requests as fast as it can, and
# a 429 would only hide what it came to find (the limit has its own tests).
"$BIN" up --listen 127.0.0.1:0 --data-dir "$WORK/data" --ntfy-url "$NTFY/schemathesis" \
  --time-scale 0.01 --api-key "$API_KEY" --rate-limit 0 --schedule 'at(2099-01-01T00:00:00)' \
  >"$WORK/up.log" 2>&1 &
PIDS+=($!)
URL=$(wait_for_line "$WORK/up.log" 'listening on http://[0-9.:]*' 60 | sed 's/^listening on //') \
  || { cat "$WORK/up.log" >&2; fail "rez-agent up did not start"; }
echo "rez-agent: $URL"

step "schemathesis ($EXAMPLES examples per operation, seed $SEED)"
status=0
(cd "$WORK" && "$VENV/bin/schemathesis" run "$URL/api/openapi.json" \
  --wait-for-schema 30 \
  -H "Authorization: Bearer $API_KEY" \
  --checks all --exclude-checks positive_data_acceptance \
  --phases examples,coverage,fuzzing \
  --max-examples "$EXAMPLES" --seed "$SEED" --workers 2 \
  --report junit --report-junit-path "$WORK/junit.xml") 2>&1 | tee "$WORK/run.log" || status=$?
if grep -qE 'panicked|thread .* panicked' "$WORK/up.log"; then
  echo "rez-agent panicked during the run:" >&2
  grep -E -A5 'panicked' "$WORK/up.log" >&2
  status=1
fi
generated=$(grep -oE '[0-9]+ generated' "$WORK/run.log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
failures=$(grep -oE '[0-9]+ (unique )?failures?' "$WORK/run.log" | tail -n 1 | grep -oE '^[0-9]+' || echo 0)
if [ "$status" -ne 0 ] && [ "$failures" -eq 0 ]; then failures=1; fi
echo "api-schema: $((generated - failures)) passed, $failures failed"
exit "$status"
