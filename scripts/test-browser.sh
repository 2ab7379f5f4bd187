#!/usr/bin/env bash
# The console in a real headless Chromium (Debian's chromium, driven by
# playwright-core from npm; no browser download):
#   1. installs Debian's current chromium with apt-get when /usr/bin/chromium
#      is missing (not pinned: Debian replaces old builds with security
#      updates) and prints the version that runs the tests
#   2. npm ci in tests/browser
#   3. starts a stub ntfy on loopback (tests/browser/ntfy-stub.js: 200 with an
#      id, 400 for a title containing "reject")
#   4. starts the already-built target/debug/rez-agent up on a free loopback
#      port, with a temporary data dir, the stub as ntfy, --time-scale 0.01 and
#      an API key (so the console's key prompt is exercised)
#   5. waits for /api/health and runs tests/browser/console.test.js
# Both servers are always stopped. Screenshots go to target/browser-artifacts/.
# Ends with "browser: N passed, M failed"; exits non-zero on any failure.
# Build first: cargo build -p rez-agent --bin rez-agent
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
BIN=${REZ_AGENT_BIN:-$TARGET_DIR/debug/rez-agent}
API_KEY="browser-test-key-$(date +%s)-$$"
ARTIFACTS=$TARGET_DIR/browser-artifacts

step() { printf '\n==> %s\n' "$*"; }

if [ ! -x "$BIN" ]; then
  echo "browser: $BIN is missing; build it first: cargo build -p rez-agent --bin rez-agent" >&2
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
command -v node >/dev/null || { echo "node (20 or newer) is required" >&2; exit 1; }

# shellcheck source=scripts/lib/apt.sh
. scripts/lib/apt.sh # the working directory is the checkout (cd above)
if [ ! -x "$CHROMIUM" ]; then
  step "installing chromium (Debian's current package)"
  apt_install chromium
fi
echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo unknown) (Debian package chromium $(debian_version chromium))"

step "npm ci (tests/browser)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rez-browser.XXXXXX")
STUB_PID=""
UP_PID=""
# shellcheck disable=SC2317 # run by the EXIT trap, through cleanup
stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  stop "$UP_PID"
  stop "$STUB_PID"
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/lib/wait.sh
. scripts/lib/wait.sh # the working directory is the checkout (cd above)

step "starting the ntfy stub"
node tests/browser/ntfy-stub.js >"$WORK/ntfy.log" 2>&1 &
STUB_PID=$!
NTFY=$(wait_for_line "$WORK/ntfy.log" 'http://127\.0\.0\.1:[0-9]*' 10) || {
  cat "$WORK/ntfy.log" >&2
  echo "browser: 0 passed, 1 failed (the ntfy stub did not start)"
  exit 1
}
echo "ntfy stub: $NTFY"

step "starting rez-agent up"
"$BIN" up --listen 127.0.0.1:0 --data-dir "$WORK/data" --ntfy-url "$NTFY/browser-test" \
  --time-scale 0.01 --api-key "$API_KEY" --rate-limit 0 --schedule 'at(2099-01-01T00:00:00)' >"$WORK/up.log" 2>&1 &
UP_PID=$!
URL=$(wait_for_line "$WORK/up.log" 'listening on http://[0-9.:]*' 60 | sed 's/^listening on //') || {
  cat "$WORK/up.log" >&2
  echo "browser: 0 passed, 1 failed (rez-agent up did not start)"
  exit 1
}
echo "rez-agent: $URL"
healthy=""
for _ in $(seq 1 100); do
  if curl -fsS "$URL/api/health" >/dev/null 2>&1; then
    healthy=1
    break
  fi
  sleep 0.1
done
if [ -z "$healthy" ]; then
  cat "$WORK/up.log" >&2
  echo "browser: 0 passed, 1 failed (/api/health did not answer)"
  exit 1
fi

step "browser tests"
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png
status=0
REZ_URL=$URL REZ_API_KEY=$API_KEY CHROMIUM=$CHROMIUM ARTIFACTS=$ARTIFACTS \
  node tests/browser/console.test.js | tee "$WORK/test.log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- rez-agent log (last 40 lines) ---"
  tail -n 40 "$WORK/up.log"
  # The summary stays the last line.
  grep '^browser: ' "$WORK/test.log" | tail -n 1 || echo "browser: 0 passed, 1 failed"
fi
exit "$status"
