#!/usr/bin/env bash
# Deploys the stack as a canary, watches its alarms, then promotes or rolls back.
#
#   scripts/rollout.sh STACK          # make rollout STACK=dev|prod
#
# 1. Reads each function's live version (stack output functionNames, then
#    aws lambda get-alias). A stack with no outputs (never deployed) gets a
#    plain `pulumi up --yes`, and the script stops there.
# 2. Pins every function the user has not pinned to its live version
#    (config pinnedVersions), sets config canaryWeight, `pulumi up --yes`:
#    each pinned function whose newly published version is not its pin sends
#    canaryWeight of its invocations to the new version.
# 3. Watches the stack's alarms (stack output alarmNames) for
#    ROLLOUT_MINUTES, checking every ROLLOUT_POLL_SECONDS.
# 4. An alarm in ALARM: removes canaryWeight, keeps the pins, `pulumi up
#    --yes` (every invocation goes back to the pinned versions), names the
#    alarm, exits 1.
# 5. Quiet: removes the pins it set (never the user's) and canaryWeight,
#    `pulumi up --yes`: the new versions take all the traffic.
#
# The watch runs in this process: if it is killed, the stack stays pinned
# with the canary until this script is run again (it takes the pins it set
# as its own, from config rolloutPins) or `make unpin` removes them.
#
# Settings (environment):
#   ROLLOUT_WEIGHT        the canary's share of a function's invocations (default 0.1)
#   ROLLOUT_MINUTES       how long the canary is watched (default 10)
#   ROLLOUT_POLL_SECONDS  how often the alarms are read (default 30)
# Needs pulumi (logged in to the stack's backend), the aws CLI with the
# stack's credentials, and node. Exit status: 0 promoted (or first deploy),
# 1 rolled back or refused, 2 bad usage.
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 STACK" >&2
  exit 2
fi
STACK=$1
weight=${ROLLOUT_WEIGHT:-0.1}
minutes=${ROLLOUT_MINUTES:-10}
poll=${ROLLOUT_POLL_SECONDS:-30}
[[ $weight =~ ^0?\.[0-9]*[1-9][0-9]*$ ]] || { echo "rollout: ROLLOUT_WEIGHT is a number between 0 and 1, such as 0.1, got '$weight'" >&2; exit 2; }
for n in "$minutes" "$poll"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "rollout: ROLLOUT_MINUTES and ROLLOUT_POLL_SECONDS are whole numbers, got '$n'" >&2; exit 2; }
done
# shellcheck source=scripts/lib/pins.sh
. "$(dirname "$0")/lib/pins.sh"

# The stack's alarm names (stack output alarmNames), one a line; fails when
# the output cannot be read.
alarm_names() {
  local out
  out=$(stack_pulumi stack output alarmNames --json) || return 1
  json_lines <<<"$out"
}

# Those of the alarms "$@" that are in ALARM, separated by spaces (none:
# empty); fails when CloudWatch cannot be read.
firing_alarms() {
  [ "$#" -gt 0 ] || return 0
  local firing
  firing=$(aws cloudwatch describe-alarms --alarm-names "$@" --state-value ALARM \
    --query 'MetricAlarms[].AlarmName' --output text) || return 1
  [ "$firing" = "None" ] && firing=""
  tr -s '\t ' '  ' <<<"$firing" | sed 's/^ //; s/ $//' 
}

# ---- 1. the live versions
declare -A live=()
while read -r key name; do
  live[$key]=$(live_version "$name")
done < <(stack_functions)
if [ "${#live[@]}" -eq 0 ]; then
  echo "rollout: stack $STACK has no outputs yet (a first deploy): pulumi up"
  stack_pulumi up --yes
  exit 0
fi

# A stack deployed before it had the output alarmNames is not checked here.
mapfile -t alarms < <(alarm_names 2>/dev/null || true)
already=$(firing_alarms "${alarms[@]}")
if [ -n "$already" ]; then
  echo "rollout: alarms already in ALARM before the canary: $already" >&2
  echo "rollout: a canary could not be told apart from them; clear them first (or deploy with make deploy)" >&2
  exit 1
fi

# ---- 2. pin, then deploy the canary
mapfile -t leftover < <(rollout_pins)
mine=()
for key in "${!live[@]}"; do
  if contains "$key" "${leftover[@]}" || ! pinned_version "$key" >/dev/null; then
    set_pin "$key" "${live[$key]}"
    mine+=("$key")
  else
    echo "rollout: $key stays on your pin, version $(pinned_version "$key")"
  fi
done
set_rollout_pins "${mine[@]}"
stack_pulumi config set canaryWeight "$weight"
echo "rollout: canary: each changed function sends $weight of its invocations to its new version"
stack_pulumi up --yes

# ---- 3. watch (a failure to read the alarms counts as an alarm)
alarms=()
if names=$(alarm_names); then mapfile -t alarms <<<"$names"; fi
deadline=$((SECONDS + minutes * 60))
echo "rollout: watching ${#alarms[@]} alarm(s) for $minutes minute(s)"
while :; do
  reason=""
  if [ "${#alarms[@]}" -eq 0 ] || [ -z "${alarms[0]}" ]; then
    reason="the stack output alarmNames could not be read"
  elif ! firing=$(firing_alarms "${alarms[@]}"); then
    reason="CloudWatch could not be read"
  elif [ -n "$firing" ]; then
    reason="in ALARM: $firing"
  fi
  if [ -n "$reason" ]; then
    # ---- 4. roll back
    echo "rollout: $reason; rolling back" >&2
    remove_key canaryWeight
    stack_pulumi up --yes
    echo "rollout: rolled back: every function's live alias is on its pinned version, with no canary" >&2
    echo "rollout: the pins stay, so later deploys keep those versions: release them with" >&2
    echo "  make unpin STACK=$STACK [FUNCTION=<function>]   (or run make rollout again after a fix)" >&2
    exit 1
  fi
  [ "$SECONDS" -lt "$deadline" ] || break
  sleep "$poll"
done

# ---- 5. promote
echo "rollout: no alarm in $minutes minute(s): promoting"
for key in "${mine[@]}"; do remove_pin "$key"; done
set_rollout_pins
remove_key canaryWeight
stack_pulumi up --yes
echo "rollout: promoted"
