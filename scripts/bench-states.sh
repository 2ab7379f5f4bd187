#!/usr/bin/env bash
# Throughput of the ASL engine (crates/states) next to aws-local-stepfunctions,
# on the same machine in the same run, on the peers' notification.asl.json.
#
#   scripts/bench-states.sh            # prints both figures and the ratio
#   RUNS=5 scripts/bench-states.sh     # runs (medians are used), default 3
#   N=2000 scripts/bench-states.sh     # peer executions per measurement, default 20000
#
# Transitions = states entered (4 per notification execution on the happy
# path), as ../shared/bench/peers/asl-throughput.mjs counts them. Ours comes
# from `cargo bench -p rez-states --bench engine` (criterion, instant echo
# tasks, time_scale 0, one execution at a time like the peer's default),
# run RUNS times like the peer, median of each; each run measures the
# peer and then ours, and prints the run's own ratios too.
#
# Second comparison, the whole machine: ours on every core
# (states/notification_all_cores: one thread per core, each with its own
# single-threaded runtime and stream of executions, sharing one machine)
# against the peer's best use of the machine: the best of one process at
# --concurrency 1, one at --concurrency $PEER_CONCURRENCY (Node runs a
# process on one thread either way), and one process per core at once
# (their rates summed).
# The peer runs N=20000 executions per measurement (after its 200 warm-up
# ones), about 3 s: its steady state. With the script's earlier N=2000
# (0.3-0.5 s) V8 had not finished optimising. One process measured
# 15-20k transitions/s against 18-31k at N=20000, and two processes at
# once about 12k each against 18-28k each, because their optimising
# compilers compete for the same two cores.
# Bounded: ~1 s warm-up + 3 s measurement per benchmark, about 3 s per peer run.
#
# The peer's scripts come from the shared material beside the checkout
# (../shared/bench/peers), or from PEERS_SRC; both engines run the
# notification.asl.json found there.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS_SRC="${PEERS_SRC:-$ROOT/../shared/bench/peers}"
for needed in setup.sh asl-throughput.mjs notification.asl.json; do
  if [ ! -f "$PEERS_SRC/$needed" ]; then
    echo "bench-states: $PEERS_SRC/$needed is missing: put the shared material beside this checkout or set PEERS_SRC to its bench/peers directory" >&2
    exit 1
  fi
done
export PEER_DEFINITION="$PEERS_SRC/notification.asl.json"
export PEERS_DIR="${PEERS_DIR:-$HOME/.cache/rez-peers}"
RUNS="${RUNS:-3}"
N="${N:-20000}"
PEER_CONCURRENCY="${PEER_CONCURRENCY:-16}"
NOTIFICATION_TRANSITIONS=4
MAP_TRANSITIONS=2001

if [ ! -x "$PEERS_DIR/bin/node" ] || [ ! -f "$PEERS_DIR/node/node_modules/aws-local-stepfunctions/package.json" ]; then
  bash "$PEERS_SRC/setup.sh" >&2
fi

