#!/usr/bin/env bash
# Checks the dependency graph with cargo-deny (deny.toml): every license is
# one of the permissive ones listed, no banned crate, every crate from
# crates.io, and no RustSec advisory against a crate we use. Installs the
# pinned cargo-deny from crates.io into target/tools on first use (a few
# minutes of compiling, then cached).
#
#   scripts/deny.sh          # licenses, bans, sources; advisories when a snapshot is present
#
# cargo-deny runs offline. It reads the crates of every platform in
# Cargo.lock (windows-sys, android_system_properties, ...), so `cargo fetch`
# first downloads them all, not only this platform's.
#
# The advisories come from an offline snapshot of the RustSec database:
# REZ_ADVISORY_DB, else ../shared/rustsec-advisory-db beside the checkout
# (its SNAPSHOT.md gives the commit and its date). cargo-deny wants a git
# repository, so the snapshot is committed once into target/advisory-db
# with the snapshot's own date. Without a snapshot the advisories are
# skipped and the last lines say so. A canary proves the check is live: a
# copy of the database with one synthetic advisory against a crate we use
# (anyhow) must fail it.
# Last line: "deny: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
TOOLS="${CARGO_TARGET_DIR:-target}/tools"
DENY="$TOOLS/bin/cargo-deny"
# Where deny.toml's db-path points, and the folder name cargo-deny derives
# from https://github.com/rustsec/advisory-db.
ADVISORY_DB_DIR=target/advisory-db/advisory-db-3157b0e258782691

if [ ! -x "$DENY" ] || [ "$("$DENY" --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  printf '\n==> installing cargo-deny %s into %s\n' "$CARGO_DENY_VERSION" "$TOOLS"
  cargo install --locked --quiet --root "$TOOLS" "cargo-deny@$CARGO_DENY_VERSION"
fi

printf '\n==> cargo fetch (the crates of every platform in Cargo.lock)\n'
cargo fetch --locked --quiet

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
check() {
  local name=$1
  if "$DENY" --offline check --hide-inclusion-graph "$name" >"$log" 2>&1; then
    passed=$((passed + 1))
    tail -n 1 "$log"
  else
    failed=$((failed + 1))
    echo "cargo deny check $name failed:" >&2
    cat "$log" >&2
  fi
}

for name in licenses bans sources; do
  check "$name"
done

# Commits everything in the git repository $1, dated $2, with message $3:
# cargo-deny reads the database from a repository and its HEAD's date.
commit_all() {
  git -C "$1" add -A
  GIT_COMMITTER_DATE=$2 git -C "$1" -c user.name=rez-agent -c user.email=rez-agent@localhost \
    -c commit.gpgsign=false commit -q --date="$2" -m "$3"
}

# Copies the snapshot at $1 into a git repository at ADVISORY_DB_DIR, dated
# $2 (the snapshot's commit date), unless it is already there.
prepare_advisory_db() {
  local snapshot=$1 date=$2 stamp="$ADVISORY_DB_DIR/.rez-snapshot"
  local want
  want="$date $(find "$snapshot" -type f | wc -l)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  rm -rf "$ADVISORY_DB_DIR"
  mkdir -p "$ADVISORY_DB_DIR"
  cp -r "$snapshot"/. "$ADVISORY_DB_DIR"/
  git -C "$ADVISORY_DB_DIR" init -q
  commit_all "$ADVISORY_DB_DIR" "$date" "RustSec advisory-db snapshot"
  printf '%s' "$want" >"$stamp"
}

# The canary: the same database plus a synthetic advisory against anyhow,
# read through a copy of deny.toml whose db-path points at it; the check
# must fail.
advisory_canary() {
  local canary_root canary_db config
  canary_root="$PWD/target/advisory-db-canary"
  canary_db="$canary_root/$(basename "$ADVISORY_DB_DIR")"
  rm -rf "$canary_root"
  mkdir -p "$canary_root"
  cp -r "$ADVISORY_DB_DIR" "$canary_db"
  mkdir -p "$canary_db/crates/anyhow"
  cat >"$canary_db/crates/anyhow/RUSTSEC-9999-0001.md" <<'ADVISORY'
```toml
[advisory]
id = "RUSTSEC-9999-0001"
package = "anyhow"
date = "2000-01-01"
url = "https://rustsec.org"

[versions]
patched = []
```

# Canary advisory of scripts/deny.sh

Proves that the advisories check reads the snapshot.
ADVISORY
  commit_all "$canary_db" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" canary
  config="$canary_root/deny.toml"
  sed "s|^db-path = .*|db-path = \"$canary_root\"|" deny.toml >"$config"
  if "$DENY" --offline --config "$config" check --hide-inclusion-graph advisories >"$log" 2>&1; then
    failed=$((failed + 1))
    echo "advisories canary: a synthetic advisory against anyhow did not fail the check" >&2
  elif grep -q 'RUSTSEC-9999-0001' "$log"; then
    passed=$((passed + 1))
    echo "advisories canary: a synthetic advisory against anyhow fails the check, as it must"
  else
    failed=$((failed + 1))
    echo "advisories canary: the check failed for another reason:" >&2
    cat "$log" >&2
  fi
  rm -rf "$canary_root"
}

snapshot="${REZ_ADVISORY_DB:-../shared/rustsec-advisory-db}"
if [ -d "$snapshot/crates" ] && [ -f "$snapshot/SNAPSHOT.md" ]; then
  date=$(grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2}|Z)' "$snapshot/SNAPSHOT.md" | head -n 1 || true)
  commit=$(grep -oE '\b[0-9a-f]{40}\b' "$snapshot/SNAPSHOT.md" | head -n 1 || true)
  if [ -z "$date" ]; then
    echo "advisories: $snapshot/SNAPSHOT.md gives no commit date (YYYY-MM-DDTHH:MM:SS+HH:MM)" >&2
    failed=$((failed + 1))
  else
    prepare_advisory_db "$snapshot" "$date"
    check advisories
    advisory_canary
    echo "advisories: RustSec snapshot of ${date%%T*} (commit ${commit:0:12}); advisories published after that date are not checked"
  fi
elif [ -n "${REZ_ADVISORY_DB:-}" ]; then
  echo "advisories: REZ_ADVISORY_DB=$REZ_ADVISORY_DB holds no RustSec snapshot (crates/ and SNAPSHOT.md)" >&2
  failed=$((failed + 1))
else
  echo "advisories: skipped (no RustSec snapshot at $snapshot: set REZ_ADVISORY_DB)"
fi
echo "deny: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
