#!/usr/bin/env bash
# Builds the six Lambda functions for the provided.al2023 runtime and packs
# each into build/<function>.zip holding one executable `bootstrap`:
#
#   build/{scheduler,processor,webapi,load-message,send-notification,record-status}.zip
#
#   scripts/build-lambdas.sh               # x86_64 (the default)
#   ARCH=arm64 scripts/build-lambdas.sh    # Graviton (arm64)
#   OUT=dir scripts/build-lambdas.sh       # zips somewhere else than build/
#   ONLY="webapi load-message" scripts/build-lambdas.sh   # some functions only
#
# How: cargo-lambda (pinned below) cross-links with Zig against glibc 2.34,
# the oldest glibc the binaries may need (al2023 ships 2.34), so the result
# runs there whatever this machine's glibc is. Both tools come from PyPI into
# a private venv (target/lambda-tools): cargo-lambda's own PyPI wheel is the
# prebuilt release binary (seconds, instead of a many-minute
# `cargo install --locked cargo-lambda@$CARGO_LAMBDA_VERSION`, which this
# script falls back to when pip cannot install it), and `ziglang` carries
# the zig compiler, linked into the venv's bin/ so cargo-lambda finds `zig`
# on PATH.
#
# The binaries use the `lambda` profile, defined here through CARGO_PROFILE_*
# variables (it inherits `release`): fat LTO, one codegen unit, stripped
# symbols, opt-level "z" (LAMBDA_OPT_LEVEL overrides it). Measured on
# 2026-11-30, x86_64: "z" makes the zips 7 % smaller than "s" (webapi
# 5 079 710 -> 4 725 914 bytes, load-message 4 409 974 -> 4 123 678), and
# start-up to the first Runtime API call stays within noise (2-7 ms either
# way); the handlers wait on DynamoDB, SNS and ntfy, not on the CPU, and
# the crypto's hot paths are assembly. panic stays "unwind": lambda_runtime catches a
# handler panic and reports it as the invocation's error, and the web API's
# catch-panic layer turns one into a 500; with "abort" either would kill the
# container instead.
#
# Size: every zip is under 3 MB (3,000,000 bytes). Measured on 2026-11-30,
# x86_64, opt-level "z", bytes (the SDK's default features, PIE, zlib -9 ->
# one TLS stack, static, libdeflate -> also without aws-config and, for
# webapi, without the graph renderer):
#
#   scheduler           4 508 537 (at "s") -> 2 606 165 -> 2 358 420
#   processor           4 228 067 (at "s") -> 2 378 677 -> 2 006 793
#   webapi              4 725 914          -> 3 145 198 -> 2 858 186
#   load-message        4 123 678          -> 2 520 963 -> 2 237 711
#   send-notification   4 742 266 (at "s") -> 2 736 270 -> 2 454 872
#   record-status       4 431 493 (at "s") -> 2 540 578 -> 2 264 086
#
# What made the difference, webapi / load-message zips:
#   * one HTTP/TLS stack and one crypto library: the AWS SDK crates without
#     default features (no hyper 0.14 + rustls 0.21 legacy client, no
#     aws-lc-rs client, no SSO), and rez_aws::https_client, the SDK's hyper 1
#     + rustls client with ring, which reqwest (ntfy) uses too:
#     4 725 914 -> 3 284 795 / 4 123 678 -> 2 680 178. The functions'
#     packages are selected with -p: with only --bin cargo would unify the
#     features of every workspace member, rez-aws's default one (the SDK's
#     aws-lc-rs client) included, and aws-lc stayed in every zip;
#   * -C relocation-model=static (below): about -100 kB each;
#   * libdeflate level 12 instead of zlib -9: about -3 % each;
#   * rez_aws::load_sdk_config reads the Lambda environment itself instead of
#     running aws-config's credential chain, whose providers (profiles, SSO,
#     web identity and its STS client, IMDS) never run in Lambda: ~270 kB of
#     binary, 250-370 kB of zip each; webapi also leaves out the state
#     machine drawing (feature `graph`, only `rez-agent up` serves it).
# What is left, webapi's binary (LAMBDA_STRIP=none and `nm -S --size-sort`
# show it by crate): the SDK (the smithy runtime, the DynamoDB, SNS and SSM
# clients, which each link every error shape of their service through the
# error type registry, about 250 kB for SSM), h2 (the SDK's client always
# offers HTTP/2; ~260 kB), rustls + ring, axum + lambda_http (with
# encoding_rs, 155 kB), tracing-subscriber's env filter with regex (~150 kB,
# lambda_runtime's default subscriber) and the unwind tables panic =
# "unwind" needs.
#
# The zips are reproducible: the one entry is written with a fixed timestamp
# (1980-01-01), fixed permissions (0755) and no extra fields, so the same
# binaries give byte-identical zips, and the binaries carry no build paths.
#
# arm64 needs the Rust standard library for aarch64-unknown-linux-gnu
# (`rustup target add aarch64-unknown-linux-gnu`, which fetches from the
# Rust distribution server: install it where that is reachable); Zig itself
# cross-links for arm64 with no other tools. The functions must then be
# created with architectures = ["arm64"].
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_VERSION=0.17.1
DEFLATE_VERSION=0.9.0 # PyPI `deflate`: libdeflate, which packs the zips
GLIBC_VERSION=2.34
FUNCTIONS=(scheduler processor webapi load-message send-notification record-status)
if [ -n "${ONLY:-}" ]; then
  read -ra FUNCTIONS <<<"$ONLY"
