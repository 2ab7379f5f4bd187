#!/usr/bin/env bash
# Checks the Lambda packages that scripts/build-lambdas.sh made in build/:
#
#   * each zip holds exactly one entry, `bootstrap`, with mode 0755;
#   * the bootstrap is an ELF executable for the architecture (ARCH, default
#     x86_64) whose highest required GLIBC_ symbol version is at most 2.34,
#     the glibc of provided.al2023 (read with objdump -T, from binutils);
#   * its size: the goal is under 3 MB per zip (a larger one is reported;
#     MAX_ZIP_BYTES=n makes it fail);
#   * reproducibility: the packages are built twice more, into two scratch
#     directories, and must be byte-identical. By default the second build
#     reuses cargo's artifacts (so it checks the packing: fixed timestamps,
#     one entry, fixed modes); REBUILD=1 deletes the lambda profile's
#     artifacts in between, so the binaries themselves are compiled again
#     (path prefixes are remapped, so the checkout's location does not leak
#     into them).
#
#   scripts/build-lambdas.sh && scripts/check-lambdas.sh
set -euo pipefail
cd "$(dirname "$0")/.."

GLIBC_MAX=2.34
GOAL_BYTES=3000000 # 3 MB in decimal units, the stricter reading of the goal (3 MiB = 3,145,728)
FUNCTIONS=(scheduler processor webapi load-message send-notification record-status)
ARCH="${ARCH:-x86_64}"
case "$ARCH" in
  x86_64 | amd64) ELF_MACHINE="Advanced Micro Devices X86-64"; ARCH=x86_64 ;;
  arm64 | aarch64) ELF_MACHINE="AArch64"; ARCH=arm64 ;;
  *) echo "ARCH must be x86_64 or arm64, not '$ARCH'" >&2; exit 1 ;;
esac
OUT="${OUT:-build}"
for tool in objdump readelf unzip python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is required (binutils, unzip, python3)" >&2; exit 1; }
done

failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

printf '%-18s %10s %12s  %-10s %s\n' function zip bootstrap "max glibc" sha256
for f in "${FUNCTIONS[@]}"; do
  zip="$OUT/$f.zip"
  [ -f "$zip" ] || { fail "$zip is missing: run scripts/build-lambdas.sh"; continue; }

  entries="$(python3 -c 'import sys, zipfile; print(" ".join(f"{i.filename}:{(i.external_attr >> 16) & 0o777:o}" for i in zipfile.ZipFile(sys.argv[1]).infolist()))' "$zip")"
  [ "$entries" = "bootstrap:755" ] || fail "$zip must hold only bootstrap (0755), holds: $entries"

  unzip -q -o "$zip" bootstrap -d "$scratch/$f"
  bin="$scratch/$f/bootstrap"
  machine="$(readelf -h "$bin" | sed -n 's/^ *Machine: *//p')"
  [ "$machine" = "$ELF_MACHINE" ] || fail "$f is built for '$machine', not $ARCH"
  readelf -h "$bin" | grep -q 'Type: *\(EXEC\|DYN\)' || fail "$f is not an executable"

  glibc="$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)"
  [ -n "$glibc" ] || glibc="none"
  if [ "$glibc" != none ] && [ "$(printf '%s\n%s\n' "$glibc" "$GLIBC_MAX" | sort -V | tail -n1)" != "$GLIBC_MAX" ]; then
    fail "$f needs GLIBC_$glibc, above $GLIBC_MAX (provided.al2023)"
  fi

  size="$(stat -c %s "$zip")"
  printf '%-18s %10s %12s  %-10s %s\n' "$f" "$size" "$(stat -c %s "$bin")" "$glibc" "$(sha256sum "$zip" | cut -c1-16)"
  if [ "$size" -gt "$GOAL_BYTES" ]; then
    echo "note: $zip is $size bytes, above the 3 MB goal" >&2
  fi
  if [ -n "${MAX_ZIP_BYTES:-}" ] && [ "$size" -gt "$MAX_ZIP_BYTES" ]; then
    fail "$zip is $size bytes, above MAX_ZIP_BYTES=$MAX_ZIP_BYTES"
  fi
done

echo
echo "reproducibility: building twice more" >&2
OUT="$scratch/first" ARCH="$ARCH" ./scripts/build-lambdas.sh >/dev/null
if [ "${REBUILD:-0}" = 1 ]; then
  echo "reproducibility: deleting the lambda profile's artifacts before the second build" >&2
  rm -rf "${CARGO_TARGET_DIR:-target}/lambda-$ARCH" "${CARGO_TARGET_DIR:-target}"/*-unknown-linux-gnu/lambda
fi
OUT="$scratch/second" ARCH="$ARCH" ./scripts/build-lambdas.sh >/dev/null
for f in "${FUNCTIONS[@]}"; do
  if ! cmp -s "$scratch/first/$f.zip" "$scratch/second/$f.zip"; then
    fail "$f.zip differs between two builds"
  fi
done

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "all ${#FUNCTIONS[@]} packages: one executable bootstrap, glibc <= $GLIBC_MAX, reproducible"
