#!/usr/bin/env bash
# Instructions per notification execution for each value model (callgrind:
# one run of 1 and one of 2,001 executions; the difference / 2,000).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --quiet
out="$(mktemp -d)"
for model in a b c d e f; do
  for n in 1 2001; do
    valgrind --tool=callgrind --callgrind-out-file="$out/$model.$n" target/release/value-model "$model" "$n" >/dev/null 2>&1
  done
  one="$(awk '/^(summary|totals):/ {print $2; exit}' "$out/$model.1")"
  many="$(awk '/^(summary|totals):/ {print $2; exit}' "$out/$model.2001")"
  echo "$model: $(( (many - one) / 2000 )) instructions per execution"
done
rm -rf "$out"
