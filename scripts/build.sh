#!/usr/bin/env bash
# Release build of the whole workspace and `bulwark-node`.
#
# One configuration serves everything: the dev chain, the unit tests (`cargo test --release` with
# the same features reuses every compiled dependency) and weight generation (`benchmark pallet`
# needs `runtime-benchmarks`). A cold build on a 2-core machine takes tens of minutes; later builds
# are incremental because the target directory lives outside the clone.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
# shellcheck source=scripts/cargo-flags.sh
source scripts/cargo-flags.sh

start=$(date +%s)
if [ ! -x "$CARGO_TARGET_DIR/release/bulwark-node" ]; then
  echo "[build] cold build: about 25 minutes on 2 cores (measured); progress follows"
fi
cargo build "${CARGO_FLAGS[@]}"
echo "[build] done in $(( $(date +%s) - start ))s: $CARGO_TARGET_DIR/release/bulwark-node"