fi

ARCH="${ARCH:-x86_64}"
case "$ARCH" in
  x86_64 | amd64) RUST_TARGET=x86_64-unknown-linux-gnu ;;
  arm64 | aarch64) RUST_TARGET=aarch64-unknown-linux-gnu ;;
  *) echo "ARCH must be x86_64 or arm64, not '$ARCH'" >&2; exit 1 ;;
esac
OUT="${OUT:-build}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
TOOLS="$TARGET_DIR/lambda-tools"

step() { printf '\n==> %s\n' "$*" >&2; }

# --- tools: cargo-lambda and zig, pinned, in their own venv -------------------
install_tools() {
  local stamp="$TOOLS/.pins" pins="cargo-lambda==$CARGO_LAMBDA_VERSION ziglang==$ZIGLANG_VERSION deflate==$DEFLATE_VERSION"
  if [ -x "$TOOLS/bin/cargo-lambda" ] && [ -x "$TOOLS/bin/zig" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pins" ]; then
    return
  fi
  step "installing $pins into $TOOLS"
  # A working venv is updated in place (pip installs the pins), a broken one
  # is made anew.
  "$TOOLS/bin/python" -c '' 2>/dev/null || { rm -rf "$TOOLS"; python3 -m venv "$TOOLS"; }
  "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check \
    "ziglang==$ZIGLANG_VERSION" "deflate==$DEFLATE_VERSION"
  if ! "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check \
      "cargo-lambda==$CARGO_LAMBDA_VERSION" "ziglang==$ZIGLANG_VERSION"; then
    step "no cargo-lambda wheel for this machine: compiling it from crates.io (takes a while)"
    cargo install --locked --root "$TOOLS" "cargo-lambda@$CARGO_LAMBDA_VERSION"
  fi
  ln -sf "$("$TOOLS/bin/python" -c 'import ziglang, os; print(os.path.dirname(ziglang.__file__))')/zig" "$TOOLS/bin/zig"
  printf '%s' "$pins" > "$stamp"
}

install_tools
tools_bin=$(cd "$TOOLS/bin" && pwd) # CARGO_TARGET_DIR may be relative or absolute
export PATH="$tools_bin:$PATH"
command -v zip >/dev/null 2>&1 || true # not needed: the zips are written by Python

if ! rustup target list --installed 2>/dev/null | grep -qx "$RUST_TARGET"; then
  echo "the Rust standard library for $RUST_TARGET is not installed: rustup target add $RUST_TARGET" >&2
  exit 1
fi

# --- the lambda profile ---------------------------------------------------------
export CARGO_PROFILE_LAMBDA_INHERITS=release
export CARGO_PROFILE_LAMBDA_LTO="${LAMBDA_LTO:-fat}"
export CARGO_PROFILE_LAMBDA_CODEGEN_UNITS=1
export CARGO_PROFILE_LAMBDA_STRIP="${LAMBDA_STRIP:-symbols}" # LAMBDA_STRIP=none keeps them, to see what takes the room
export CARGO_PROFILE_LAMBDA_OPT_LEVEL="${LAMBDA_OPT_LEVEL:-z}"
export CARGO_PROFILE_LAMBDA_PANIC=unwind
export CARGO_PROFILE_LAMBDA_DEBUG=false
export CARGO_PROFILE_LAMBDA_INCREMENTAL=false
# Reproducible binaries: no build paths in panic messages and debug remnants.
rustflags=("--remap-path-prefix=$PWD=/rez-agent" "--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo")
# A position-dependent executable (LAMBDA_PIE=1 keeps the default PIE): no
# run-time relocation table (~575 kB in the webapi binary, ~100 kB of each
# zip) and no relocating at start-up; the price is a fixed load address for
# the binary's own code and data (the stack, heap and libc stay randomized).
if [ "${LAMBDA_PIE:-0}" != 1 ]; then
  rustflags+=("-Crelocation-model=static")
fi
CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; printf '%s' "${rustflags[*]}")"
export CARGO_ENCODED_RUSTFLAGS

