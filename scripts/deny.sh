#!/usr/bin/env bash
# Checks the dependency graph with cargo-deny (deny.toml): every license is
# one of the permissive ones listed, no banned crate, every crate from
# crates.io. Installs the pinned cargo-deny from crates.io into
# target/tools on first use (a few minutes of compiling, then cached).
#
#   scripts/deny.sh                  # licenses, bans, sources (offline)
#   scripts/deny.sh advisories       # the RustSec advisories: needs GitHub
#
# The advisories check fetches the RustSec database from GitHub, which the
# build machines of this project cannot reach; the test command runs the
# three offline checks and says so. Last line: "deny: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
TOOLS="${CARGO_TARGET_DIR:-target}/tools"
DENY="$TOOLS/bin/cargo-deny"

if [ ! -x "$DENY" ] || [ "$("$DENY" --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  printf '\n==> installing cargo-deny %s into %s\n' "$CARGO_DENY_VERSION" "$TOOLS"
  cargo install --locked --quiet --root "$TOOLS" "cargo-deny@$CARGO_DENY_VERSION"
fi

if [ "${1:-}" = "advisories" ]; then
  "$DENY" check advisories
  exit
fi

checks=(licenses bans sources)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for check in "${checks[@]}"; do
  if "$DENY" --offline check --hide-inclusion-graph "$check" >"$log" 2>&1; then
    passed=$((passed + 1))
    tail -n 1 "$log"
  else
    failed=$((failed + 1))
    echo "cargo deny check $check failed:" >&2
    cat "$log" >&2
  fi
done
echo "advisories: not checked here (the RustSec database is on GitHub): run scripts/deny.sh advisories where GitHub is reachable"
echo "deny: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
