#!/usr/bin/env bash
# Creates the Python virtualenv at the repository root (.venv) with the pinned
# moto server the rez-aws integration tests run against. Idempotent: a venv that
# already has this exact pin is left alone; a missing, broken or outdated one is
# (re)built. Needs only python3 with its venv module and network access to PyPI.
#
#   scripts/setup-python.sh        # then: cargo test -p rez-aws
set -euo pipefail
cd "$(dirname "$0")/.."

# The one pin. moto 5.2.x serves DynamoDB (transactions, GSIs, conditional
# writes), SNS → SQS raw delivery and SSM SecureString on one port.
MOTO_PIN="moto[server]==5.2.5"

VENV=.venv
STAMP="$VENV/.rez-python-pins"

if [ -x "$VENV/bin/moto_server" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$MOTO_PIN" ] \
  && "$VENV/bin/python" -c 'import moto.server' >/dev/null 2>&1; then
  echo "$VENV is up to date ($MOTO_PIN)"
  exit 0
fi

PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "python3 is required (set PYTHON to use another interpreter)" >&2
  exit 1
fi

echo "creating $VENV with $MOTO_PIN"
rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV"; then
  echo "'$PYTHON -m venv' failed: on Debian/Ubuntu install the python3-venv package" >&2
  exit 1
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$MOTO_PIN"
printf '%s' "$MOTO_PIN" > "$STAMP"
echo "$VENV ready ($MOTO_PIN)"
