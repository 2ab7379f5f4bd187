#!/usr/bin/env bash
# Runs shellcheck (Debian's package; installed with apt-get when missing)
# over every shell script the repository tracks: *.sh files and files whose
# first line names bash or sh. Every finding, of any severity, fails.
# Last line: "shellcheck: N scripts clean" or "shellcheck: N of M scripts with findings".
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/apt.sh
. scripts/lib/apt.sh
if ! command -v shellcheck >/dev/null; then
  printf '\n==> installing shellcheck (Debian)\n'
  apt_install shellcheck
fi
echo "shellcheck: $(shellcheck --version | sed -n 's/^version: //p') (Debian package shellcheck $(debian_version shellcheck))"

scripts=()
while IFS= read -r -d '' file; do
  case $file in
    *.sh) scripts+=("$file") ;;
    *) head -n 1 "$file" 2>/dev/null | grep -qE '^#!.*[/ ](ba)?sh([[:space:]]|$)' && scripts+=("$file") ;;
  esac
done < <(git ls-files -z)

flagged=0
for script in "${scripts[@]}"; do
  shellcheck --external-sources "$script" || flagged=$((flagged + 1))
done
if [ "$flagged" -eq 0 ]; then
  echo "shellcheck: ${#scripts[@]} scripts clean"
else
  echo "shellcheck: $flagged of ${#scripts[@]} scripts with findings"
  exit 1
fi
