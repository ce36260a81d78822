#!/usr/bin/env bash
# A first trade in one command: a dev chain (or a running one, --url), a staked vault, three
# oracle feeders, a keeper, a deposit and an order, each step printed, then the account's health;
# the chain keeps running for polkadot.js Apps until Ctrl-C. Run ./scripts/setup.sh and
# ./scripts/build.sh first (README "Two commands"). Options: ./scripts/demo.sh --help.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
for dir in client examples bots; do
  if [ ! -d "$dir/node_modules" ]; then
    echo "[demo] $dir/node_modules is missing: run ./scripts/setup.sh first" >&2; exit 1
  fi
done
if [ ! -x "${BULWARK_NODE:-$CARGO_TARGET_DIR/release/bulwark-node}" ] && ! printf '%s\n' "$@" | grep -q -- '^--\(url\|help\)'; then
  echo "[demo] no bulwark-node at $CARGO_TARGET_DIR/release/bulwark-node: run ./scripts/build.sh first" >&2; exit 1
fi
exec node scripts/demo.mjs "$@"