peer_once() {
  "$PEERS_DIR/bin/node" "$PEERS_SRC/asl-throughput.mjs" "$N" --concurrency "$1" --json |
    sed -n 's/.*"transitions_per_s":\([0-9.]*\).*/\1/p'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# One peer process per core at the same time; prints the sum of their rates.
peer_per_core() {
  local outputs=() pids=()
  for _ in $(seq "$(nproc)"); do
    outputs+=("$(mktemp)")
    "$PEERS_DIR/bin/node" "$PEERS_SRC/asl-throughput.mjs" "$N" --json >"${outputs[-1]}" &
    pids+=("$!")
  done
  wait "${pids[@]}"
  sed -n 's/.*"transitions_per_s":\([0-9.]*\).*/\1/p' "${outputs[@]}" | awk '{s += $1} END {printf "%.1f", s}'
  rm -f "${outputs[@]}"
}

# Build first so compilation is not timed next to the peer.
(cd "$ROOT" && cargo bench -p rez-states --bench engine --no-run >&2)

# Nanoseconds per execution of bench $2 in bencher output $1 (one line per run).
ns_in() { echo "$1" | awk -v name="$2" '$2 == name {gsub(",", "", $5); print $5}'; }
# Transitions per second at $1 ns per execution of $2 transitions.
per_second() { awk -v ns="$1" -v t="$2" 'BEGIN {printf "%.0f", t * 1e9 / ns}'; }
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
best_of() { printf '%s\n' "$@" | sort -g | tail -1; }

peer=()
peer_concurrent=()
peer_cores=()
bencher=""
run_ratios=()
run_ratios_all=()
# Each run measures the peer and then ours, so a run's two engines share
# the same minutes: this host's speed swings from minute to minute, and
# the per-run ratios show how much. Medians of each engine are compared.
for _ in $(seq "$RUNS"); do
  p1="$(peer_once 1)"
  p16="$(peer_once "$PEER_CONCURRENCY")"
  pc="$(peer_per_core)"
  peer+=("$p1")
  peer_concurrent+=("$p16")
  peer_cores+=("$pc")
  run="$(cd "$ROOT" && cargo bench -p rez-states --bench engine -- \
    --warm-up-time 1 --measurement-time 3 --output-format bencher 2>/dev/null | grep '^test ')"
  bencher+="$run"$'\n'
  one="$(per_second "$(ns_in "$run" states/notification)" "$NOTIFICATION_TRANSITIONS")"
  all="$(per_second "$(ns_in "$run" states/notification_all_cores)" "$NOTIFICATION_TRANSITIONS")"
  run_ratios+=("$(ratio_of "$one" "$p1")")
  run_ratios_all+=("$(ratio_of "$all" "$(best_of "$p1" "$p16" "$pc")")")
done
peer_median="$(median "${peer[@]}")"
peer_concurrent_median="$(median "${peer_concurrent[@]}")"
peer_cores_median="$(median "${peer_cores[@]}")"
peer_best="$(best_of "$peer_median" "$peer_concurrent_median" "$peer_cores_median")"

ns_runs() { ns_in "$bencher" "$1"; }
ns_of() {
  local runs
  mapfile -t runs < <(ns_runs "$1")
  median "${runs[@]}"
}
notification_ns="$(ns_of states/notification)"
all_cores_ns="$(ns_of states/notification_all_cores)"
map_ns="$(ns_of states/map_1000)"
ours="$(per_second "$notification_ns" "$NOTIFICATION_TRANSITIONS")"
ours_map="$(per_second "$map_ns" "$MAP_TRANSITIONS")"
ours_all="$(per_second "$all_cores_ns" "$NOTIFICATION_TRANSITIONS")"
ratio="$(ratio_of "$ours" "$peer_median")"
ratio_all="$(ratio_of "$ours_all" "$peer_best")"

echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:  nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "peer:     aws-local-stepfunctions, node $("$PEERS_DIR/bin/node" --version), N=$N, concurrency 1: ${peer[*]} transitions/s (median $peer_median)"
echo "peer:     concurrency $PEER_CONCURRENCY: ${peer_concurrent[*]} transitions/s (median $peer_concurrent_median)"
echo "peer:     $(nproc) processes at once, summed: ${peer_cores[*]} transitions/s (median $peer_cores_median; best of the three medians $peer_best)"
echo "ours:     rez-states notification: $(ns_runs states/notification | paste -sd " ") ns/execution (median ${notification_ns} = ${ours} transitions/s)"
echo "ours:     rez-states map_1000:     $(ns_runs states/map_1000 | paste -sd " ") ns/execution (median ${map_ns} = ${ours_map} transitions/s)"
echo "ours:     rez-states notification on $(nproc) cores: $(ns_runs states/notification_all_cores | paste -sd " ") ns/execution (median ${all_cores_ns} = ${ours_all} transitions/s)"
echo "ratio:    ${ratio}x aws-local-stepfunctions, one execution at a time each (target: 50x); per run: ${run_ratios[*]}"
echo "ratio:    ${ratio_all}x aws-local-stepfunctions, the whole machine each (target: 50x); per run: ${run_ratios_all[*]}"
