# shellcheck shell=bash
# Shell helpers the test scripts share; source it, do not run it.

# Waits up to $3 seconds for a line matching the grep pattern $2 in file $1
# and prints the match; returns 1 when none appeared in time.
wait_for_line() {
  local file=$1 pattern=$2 seconds=$3 match
  for _ in $(seq 1 $((seconds * 10))); do
    match=$(grep -o -m1 "$pattern" "$file" 2>/dev/null || true)
    [ -n "$match" ] && { echo "$match"; return 0; }
    sleep 0.1
  done
  return 1
}
