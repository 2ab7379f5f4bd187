#!/usr/bin/env bash
# Starts the AWS deployment of rez-agent on this machine (make aws-local):
# the six packed Lambdas under a local Lambda service, moto, rez-agent's
# Step Functions API, the SQS event source mapping, and the API Gateway and
# EventBridge Scheduler fronts, all built from what the Pulumi program
# declares. Prints the API's URL (with a `rez-agent send` line to try) and
# the ntfy URL it publishes to; stop it with Ctrl-C.
#
#   scripts/aws-local.sh                          # with the built-in ntfy stub
#   scripts/aws-local.sh --ntfy-url https://ntfy.sh/my-topic
#   scripts/aws-local.sh --help                   # every rez-aws-local flag
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/aws-local-prepare.sh
. scripts/lib/aws-local-prepare.sh
declare_stack --out "$AWS_LOCAL_WORK/declared.json"
exec "$AWS_LOCAL_TARGET/debug/rez-aws-local" --declared "$AWS_LOCAL_WORK/declared.json" "$@"
