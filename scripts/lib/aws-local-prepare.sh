# shellcheck shell=bash
# What the AWS deployment on this machine needs before it starts, shared by
# scripts/aws-local.sh (make aws-local) and scripts/test-aws-local.sh:
#   1. build/*.zip, packed by scripts/build-lambdas.sh as `make build` packs
#      them (cargo rebuilds only what changed);
#   2. moto in the test venv (scripts/setup-python.sh);
#   3. rez-agent (its Step Functions API) and rez-aws-local, debug builds;
#      the aws CLI from PyPI in its own venv, for scripts/smoke.sh's scenario
#      ($AWS_LOCAL_TARGET/aws-cli; REZ_AWS_CLI_DIR names its bin/);
#   4. the declarations of the Pulumi program, computed under its mocks by
#      infrastructure/test/declare.ts into $AWS_LOCAL_WORK/declared.json,
#      with a fresh API key unless REZ_API_KEY is set.
# Sourced from the repository root; sets AWS_LOCAL_WORK, AWS_LOCAL_TARGET
# and the function declare_stack (extra declare.ts flags as arguments), and
# prints how long the packages and the whole preparation took.

AWS_LOCAL_TARGET="${CARGO_TARGET_DIR:-target}"
case "$AWS_LOCAL_TARGET" in /*) ;; *) AWS_LOCAL_TARGET="$PWD/$AWS_LOCAL_TARGET" ;; esac
AWS_LOCAL_WORK="$AWS_LOCAL_TARGET/aws-local"
mkdir -p "$AWS_LOCAL_WORK"

printf '\n==> %s\n' "the Lambda packages (build/*.zip, as make build packs them)"
aws_local_started=$SECONDS
./scripts/build-lambdas.sh
echo "aws-local: Lambda packages ready in $((SECONDS - aws_local_started)) s"

printf '\n==> %s\n' "moto (the test venv)"
./scripts/setup-python.sh

printf '\n==> %s\n' "rez-agent and rez-aws-local"
cargo build --locked -p rez-agent --bin rez-agent -p rez-aws-local

# The aws CLI v1 (a pip package, unlike v2) pins its own botocore, so it
# gets a venv of its own rather than sharing moto's.
AWS_CLI_PIN="awscli==1.46.3"
aws_cli_venv="$AWS_LOCAL_TARGET/aws-cli"
if [ "$(cat "$aws_cli_venv/.pin" 2>/dev/null)" != "$AWS_CLI_PIN" ] || ! "$aws_cli_venv/bin/aws" --version >/dev/null 2>&1; then
  printf '\n==> %s\n' "the aws CLI ($AWS_CLI_PIN) into $aws_cli_venv"
  rm -rf "$aws_cli_venv"
  python3 -m venv "$aws_cli_venv"
  "$aws_cli_venv/bin/python" -m pip install --quiet --disable-pip-version-check "$AWS_CLI_PIN"
  printf '%s' "$AWS_CLI_PIN" > "$aws_cli_venv/.pin"
fi
export REZ_AWS_CLI_DIR="$aws_cli_venv/bin"

printf '\n==> %s\n' "what the Pulumi program declares (under its mocks)"
if [ ! -d infrastructure/node_modules ]; then
  (cd infrastructure && npm ci --no-audit --no-fund --loglevel=error)
fi
aws_local_api_key="${REZ_API_KEY:-aws-local-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}"
declare_stack() {
  (cd infrastructure && TS_NODE_TRANSPILE_ONLY=true node --require ts-node/register test/declare.ts \
    --stack dev --build-dir "$PWD/../build" --api-key "$aws_local_api_key" "$@")
}
export REZ_AGENT_BIN="$AWS_LOCAL_TARGET/debug/rez-agent"
echo "aws-local: prepared in $((SECONDS - aws_local_started)) s"
