#!/usr/bin/env bash
# Throughput of the ASL engine (crates/states) next to aws-local-stepfunctions,
# on the same machine in the same run, for three definitions:
#   notification   the peers' notification.asl.json (4 states per execution)
#   jsonata        the same workflow in JSONata
#                  (crates/states/benches/notification-jsonata.asl.json).
#                  aws-local-stepfunctions 3.0.0 has no JSONata: it ignores
#                  QueryLanguage and runs the states as JSONPath, so this
#                  definition cannot run on it; ours is compared with the
#                  peer's notification, the same workflow in the language
#                  the peer has.
#   map_1000       a Map over 1,000 items, Task -> Pass each (2,001 states;
#                  crates/states/benches/peer-map-throughput.mjs runs it on
#                  the peer, MAP_N executions per measurement, default 40)
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
MAP_N="${MAP_N:-40}"
NOTIFICATION_TRANSITIONS=4
MAP_TRANSITIONS=2001
PEER_MAP="$ROOT/crates/states/benches/peer-map-throughput.mjs"

if [ ! -x "$PEERS_DIR/bin/node" ] || [ ! -f "$PEERS_DIR/node/node_modules/aws-local-stepfunctions/package.json" ]; then
  bash "$PEERS_SRC/setup.sh" >&2
fi

# Runner and executions per measurement of the peer for $WORKLOAD.
peer_args() {
  if [ "$WORKLOAD" = map ]; then echo "$PEER_MAP $MAP_N"; else echo "$PEERS_SRC/asl-throughput.mjs $N"; fi
}
peer_once() {
  # shellcheck disable=SC2046
  "$PEERS_DIR/bin/node" $(peer_args) --concurrency "$1" --json |
    sed -n 's/.*"transitions_per_s":\([0-9.]*\).*/\1/p'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# One peer process per core at the same time; prints the sum of their rates.
peer_per_core() {
  local outputs=() pids=()
  for _ in $(seq "$(nproc)"); do
    outputs+=("$(mktemp)")
    # shellcheck disable=SC2046
    "$PEERS_DIR/bin/node" $(peer_args) --json >"${outputs[-1]}" &
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

peer=() peer_concurrent=() peer_cores=()
peer_map=() peer_map_concurrent=() peer_map_cores=()
bencher=""
declare -A run_ratios=()
# Each run measures the peer and then ours, so a run's two engines share
# the same minutes: this host's speed swings from minute to minute, and
# the per-run ratios show how much. Medians of each engine are compared.
for _ in $(seq "$RUNS"); do
  WORKLOAD=notification
  p1="$(peer_once 1)"; p16="$(peer_once "$PEER_CONCURRENCY")"; pc="$(peer_per_core)"
  WORKLOAD=map
  m1="$(peer_once 1)"; m16="$(peer_once "$PEER_CONCURRENCY")"; mc="$(peer_per_core)"
  peer+=("$p1"); peer_concurrent+=("$p16"); peer_cores+=("$pc")
  peer_map+=("$m1"); peer_map_concurrent+=("$m16"); peer_map_cores+=("$mc")
  run="$(cd "$ROOT" && cargo bench -p rez-states --bench engine -- \
    --warm-up-time 1 --measurement-time 3 --output-format bencher 2>/dev/null | grep '^test ')"
  bencher+="$run"$'\n'
  for bench in notification notification_jsonata map_1000; do
    transitions="$NOTIFICATION_TRANSITIONS"; one_peer="$p1"; best_peer="$(best_of "$p1" "$p16" "$pc")"
    if [ "$bench" = map_1000 ]; then
      transitions="$MAP_TRANSITIONS"; one_peer="$m1"; best_peer="$(best_of "$m1" "$m16" "$mc")"
    fi
    one="$(per_second "$(ns_in "$run" "states/$bench")" "$transitions")"
    all="$(per_second "$(ns_in "$run" "states/${bench}_all_cores")" "$transitions")"
    run_ratios[$bench]+="$(ratio_of "$one" "$one_peer") "
    run_ratios[${bench}_all]+="$(ratio_of "$all" "$best_peer") "
  done
done

ns_runs() { ns_in "$bencher" "$1"; }
ns_of() {
  local runs
  mapfile -t runs < <(ns_runs "$1")
  median "${runs[@]}"
}

declare -A peer_one=() peer_best=()
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(cd "$ROOT" && git rev-parse --short HEAD)"
echo "machine:  nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "peer:     aws-local-stepfunctions, node $("$PEERS_DIR/bin/node" --version); transitions/s, one value per run"
for workload in notification map_1000; do
  if [ "$workload" = map_1000 ]; then
    c1=("${peer_map[@]}") c16=("${peer_map_concurrent[@]}") cores=("${peer_map_cores[@]}") n="$MAP_N"
  else
    c1=("${peer[@]}") c16=("${peer_concurrent[@]}") cores=("${peer_cores[@]}") n="$N"
  fi
  m1="$(median "${c1[@]}")" m16="$(median "${c16[@]}")" mc="$(median "${cores[@]}")"
  echo "peer:     $workload (N=$n): concurrency 1: ${c1[*]} (median $m1); concurrency $PEER_CONCURRENCY: ${c16[*]} (median $m16); $(nproc) processes summed: ${cores[*]} (median $mc)"
  peer_one[$workload]="$m1"
  peer_best[$workload]="$(best_of "$m1" "$m16" "$mc")"
done
for bench in notification notification_jsonata map_1000; do
  transitions="$NOTIFICATION_TRANSITIONS" one_peer="${peer_one[notification]}" best_peer="${peer_best[notification]}"
  if [ "$bench" = map_1000 ]; then
    transitions="$MAP_TRANSITIONS" one_peer="${peer_one[map_1000]}" best_peer="${peer_best[map_1000]}"
  fi
  one_ns="$(ns_of "states/$bench")"
  all_ns="$(ns_of "states/${bench}_all_cores")"
  one="$(per_second "$one_ns" "$transitions")"
  all="$(per_second "$all_ns" "$transitions")"
  echo "ours:     $bench: $(ns_runs "states/$bench" | paste -sd " ") ns/execution (median $one_ns = $one transitions/s); on $(nproc) cores: $(ns_runs "states/${bench}_all_cores" | paste -sd " ") (median $all_ns = $all transitions/s)"
  echo "ratio:    $bench: $(ratio_of "$one" "$one_peer")x one execution at a time (per run: ${run_ratios[$bench]% }), $(ratio_of "$all" "$best_peer")x the whole machine (per run: ${run_ratios[${bench}_all]% }); target 50x"
done
