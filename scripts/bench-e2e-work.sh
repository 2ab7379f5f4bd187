#!/usr/bin/env bash
# The work rez-agent does per message on the end-to-end path, counted rather
# than timed: its CPU time, context switches and file-system output
# (/usr/bin/time -v), and its system calls by kind (strace -c -f), over one
# run of `rez-bench e2e` (2 x N notifications, each read back once with
# GET /api/messages/{id}). Divide by 2 x N for per-message figures.
#
#   scripts/bench-e2e-work.sh          # N=2000
#   N=500 scripts/bench-e2e-work.sh
#
# Two separate runs: strace slows the process many times over, so its run's
# throughput and latency are meaningless and only its counts are read.
# Loopback only; each run is bounded by rez-bench's phase timeout.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
N="${N:-2000}"
for tool in strace /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench-e2e-work: $tool is needed (Debian: apt-get install strace time)" >&2; exit 1; }
done
nice cargo build --release -p rez-agent -p rez-bench --bin rez-agent --bin rez-bench >&2
AGENT="$ROOT/target/release/rez-agent"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# A wrapper that runs rez-agent under $1 (a command prefix writing to
# $WORK/$2) and, when rez-bench stops it with SIGTERM, passes the signal to
# rez-agent itself so that the tool sees it exit and writes its report.
wrapper() {
  local prefix="$1" report="$2" path="$WORK/$3"
  cat >"$path" <<WRAP
#!/usr/bin/env bash
$prefix -o "$WORK/$report" "$AGENT" "\$@" &
tool=\$!
stop() {
  pkill -TERM -P "\$tool"
  wait "\$tool"
  exit 0
}
trap stop TERM INT
wait "\$tool"
WRAP
  chmod +x "$path"
  echo "$path"
}

timed="$(wrapper "/usr/bin/time -v" time.txt timed.sh)"
traced="$(wrapper "strace -c -f" strace.txt traced.sh)"
target/release/rez-bench e2e --agent "$timed" --n "$N" --runs 1 --out "$WORK/timed.md" >&2
target/release/rez-bench e2e --agent "$traced" --n "$N" --runs 1 --timeout 600 --out "$WORK/traced.md" >&2

messages=$((2 * N))
echo "messages: $messages (each posted, delivered to the stub and read back once)"
echo "timed run: $(grep -E '^\| 1 ' "$WORK/timed.md")"
awk -v m="$messages" -F': ' '
  /User time/ {u = $2} /System time/ {s = $2}
  /Voluntary context switches/ {v = $2} /Involuntary context switches/ {i = $2}
  /File system outputs/ {o = $2} /Maximum resident/ {r = $2}
  END {
    printf "cpu: %.3f s user + %.3f s system = %.0f us per message\n", u, s, (u + s) * 1e6 / m
    printf "context switches per message: %.1f voluntary, %.1f involuntary\n", v / m, i / m
    printf "file-system output: %.1f KiB per message (512-byte blocks / 2); peak RSS %d KiB\n", o / 2 / m, r
  }' "$WORK/time.txt"
echo "system calls per message (strace -c -f, the traced run):"
awk -v m="$messages" '$1 ~ /^[0-9.]+$/ && NF >= 5 {
    name = $NF; calls = $4
    if (calls / m >= 0.05) printf "  %-14s %8.2f\n", name, calls / m
  }' "$WORK/strace.txt"
