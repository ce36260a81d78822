#!/usr/bin/env bash
# A public testnet from fresh keys: keys, raw chain spec (the production runtime), validators
# started with their keys inserted, and stopped. See README "Launch a testnet".
#   scripts/testnet.sh keys N [--dir DIR] [--council M]
#   scripts/testnet.sh spec [--dir DIR] [--wasm FILE] [--host IP] [--p2p-port 30333]
#   scripts/testnet.sh start [--dir DIR] [--rpc-port 9944] [--p2p-port 30333] [--prometheus-port 9615]
#   scripts/testnet.sh stop [--dir DIR]
#   scripts/testnet.sh status [--dir DIR] [--rpc-port 9944]
# DIR defaults to ~/.local/share/bulwark-testnet. Needs ./scripts/build.sh --production first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
exec node scripts/testnet.mjs "$@"
