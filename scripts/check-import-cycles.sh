#!/usr/bin/env bash
# No import cycle between the files of any crate of the workspace:
# scripts/check-import-cycles.py on each crate's src (test code left out).
# Each file of a crate imports only files below it, so a crate reads from
# its leaves up.
set -euo pipefail
cd "$(dirname "$0")/.."

# The check must see a cycle where there is one: a two-file crate whose
# files import each other.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf 'mod a;\nmod b;\n' >"$scratch/lib.rs"
printf 'use crate::b::B;\npub struct A;\n' >"$scratch/a.rs"
printf 'use crate::a::A;\npub struct B;\n' >"$scratch/b.rs"
if python3 scripts/check-import-cycles.py "$scratch" >/dev/null; then
  echo "check-import-cycles: the check missed the cycle a.rs <-> b.rs" >&2
  exit 1
fi

status=0
for src in crates/*/src functions/*/src tasks/*/src tools/*/src; do
  python3 scripts/check-import-cycles.py "$src" || status=1
done
exit "$status"
