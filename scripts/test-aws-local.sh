#!/usr/bin/env bash
# Runs the AWS deployment whole on this machine and tests it: the six
# packages `make build` packs (build/*.zip, built here when missing or older
# than the sources), the declarations of the Pulumi program computed under
# its mocks (infrastructure/test/declare.ts), moto, the local Lambda
# service, `rez-agent stepfunctions`, the SQS event source mapping and the
# API Gateway and Scheduler fronts, all started and stopped by the tests in
# crates/aws-local/tests/scenarios.
#
#   scripts/test-aws-local.sh
#
# Needs what `make test` installs: the moto venv (scripts/setup-python.sh),
# the infrastructure's node_modules (scripts/test-infrastructure.sh runs
# npm ci), and cargo-lambda with zig (scripts/build-lambdas.sh installs
# them from PyPI). Ends with one line: "aws-local: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
WORK="$TARGET_DIR/aws-local"
mkdir -p "$WORK"

step() { printf '\n==> %s\n' "$*"; }

step "the Lambda packages (build/*.zip, as make build packs them)"
./scripts/build-lambdas.sh

step "moto (the test venv)"
./scripts/setup-python.sh

step "rez-agent and the harness"
cargo build --locked -p rez-local --bin rez-agent -p rez-aws-local

step "what the Pulumi program declares (under its mocks)"
if [ ! -d infrastructure/node_modules ]; then
  (cd infrastructure && npm ci --no-audit --no-fund --loglevel=error)
fi
api_key="aws-local-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
declare_stack() {
  (cd infrastructure && TS_NODE_TRANSPILE_ONLY=true node --require ts-node/register test/declare.ts \
    --stack dev --build-dir "$ROOT/build" --api-key "$api_key" "$@")
}
declare_stack --out "$WORK/declared.json"
# The drift scenario: the program's REZ_TABLE_NAME renamed under the mocks.
declare_stack --out "$WORK/declared-drift.json" --rename-env REZ_TABLE_NAME=REZ_TABLE

step "the scenarios"
export REZ_AWS_LOCAL_DECLARED="$WORK/declared.json"
export REZ_AWS_LOCAL_DRIFT_DECLARED="$WORK/declared-drift.json"
export REZ_AGENT_BIN="$TARGET_DIR/debug/rez-agent"
log="$WORK/test.log"
status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked -p rez-aws-local --run-ignored all --no-fail-fast 2>&1 | tee "$log" || status=$?
  summary=$(grep -E '^ *Summary .* tests? run: ' "$log" | tail -n 1)
  passed=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$summary")
  failed=$(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
else
  cargo test --locked -p rez-aws-local -- --include-ignored 2>&1 | tee "$log" || status=$?
  passed=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | paste -sd+ | bc)
  failed=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | paste -sd+ | bc)
fi
printf 'aws-local: %s passed, %s failed\n' "${passed:-0}" "${failed:-0}"
exit "$status"
