#!/usr/bin/env bash
# Fuzz the ASL engine (crates/states/fuzz): run each cargo-fuzz target for a
# bounded time; no definition, input, path or expression may panic or hang.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
#
# Needs cargo-fuzz (cargo install cargo-fuzz --version 0.13.2 --locked) and a
# nightly toolchain; FUZZ_TOOLCHAIN=stable uses the stable one with
# RUSTC_BOOTSTRAP=1 instead. Seeds come from the conformance corpus
# (REZ_CONFORMANCE_DIR, else ../shared/conformance/asl/cases) and a few
# expressions below. A crash leaves its input in
# crates/states/fuzz/artifacts/<target>/: turn it into a regression test in
# crates/states/tests/, then delete it.
set -euo pipefail

seconds="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(definition_and_input jsonpath intrinsic jsonata)
fi

toolchain="${FUZZ_TOOLCHAIN:-nightly}"
if [ "$toolchain" = stable ]; then
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
else
  fuzz=(cargo "+$toolchain" fuzz)
fi

cd "$root/crates/states"
corpus="fuzz/corpus"
mkdir -p "$corpus"/{definition_and_input,jsonpath,intrinsic,jsonata}

# Seeds: every corpus definition with its input (NUL-separated), plus expressions.
cases="${REZ_CONFORMANCE_DIR:-$root/../shared/conformance/asl/cases}"
if [ -d "$cases" ] && command -v python3 >/dev/null; then
  python3 - "$cases" "$corpus/definition_and_input" <<'PY'
import json, pathlib, sys
cases, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for path in sorted(cases.rglob("*.json")):
    case = json.loads(path.read_text())
    seed = json.dumps(case["definition"]).encode() + b"\0" + json.dumps(case.get("input", {})).encode()
    (out / case["name"].replace("/", "__")).write_bytes(seed)
PY
else
  echo "fuzz: no definition seeds from the conformance corpus ($cases is not there, or python3 is missing): set REZ_CONFORMANCE_DIR; the fuzzer starts from the expressions below and what it finds" >&2
fi
seed() { printf '%s' "$2" > "$corpus/$1/seed-$(printf '%s' "$2" | cksum | cut -d' ' -f1)"; }
# shellcheck disable=SC2016 # JSONPath texts: the $ is theirs, not the shell's
for p in '$' '$.a' '$.b[5].c.d' "\$['s']" '$.items[*].id' '$..id' '$.items[?(@.id > 1)]' '$.b[-1:]' '$$.Execution.Input' '$v.x'; do
  seed jsonpath "$p"
done
for f in "States.Format('{} {}', \$.a, \$.s)" 'States.ArrayRange(1, 9, 2)' "States.StringSplit('a,b', ',')" \
  'States.JsonMerge($.b[5], $.b[5], false)' "States.Hash('x', 'SHA-256')" 'States.MathAdd($.a, -1)' \
  'States.ArrayGetItem(States.Array(1, 2), 1)' "States.Base64Decode(States.Base64Encode('é'))"; do
  seed intrinsic "$f"
done
# shellcheck disable=SC2016 # JSONata texts, likewise
for e in '$states.input.b[0]' '$sum([1, 2]) * 3' '$states.input.items[id > 1].id' '($x := 2; $x & "s")' \
  '$map([1,2], function($v){ $v * 2 })' '$partition([1,2,3], 2)' '$states.input.s ~> $uppercase()' '/a+/'; do
  seed jsonata "$e"
done

failed=()
for target in "${targets[@]}"; do
  echo "== fuzz $target for ${seconds}s"
  if ! "${fuzz[@]}" run -O "$target" "$corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1; then
    failed+=("$target")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]} (inputs under crates/states/fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s), ${seconds}s each, no crash"
