#!/usr/bin/env bash
# The end-to-end, API, start-up and cold-start benchmarks, each next to a same-run reference, each repeated
# (medians reported), written to bench/results/{e2e,api,startup,coldstart}.md.
#
#   scripts/bench.sh                 # all four
#   scripts/bench.sh e2e startup     # some of them
#   RUNS=5 scripts/bench.sh          # runs per benchmark (default 3; startup and coldstart take 5)
#
# Everything runs on loopback. Bounded: each phase has a timeout (e2e 180 s,
# start-up 60 s, each Lambda step 30 s), the API load is 5 s per endpoint and
# side. The engine's own benchmark is scripts/bench-states.sh (make bench runs both).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
OUT=bench/results
mkdir -p "$OUT"
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(e2e api startup coldstart)

# Release builds first, so nothing is compiled while something is timed.
nice cargo build --release -p rez-agent -p rez-bench --bin rez-agent --bin rez-bench >&2
BENCH=target/release/rez-bench

lambda_built=1
for f in scheduler processor webapi load-message send-notification record-status; do
  [ -f "target/x86_64-unknown-linux-gnu/lambda/$f" ] || [ -f "target/lambda-x86_64/$f/bootstrap" ] || lambda_built=0
done
if [ "$lambda_built" = 0 ]; then
  echo "bench: no size-optimised Lambda builds; building the release ones (scripts/build-lambdas.sh makes the real ones)" >&2
  nice cargo build --release -p rez-scheduler -p rez-processor -p rez-webapi \
    -p rez-load-message -p rez-send-notification -p rez-record-status >&2
fi

for b in "${which[@]}"; do
  case "$b" in
    e2e) "$BENCH" e2e --runs "$RUNS" --out "$OUT/e2e.md" ;;
    api) "$BENCH" api --runs "$RUNS" --out "$OUT/api.md" ;;
    startup) "$BENCH" startup --runs "$(( RUNS < 5 ? 5 : RUNS ))" --out "$OUT/startup.md" ;;
    coldstart)
      [ -x .venv/bin/moto_server ] || ./scripts/setup-python.sh >&2
      "$BENCH" coldstart --runs "$(( RUNS < 5 ? 5 : RUNS ))" --out "$OUT/coldstart.md" ;;
    *) echo "bench: unknown benchmark '$b' (e2e, api, startup, coldstart)" >&2; exit 2 ;;
  esac
done
