#!/usr/bin/env bash
# Checks infrastructure/ on a fresh machine with only node 20+, npm and python3:
#   1. npm ci in infrastructure/ (skipped while node_modules matches the lockfile)
#   2. tsc --noEmit over the Pulumi program and its tests
#   3. asl-validator on statemachine/notification.asl.json
#   4. .github/workflows/*.yml against the GitHub workflow schema, offline
#      (check-jsonschema's vendored schema, from a pinned venv of its own),
#      and the deploy gate: deploy.yml and ci.yml against the schemas in
#      infrastructure/test/workflows/ (deploy runs only after the tests
#      passed on the same commit), which must refuse a deploy without it
#   5. the Pulumi unit tests under pulumi.runtime.setMocks (node --test):
#      no Pulumi CLI, no AWS account
# Every step runs even when an earlier check fails; the script exits non-zero
# if any failed. It ends with node's TAP summary (# pass N / # fail N) and one
# plain line: "infrastructure: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
INFRA=$ROOT/infrastructure

# The one Python pin: check-jsonschema ships the GitHub workflow schema.
CHECK_JSONSCHEMA_PIN="check-jsonschema==0.39.0"

step() { printf '\n==> %s\n' "$*"; }
failed=()
run_check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok: $name"
  else
    echo "FAILED: $name" >&2
    failed+=("$name")
  fi
}

command -v node >/dev/null || { echo "node (20 or newer) is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "node 20 or newer is required, found $(node --version)" >&2
  exit 1
fi

# ---- 1. dependencies
step "npm ci (infrastructure/)"
stamp="$INFRA/node_modules/.rez-lock-stamp"
want="$(node -p 'process.version')-$(sha256sum "$INFRA/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "node_modules matches package-lock.json: skipping npm ci"
else
  if ! (cd "$INFRA" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "npm ci failed in infrastructure/" >&2
    exit 1
  fi
  printf '%s' "$want" > "$stamp"
fi

# ---- 2. types
step "tsc --noEmit (program and tests)"
run_check "tsc" bash -c "cd '$INFRA' && ./node_modules/.bin/tsc --noEmit -p ."

# ---- 3. the state machine definition
step "asl-validator statemachine/notification.asl.json"
run_check "asl-validator" "$INFRA/node_modules/.bin/asl-validator" --json-path "$ROOT/statemachine/notification.asl.json"

# ---- 4. the GitHub workflows, offline
step "GitHub workflow schema (check-jsonschema, vendored schema)"
setup_venv() {
  local venv=$INFRA/.venv
  local vstamp=$venv/.rez-python-pins
  if [ -x "$venv/bin/check-jsonschema" ] && [ -f "$vstamp" ] && [ "$(cat "$vstamp")" = "$CHECK_JSONSCHEMA_PIN" ]; then
    return 0
  fi
  command -v python3 >/dev/null || { echo "python3 is required" >&2; return 1; }
  echo "creating infrastructure/.venv with $CHECK_JSONSCHEMA_PIN"
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    echo "'python3 -m venv' failed: on Debian/Ubuntu install the python3-venv package" >&2
    return 1
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$CHECK_JSONSCHEMA_PIN" || return 1
  printf '%s' "$CHECK_JSONSCHEMA_PIN" > "$vstamp"
}
# deploy.yml and ci.yml against the project's own schemas of the gate, and a
# deploy workflow without the gate, which must be refused.
deploy_gate() {
  local check=$INFRA/.venv/bin/check-jsonschema
  "$check" --schemafile "$gates/deploy-gate.schema.json" "$ROOT/.github/workflows/deploy.yml" &&
    "$check" --schemafile "$gates/ci-callable.schema.json" "$ROOT/.github/workflows/ci.yml" || return 1
  if "$check" --schemafile "$gates/deploy-gate.schema.json" "$gates/deploy-without-tests.yml" >/dev/null 2>&1; then
    echo "the deploy gate's schema accepted deploy-without-tests.yml: it checks nothing" >&2
    return 1
  fi
  echo "deploy-without-tests.yml is refused, as it must be"
}
workflows=()
for f in "$ROOT"/.github/workflows/*.yml "$ROOT"/.github/workflows/*.yaml; do
  [ -f "$f" ] && workflows+=("$f")
done
if [ ${#workflows[@]} -eq 0 ]; then
  echo "no workflow in .github/workflows" >&2
  failed+=("workflow schema")
elif setup_venv; then
  run_check "workflow schema" "$INFRA/.venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
  step "the deploy gate: deploy.yml deploys only after ci.yml passed on the same commit"
  gates=$INFRA/test/workflows
  run_check "deploy gate" deploy_gate
else
  failed+=("workflow schema (venv)" "deploy gate")
fi

# ---- 5. the Pulumi unit tests (mocks)
step "Pulumi unit tests with mocks (node --test)"
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
(
  cd "$INFRA" &&
    TS_NODE_TRANSPILE_ONLY=true TS_NODE_PROJECT="$INFRA/tsconfig.json" \
      node --require ts-node/register --test \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination="$tap" \
      test/*.test.ts
)
tests_rc=$?
[ $tests_rc -eq 0 ] || failed+=("unit tests")
pass=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$tap" | tail -1)
fail=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$tap" | tail -1)
pass=${pass:-0}
fail=${fail:-0}
if [ "$pass" -eq 0 ]; then
  echo "the unit tests ran no test" >&2
  failed+=("unit tests ran")
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "infrastructure checks FAILED: ${failed[*]}" >&2
else
  echo "infrastructure checks: tsc, asl-validator, workflow schema, deploy gate and unit tests all passed"
fi
grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$tap" || true
# tsc, asl-validator, the workflow schema and the deploy gate count as one test each in the plain line.
checks_failed=0
for f in "${failed[@]}"; do
  case $f in tsc | asl-validator | "workflow schema"* | "deploy gate") checks_failed=$((checks_failed + 1)) ;; esac
done
echo "infrastructure: $((pass + 4 - checks_failed)) passed, $((fail + checks_failed)) failed"
[ ${#failed[@]} -eq 0 ]
