#!/usr/bin/env bash
# Runs every test of rez-agent on a fresh machine: formatting, lints, the
# shell scripts (shellcheck), the dependencies (cargo deny, with the RustSec
# advisories when an offline snapshot is beside the checkout), the
# API documentation's links, all unit, integration, conformance and
# end-to-end tests, the Lambda bootstraps against a local Runtime API, the
# AWS adapters against moto, the Pulumi program against its mocks, the AWS
# deployment run whole on this machine (scripts/test-aws-local.sh), the web
# console in headless Chromium, and the API against its own OpenAPI document
# with schemathesis. It installs what the tests need (a Python venv with
# moto, one with schemathesis, Debian's chromium and shellcheck, the npm
# packages, cargo-deny) and every
# server a test needs (moto, the stub ntfy, rez-agent itself) is started and
# stopped by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

# The ASL conformance corpus (recordings against AWS) lives beside the
# checkout, not in it: REZ_CONFORMANCE_DIR, else ../shared/conformance/asl/cases.
# Without it every other test still runs and one loud line says the corpus
# was skipped; REZ_REQUIRE_CONFORMANCE=1 (.ci/run sets it) makes that a failure.
conformance_skipped="conformance: skipped (corpus not present: set REZ_CONFORMANCE_DIR)"
if [ -n "${REZ_CONFORMANCE_DIR:-}" ]; then
  if [ ! -d "$REZ_CONFORMANCE_DIR" ]; then
    echo "REZ_CONFORMANCE_DIR=$REZ_CONFORMANCE_DIR is not a directory" >&2
    exit 1
  fi
  REZ_CONFORMANCE_DIR=$(cd "$REZ_CONFORMANCE_DIR" && pwd)
elif [ -d ../shared/conformance/asl/cases ]; then
  REZ_CONFORMANCE_DIR=$(cd ../shared/conformance/asl/cases && pwd)
elif [ "${REZ_REQUIRE_CONFORMANCE:-}" = 1 ]; then
  echo "conformance: required (REZ_REQUIRE_CONFORMANCE=1) but the corpus is not present: set REZ_CONFORMANCE_DIR" >&2
  exit 1
else
  REZ_CONFORMANCE_DIR=""
  printf '\n!!! %s !!!\n' "$conformance_skipped"
fi
if [ -n "$REZ_CONFORMANCE_DIR" ]; then
  export REZ_CONFORMANCE_DIR
  echo "conformance corpus: $REZ_CONFORMANCE_DIR"
else
  unset REZ_CONFORMANCE_DIR
fi

step "rustfmt"
cargo fmt --all -- --check

step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rustdoc (broken intra-doc links and doc lints are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "no import cycle between the files of a crate"
./scripts/check-import-cycles.sh

step "shell scripts (shellcheck)"
./scripts/lint-shell.sh 2>&1 | tee "$log_dir/shell.log"
shell_line=$(tail -n 1 "$log_dir/shell.log")

step "dependencies: licenses, bans, sources, RustSec advisories (cargo deny)"
./scripts/deny.sh 2>&1 | tee "$log_dir/deny.log"
deny_line=$(grep -E '^deny: [0-9]+ passed, [0-9]+ failed' "$log_dir/deny.log" | tail -n 1)
deny_passed=$(sed -E 's/^deny: ([0-9]+) passed.*/\1/' <<<"$deny_line")
deny_failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$deny_line")
advisories_line=$(grep -E '^advisories: ' "$log_dir/deny.log" | tail -n 1)

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

# The conformance test prints its counts; nextest shows them
# (.config/nextest.toml), and then they must be there and count cases. (Under
# plain cargo test the test itself fails when it finds no case.)
if [ -n "${REZ_CONFORMANCE_DIR:-}" ]; then
  conformance_line=$(grep -oE 'conformance: [0-9]+ passed / [0-9]+ known failures / [0-9]+ total' "$log_dir/rust.log" | tail -n 1 || true)
  if cargo nextest --version >/dev/null 2>&1; then
    if [ -z "$conformance_line" ] || grep -qE '/ 0 total' <<<"$conformance_line"; then
      echo "conformance: the corpus at $REZ_CONFORMANCE_DIR is present, but the Rust tests report no case run" >&2
      exit 1
    fi
  elif [ -z "$conformance_line" ]; then
    conformance_line="conformance: run by the Rust tests on $REZ_CONFORMANCE_DIR (counts are printed under cargo-nextest)"
  fi
else
  conformance_line="!!! $conformance_skipped !!!"
fi

step "infrastructure (tsc, Pulumi mock tests, asl-validator, workflow schemas)"
./scripts/test-infrastructure.sh 2>&1 | tee "$log_dir/infra.log"
infra_line=$(grep -E '^infrastructure: [0-9]+ passed, [0-9]+ failed' "$log_dir/infra.log" | tail -n 1)
infra_passed=$(sed -E 's/^infrastructure: ([0-9]+) passed.*/\1/' <<<"$infra_line")
infra_failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$infra_line")

step "the AWS deployment on this machine (packed Lambdas, moto, Step Functions, fronts)"
./scripts/test-aws-local.sh 2>&1 | tee "$log_dir/aws-local.log"
aws_local_line=$(grep -E '^aws-local: [0-9]+ passed, [0-9]+ failed' "$log_dir/aws-local.log" | tail -n 1)
aws_local_passed=$(sed -E 's/^aws-local: ([0-9]+) passed.*/\1/' <<<"$aws_local_line")
aws_local_failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$aws_local_line")

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
printf 'aws-local: %s passed, %s failed\n' "$aws_local_passed" "$aws_local_failed"
printf 'browser: %s passed, %s failed\n' "$browser_passed" "$browser_failed"
printf 'deny: %s passed, %s failed\n' "$deny_passed" "$deny_failed"
printf '%s\n' "$advisories_line" "$shell_line" "$conformance_line"
printf 'api-schema: %s generated cases passed, %s failed\n' "$schema_passed" "$schema_failed"
# schemathesis' generated cases are reported on their own line, not as tests.
printf 'all: %s passed, %s failed\n' "$((rust_passed + infra_passed + aws_local_passed + browser_passed + deny_passed))" \
  "$((rust_failed + infra_failed + aws_local_failed + browser_failed + deny_failed + schema_failed))"
