# shellcheck shell=bash
# What scripts/rollout.sh, rollback.sh and unpin.sh share: the stack's Pulumi
# config and outputs, the pins (config pinnedVersions, one published version
# per function), and the version each function's live alias points at.
# Source it, then set STACK (stack_and_function_arguments does for the
# scripts that take STACK [FUNCTION]); it cds into infrastructure/, where
# every pulumi command runs.

cd "$(dirname "${BASH_SOURCE[0]}")/../../infrastructure" || exit 1

# The config key where scripts/rollout.sh lists the pins it set itself (space
# separated), so that a later run (after a rollback, or a run that was
# killed) removes them when it promotes. The program does not read it.
ROLLOUT_PINS_KEY=rolloutPins

# Reads the arguments STACK [FUNCTION] of the script named $1 into STACK and
# only (empty: every function); exits 2 with its usage on any other count.
stack_and_function_arguments() {
  local script=$1
  shift
  if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
    echo "usage: $script STACK [FUNCTION]" >&2
    exit 2
  fi
  STACK=$1
  # shellcheck disable=SC2034 # read by the script that sourced this file
  only=${2:-}
}

# pulumi on the stack, never prompting.
stack_pulumi() {
  pulumi "$@" --stack "$STACK" --non-interactive
}

# Prints a JSON object on stdin as "key value" lines, or a JSON list as one
# element a line; nothing for empty input or null.
json_lines() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
let text = "";
process.stdin.on("data", (d) => (text += d)).on("end", () => {
  const v = text.trim() === "" ? null : JSON.parse(text);
  if (Array.isArray(v)) for (const x of v) console.log(String(x));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) console.log(`${k} ${x}`);
});'
}

# The stack's functions as "key physical-name" lines (output functionNames);
# nothing when the stack has no outputs yet (never deployed).
stack_functions() {
  local out
  out=$(stack_pulumi stack output functionNames --json 2>/dev/null) || return 0
  json_lines <<<"$out"
}

# The config path of function $1's pin.
pin_path() {
  printf 'pinnedVersions["%s"]' "$1"
}

# The version function $1 is pinned to; fails when it is not pinned.
pinned_version() {
  stack_pulumi config get --path "$(pin_path "$1")" 2>/dev/null
}

# Pins function $1 to version $2.
set_pin() {
  stack_pulumi config set --path "$(pin_path "$1")" "$2"
}

# Removes the pin of function $1 (nothing when it has none).
remove_pin() {
  if pinned_version "$1" >/dev/null; then
    stack_pulumi config rm --path "$(pin_path "$1")"
  fi
}

# Removes config key $1 of the stack (nothing when it is not set).
remove_key() {
  if stack_pulumi config get "$1" >/dev/null 2>&1; then
    stack_pulumi config rm "$1"
  fi
}

# The functions scripts/rollout.sh pinned itself, one a line.
rollout_pins() {
  local list
  list=$(stack_pulumi config get "$ROLLOUT_PINS_KEY" 2>/dev/null) || return 0
  tr ' ' '\n' <<<"$list" | sed '/^$/d'
}

# Records the functions "$@" as the ones scripts/rollout.sh pinned (none: the key goes).
set_rollout_pins() {
  if [ "$#" -eq 0 ]; then
    remove_key "$ROLLOUT_PINS_KEY"
  else
    stack_pulumi config set "$ROLLOUT_PINS_KEY" "$*"
  fi
}

# Whether word $1 is one of the words "${@:2}".
contains() {
  local x
  for x in "${@:2}"; do [ "$x" = "$1" ] && return 0; done
  return 1
}

# The version the live alias of the function named $1 (physical name) points at.
live_version() {
  local v
  v=$(aws lambda get-alias --function-name "$1" --name live --query FunctionVersion --output text)
  if ! [[ $v =~ ^[0-9]+$ ]]; then
    echo "the live alias of $1 points at '$v', not a published version" >&2
    return 1
  fi
  echo "$v"
}
