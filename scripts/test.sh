#!/usr/bin/env bash
# Runs every test of rez-agent on a fresh machine: formatting, lints, and all
# unit, integration, conformance and end-to-end tests. Every server a test
# needs (the stub ntfy, rez-agent itself) is started and stopped by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ -z "${REZ_CONFORMANCE_DIR:-}" ] && [ ! -d ../shared/conformance/asl/cases ]; then
  echo "the ASL conformance corpus is missing: put shared/ beside this checkout or set REZ_CONFORMANCE_DIR" >&2
  exit 1
fi

step "rustfmt"
cargo fmt --all -- --check

step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
  cargo test --workspace --locked --doc
else
  cargo test --workspace --locked --no-fail-fast
fi
