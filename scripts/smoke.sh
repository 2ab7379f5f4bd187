#!/usr/bin/env bash
# One notification through a deployed rez-agent, end to end: posts it to the
# API, waits until the message is completed, then prints its execution's log
# lines from the state machine's CloudWatch log group.
#
#   make smoke STACK=dev      # reads the three settings from the stack's outputs
#
# Settings (environment):
#   REZ_API_URL     the API's base URL (stack output webapiUrl)
#   REZ_API_KEY     its key (stack output apiKey, a secret)
#   REZ_LOG_GROUP   the state machine's log group (stack output executionLogGroupName)
#   REZ_AGENT_BIN   the rez-agent binary that sends and follows (default: rez-agent)
#   SMOKE_TIMEOUT   seconds to wait for completed, then for the log lines (default 120)
# Needs the aws CLI with credentials for the deployment's account and region
# (AWS_ENDPOINT_URL, if set, is honoured as by every aws command).
# Exit status: 0 completed with its log lines printed, 1 anything else.
set -euo pipefail

: "${REZ_API_URL:?REZ_API_URL is not set: the API base URL (stack output webapiUrl)}"
: "${REZ_API_KEY:?REZ_API_KEY is not set: the API key (stack output apiKey)}"
: "${REZ_LOG_GROUP:?REZ_LOG_GROUP is not set: the log group (stack output executionLogGroupName)}"
export REZ_API_KEY
rez_agent="${REZ_AGENT_BIN:-rez-agent}"
timeout="${SMOKE_TIMEOUT:-120}"
for tool in "$rez_agent" aws python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "smoke: '$tool' is needed and not found" >&2; exit 1; }
done

started_ms=$(($(date +%s) * 1000 - 60000))
text="rez-agent smoke test $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "smoke: sending '$text' to $REZ_API_URL"
if ! message=$("$rez_agent" send "$text" --title "rez-agent smoke test" --wait \
  --timeout "$timeout" --json --api-url "$REZ_API_URL"); then
  echo "smoke: the message was not completed within ${timeout} s:" >&2
  echo "$message" >&2
  exit 1
fi

# The message's id and the execution that delivered it.
read -r id execution < <(python3 -c '
import json, sys
m = json.load(sys.stdin)
print(m["id"], m.get("execution_id") or "-")' <<<"$message")
echo "smoke: message $id completed by execution $execution"
if [ "$execution" = "-" ]; then
  echo "smoke: the completed message names no execution" >&2
  exit 1
fi

# Express executions log best-effort, a few seconds late: wait for the
# execution's last event, within the same bound.
deadline=$((SECONDS + timeout))
while :; do
  lines=$(aws logs filter-log-events --log-group-name "$REZ_LOG_GROUP" \
    --filter-pattern "\"$execution\"" --start-time "$started_ms" \
    --query 'events[].message' --output text)
  if grep -q '"type": *"ExecutionSucceeded"' <<<"$lines"; then
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "smoke: the execution's log lines did not arrive in $REZ_LOG_GROUP within ${timeout} s" >&2
    printf '%s\n' "$lines" >&2
    exit 1
  fi
  sleep 3
done
echo "smoke: the execution's log lines from $REZ_LOG_GROUP:"
printf '%s\n' "$lines" | tr '\t' '\n'
echo "smoke: passed"
