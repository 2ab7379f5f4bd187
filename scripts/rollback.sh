#!/usr/bin/env bash
# Puts one function, or every function, back on the version before its live
# one, and pins it there so that later deploys keep it.
#
#   scripts/rollback.sh STACK [FUNCTION]     # make rollback STACK=… [FUNCTION=…]
#
# For each function: the version its live alias points at (aws lambda
# get-alias), the highest published version below it (aws lambda
# list-versions-by-function), pinned with `pulumi config set --path
# 'pinnedVersions["<function>"]'`. Then canaryWeight is removed (a canary
# would send traffic to the newest version) and `pulumi up --yes` moves the
# aliases. The pins stay until `make unpin` (scripts/unpin.sh) removes them.
# `pulumi up` runs the program with the zips in build/, as any deploy does:
# new code there is published as a new version, but the pinned aliases do
# not move to it.
#
# Needs pulumi, the aws CLI with the stack's credentials, and node.
# Exit status: 0 rolled back, 1 no earlier version or a failed command, 2 bad usage.
set -euo pipefail

# shellcheck source=scripts/lib/pins.sh
. "$(dirname "$0")/lib/pins.sh"
stack_and_function_arguments "$0" "$@"

declare -A names=()
while read -r key name; do names[$key]=$name; done < <(stack_functions)
if [ "${#names[@]}" -eq 0 ]; then
  echo "rollback: stack $STACK has no outputs: it was never deployed" >&2
  exit 1
fi
if [ -n "$only" ] && [ -z "${names[$only]:-}" ]; then
  echo "rollback: no function '$only'; the stack's are: ${!names[*]}" >&2
  exit 2
fi

mapfile -t rollout_pinned < <(rollout_pins)
keep=()
for key in "${!names[@]}"; do
  if [ -n "$only" ] && [ "$key" != "$only" ]; then
    contains "$key" "${rollout_pinned[@]}" && keep+=("$key")
    continue
  fi
  live=$(live_version "${names[$key]}")
  previous=$(aws lambda list-versions-by-function --function-name "${names[$key]}" \
    --query 'Versions[].Version' --output text | tr -s '[:space:]' '\n' |
    awk -v live="$live" '/^[0-9]+$/ && $1 + 0 < live + 0 && $1 + 0 > best + 0 { best = $1 } END { if (best) print best }')
  if [ -z "$previous" ]; then
    echo "rollback: $key is on version $live and has no published version before it" >&2
    exit 1
  fi
  set_pin "$key" "$previous"
  echo "rollback: $key: version $live → $previous (pinned)"
done
# A rolled-back function's pin is the user's now: no rollout promotes it away.
set_rollout_pins "${keep[@]}"
remove_key canaryWeight
stack_pulumi up --yes
echo "rollback: done; the pins stay until: make unpin STACK=$STACK${only:+ FUNCTION=$only}"