# --- build ------------------------------------------------------------------------
step "building ${FUNCTIONS[*]} for $RUST_TARGET (glibc $GLIBC_VERSION), profile lambda, opt-level $CARGO_PROFILE_LAMBDA_OPT_LEVEL"
# Each function's package is selected by name (-p rez-<function>): with only
# --bin, cargo selects every workspace member and unifies their features, and
# rez-aws's default feature (the SDK's own HTTPS client, on aws-lc-rs) would
# end up in every zip beside the ring client the functions use.
bins=()
for f in "${FUNCTIONS[@]}"; do bins+=(-p "rez-$f" --bin "$f"); done
LAMBDA_DIR="$TARGET_DIR/lambda-$ARCH"
cargo lambda build --locked --profile lambda --target "$RUST_TARGET.$GLIBC_VERSION" \
  --lambda-dir "$LAMBDA_DIR" "${bins[@]}"

# --- package ----------------------------------------------------------------------
step "packing $OUT/<function>.zip"
mkdir -p "$OUT"
"$TOOLS/bin/python" - "$LAMBDA_DIR" "$OUT" "${FUNCTIONS[@]}" <<'PY'
import os, struct, sys, zlib

import deflate  # libdeflate

lambda_dir, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
NAME = b"bootstrap"
DOS_DATE, DOS_TIME = (1980 - 1980) << 9 | 1 << 5 | 1, 0  # 1980-01-01 00:00
UNIX_0755 = 0o100755 << 16  # a regular file, rwxr-xr-x
for name in names:
    binary = os.path.join(lambda_dir, name, "bootstrap")
    with open(binary, "rb") as f:
        data = f.read()
    # Raw deflate at libdeflate's highest level (12): about 3 % smaller than
    # zlib's level 9, and any unzip (Lambda's too) inflates it.
    packed = deflate.deflate_compress(data, 12)
    if zlib.decompress(packed, -15) != data:
        sys.exit(f"{name}: the deflated bootstrap does not inflate to the binary")
    crc = zlib.crc32(data)
    # One entry, no extra fields, no data descriptor: a local header, the
    # data, one central directory record, the end record.
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, DOS_TIME, DOS_DATE,
                        crc, len(packed), len(data), len(NAME), 0) + NAME
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 3 << 8 | 20, 20, 0, 8,
                          DOS_TIME, DOS_DATE, crc, len(packed), len(data), len(NAME),
                          0, 0, 0, 0, UNIX_0755, 0) + NAME
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + len(packed), 0)
    path = os.path.join(out, f"{name}.zip")
    tmp = path + ".tmp"
    with open(tmp, "wb") as z:
        z.write(local + packed + central + end)
    os.replace(tmp, path)
    print(f"{path}: {os.path.getsize(path)} bytes (bootstrap {len(data)} bytes)")
PY
