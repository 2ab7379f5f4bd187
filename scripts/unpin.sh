#!/usr/bin/env bash
# Removes the pin of one function, or of every function, so that its live
# alias follows the version each deploy publishes again; then deploys.
#
#   scripts/unpin.sh STACK [FUNCTION]     # make unpin STACK=… [FUNCTION=…]
#
# Without FUNCTION it also removes canaryWeight, which does nothing without pins.
# Needs pulumi (and, through `pulumi up`, the stack's AWS credentials).
# Exit status: 0 unpinned, 1 a failed command, 2 bad usage.
set -euo pipefail

# shellcheck source=scripts/lib/pins.sh
. "$(dirname "$0")/lib/pins.sh"
stack_and_function_arguments "$0" "$@"

if [ -n "$only" ]; then
  if ! pinned_version "$only" >/dev/null; then
    echo "unpin: $only is not pinned" >&2
    exit 2
  fi
  remove_pin "$only"
  keep=()
  while read -r key; do [ "$key" = "$only" ] || keep+=("$key"); done < <(rollout_pins)
  set_rollout_pins "${keep[@]}"
  echo "unpin: $only follows each deploy's version again"
else
  remove_key pinnedVersions
  set_rollout_pins
  remove_key canaryWeight
  echo "unpin: every function follows each deploy's version again"
fi
stack_pulumi up --yes
