#!/usr/bin/env bash
# Crash drill on a throw-away dev chain (issue 14): three feeder bots, one keeper bot, a staked
# BTC-USD vault and 200 leveraged traders; BTC-USD falls 35% over ten oracle rounds. Prints a
# per-block report and ends with `[drill] PASS` (exit 0) or `[drill] FAIL` (exit 1).
# Needs scripts/setup.sh and scripts/build.sh first. Usage: scripts/drill.sh [--traders N] [--port P]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
if [ ! -x "${BULWARK_NODE:-$CARGO_TARGET_DIR/release/bulwark-node}" ]; then
  echo "[drill] no node binary: run ./scripts/setup.sh and ./scripts/build.sh first" >&2
  exit 1
fi
for dir in e2e bots; do
  if [ ! -d "$dir/node_modules" ]; then
    echo "[drill] $dir/node_modules missing: run ./scripts/setup.sh first" >&2
    exit 1
  fi
done
exec node scripts/drill.mjs "$@"
