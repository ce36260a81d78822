#!/usr/bin/env bash
# Sets up the machine, builds, and runs a development chain: `bulwark-node --dev` (Alice validates
# alone, Aura + GRANDPA, ParityDB, RPC on 127.0.0.1:9944). Extra arguments go to the node, e.g.
# `./scripts/dev.sh --base-path /tmp/bulwark` to keep the chain between runs (default: temporary).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"

./scripts/setup.sh
./scripts/build.sh
echo "[dev] starting bulwark-node --dev; RPC ws://127.0.0.1:9944; Ctrl-C stops it"
exec "$CARGO_TARGET_DIR/release/bulwark-node" --dev --rpc-port 9944 "$@"
