#!/usr/bin/env bash
# No import cycle between the files of any crate of the workspace:
# scripts/check-import-cycles.py on each crate's src (test code left out).
# Each file of a crate imports only files below it, so a crate reads from
# its leaves up.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
for src in crates/*/src functions/*/src tasks/*/src tools/*/src; do
  python3 scripts/check-import-cycles.py "$src" || status=1
done
exit "$status"
