#!/usr/bin/env bash
# Runs the AWS deployment whole on this machine and tests it: the six
# packages `make build` packs (build/*.zip; cargo rebuilds what changed),
# the declarations of the Pulumi program computed under
# its mocks (infrastructure/test/declare.ts), moto, the local Lambda
# service, `rez-agent stepfunctions`, the SQS event source mapping and the
# API Gateway and Scheduler fronts, all started and stopped by the tests in
# crates/aws-local/tests/scenarios.
#
#   scripts/test-aws-local.sh
#
# It installs what it needs (scripts/lib/aws-local-prepare.sh): cargo-lambda
# and zig from PyPI, the moto venv, the infrastructure's node modules. The
# scenarios are the crate's ignored tests (a plain `cargo test` skips them).
# Ends with one line: "aws-local: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

# shellcheck source=scripts/lib/aws-local-prepare.sh
. scripts/lib/aws-local-prepare.sh
declare_stack --out "$AWS_LOCAL_WORK/declared.json"
# The drift scenario: the program's REZ_TABLE_NAME renamed under the mocks.
declare_stack --out "$AWS_LOCAL_WORK/declared-drift.json" --rename-env REZ_TABLE_NAME=REZ_TABLE

step "the scenarios"
scenarios_started=$SECONDS
export REZ_AWS_LOCAL_DECLARED="$AWS_LOCAL_WORK/declared.json"
export REZ_AWS_LOCAL_DRIFT_DECLARED="$AWS_LOCAL_WORK/declared-drift.json"
log="$AWS_LOCAL_WORK/test.log"
status=0
# Three at once on two cores: the longest scenarios (chaos, and ntfy never
# answering, a few minutes each) spend their time waiting on timeouts, not
# on the CPU.
threads=3
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked -p rez-aws-local --run-ignored only --no-fail-fast --test-threads "$threads" 2>&1 | tee "$log" || status=$?
  summary=$(grep -E '^ *Summary .* tests? run: ' "$log" | tail -n 1)
  passed=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$summary")
  failed=$(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
else
  cargo test --locked -p rez-aws-local -- --ignored --test-threads "$threads" 2>&1 | tee "$log" || status=$?
  passed=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | paste -sd+ | bc)
  failed=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | paste -sd+ | bc)
fi
echo "aws-local: scenarios ran in $((SECONDS - scenarios_started)) s"
printf 'aws-local: %s passed, %s failed\n' "${passed:-0}" "${failed:-0}"
exit "$status"
