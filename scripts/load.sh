#!/usr/bin/env bash
# Block capacity on a throw-away dev node (issue 14): per-block counts of bUSD transferKeepAlive,
# margin.placeOrder (and the orders the hook executes) and margin.liquidate with the block's weight and length use, and their ratios to
# transfers. Needs scripts/setup.sh and scripts/build.sh first. With --network, on the `local`
# chain's four validators instead, with each block's authoring, import and finality times.
# Usage: scripts/load.sh [--network] [--accounts 3000] [--keepers 4] [--port 9971] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
if [ ! -x "${BULWARK_NODE:-$CARGO_TARGET_DIR/release/bulwark-node}" ] || [ ! -d e2e/node_modules ]; then
  echo "[load] run ./scripts/setup.sh and ./scripts/build.sh first" >&2
  exit 1
fi
exec node scripts/load.mjs "$@"
