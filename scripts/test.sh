#!/usr/bin/env bash
# Runs every test of rez-agent on a fresh machine: formatting, lints, the
# API documentation's links, all unit, integration, conformance and
# end-to-end tests, the Lambda bootstraps against a local Runtime API, the
# AWS adapters against moto, the Pulumi program against its mocks, the web
# console in headless Chromium, and the API against its own OpenAPI document
# with schemathesis. It installs what the tests need (a Python venv with
# moto, one with schemathesis, Debian's chromium, the npm packages) and every
# server a test needs (moto, the stub ntfy, rez-agent itself) is started and
# stopped by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

if [ -z "${REZ_CONFORMANCE_DIR:-}" ] && [ ! -d ../shared/conformance/asl/cases ]; then
  echo "the ASL conformance corpus is missing: put shared/ beside this checkout or set REZ_CONFORMANCE_DIR" >&2
  exit 1
fi

step "rustfmt"
cargo fmt --all -- --check

step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rustdoc (broken intra-doc links and doc lints are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "dependencies: licenses, bans, sources (cargo deny)"
./scripts/deny.sh 2>&1 | tee "$log_dir/deny.log"
deny_line=$(grep -E '^deny: [0-9]+ passed, [0-9]+ failed' "$log_dir/deny.log" | tail -n 1)
deny_passed=$(sed -E 's/^deny: ([0-9]+) passed.*/\1/' <<<"$deny_line")
deny_failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$deny_line")

step "python test dependencies (moto server in .venv)"
./scripts/setup-python.sh

step "binaries (the Lambda bootstraps and rez-agent, driven by the tests)"
cargo build --workspace --bins --locked

step "Rust tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast 2>&1 | tee "$log_dir/rust.log"
  cargo test --workspace --locked --doc
  rust_line=$(grep -E '^ *Summary .* tests? run: ' "$log_dir/rust.log" | tail -n 1)
  rust_passed=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$rust_line")
  rust_failed=$(grep -oE '[0-9]+ failed' <<<"$rust_line" | grep -oE '[0-9]+' || echo 0)
else
  cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log_dir/rust.log"
  rust_passed=$(grep -E '^test result:' "$log_dir/rust.log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | paste -sd+ | bc)
  rust_failed=$(grep -E '^test result:' "$log_dir/rust.log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | paste -sd+ | bc)
fi

step "infrastructure (tsc, Pulumi mock tests, asl-validator, workflow schemas)"
./scripts/test-infrastructure.sh 2>&1 | tee "$log_dir/infra.log"
infra_line=$(grep -E '^infrastructure: [0-9]+ passed, [0-9]+ failed' "$log_dir/infra.log" | tail -n 1)
infra_passed=$(sed -E 's/^infrastructure: ([0-9]+) passed.*/\1/' <<<"$infra_line")
infra_failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$infra_line")

step "web console in headless Chromium (Playwright)"
./scripts/test-browser.sh 2>&1 | tee "$log_dir/browser.log"
browser_line=$(grep -E '^browser: [0-9]+ passed, [0-9]+ failed' "$log_dir/browser.log" | tail -n 1)
browser_passed=$(sed -E 's/^browser: ([0-9]+) passed.*/\1/' <<<"$browser_line")
browser_failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$browser_line")

step "API against its OpenAPI document (schemathesis)"
./scripts/test-api-schema.sh 2>&1 | tee "$log_dir/schema.log"
schema_line=$(grep -E '^api-schema: [0-9]+ passed, [0-9]+ failed' "$log_dir/schema.log" | tail -n 1)
schema_passed=$(sed -E 's/^api-schema: ([0-9]+) passed.*/\1/' <<<"$schema_line")
schema_failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$schema_line")

printf '\nrust: %s passed, %s failed\n' "$rust_passed" "$rust_failed"
printf 'infrastructure: %s passed, %s failed\n' "$infra_passed" "$infra_failed"
printf 'browser: %s passed, %s failed\n' "$browser_passed" "$browser_failed"
printf 'deny: %s passed, %s failed (advisories need GitHub: not checked here)\n' "$deny_passed" "$deny_failed"
printf 'api-schema: %s generated cases passed, %s failed\n' "$schema_passed" "$schema_failed"
# schemathesis' generated cases are reported on their own line, not as tests.
printf 'all: %s passed, %s failed\n' "$((rust_passed + infra_passed + browser_passed + deny_passed))" \
  "$((rust_failed + infra_failed + browser_failed + deny_failed + schema_failed))"
