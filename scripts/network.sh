#!/usr/bin/env bash
# A local network of four validators (Alice, Bob, Charlie, Dave) on 127.0.0.1, from the `local`
# chain spec (no sudo: the council governs). Needs scripts/setup.sh and scripts/build.sh first.
#   scripts/network.sh start [--dir DIR] [--base-port 9961]  start them, print their RPC URLs
#   scripts/network.sh stop  [--dir DIR]                     stop them by process id
#   scripts/network.sh status [--dir DIR]
# DIR (default ~/.cache/bulwark/network) holds each validator's base path, log and pid file.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
exec node scripts/network.mjs "$@"
