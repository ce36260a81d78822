#!/usr/bin/env bash
# Release build of the whole workspace and `bulwark-node`.
#
# One configuration serves everything: the dev chain, the unit tests (`cargo test --release` with
# the same features reuses every compiled dependency) and weight generation (`benchmark pallet`
# needs `runtime-benchmarks`). A cold build on a 2-core machine takes tens of minutes; later builds
# are incremental because the target directory lives outside the clone.
#
# Every build also makes the production runtime (no benchmarks, no try-runtime, no sudo; the
# metadata hash compiled in: `BULWARK_PRODUCTION_WASM` in scripts/cargo-flags.sh), the runtime a
# public chain's spec carries (`scripts/testnet.sh spec`); `--production` prints its path and
# blake2-256 hash.
set -euo pipefail
cd "$(dirname "$0")/.."
production=0
for arg in "$@"; do
  case "$arg" in
    --production) production=1 ;;
    *) echo "usage: $0 [--production]" >&2; exit 2 ;;
  esac
done
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
# shellcheck source=scripts/cargo-flags.sh
source scripts/cargo-flags.sh

start=$(date +%s)
if [ ! -x "$CARGO_TARGET_DIR/release/bulwark-node" ]; then
  echo "[build] cold build: about 25 minutes on 2 cores (measured); progress follows"
fi
cargo build "${CARGO_FLAGS[@]}"
echo "[build] done in $(( $(date +%s) - start ))s: $CARGO_TARGET_DIR/release/bulwark-node"
if [ "$production" = 1 ]; then
  wasm="$CARGO_TARGET_DIR/release/wbuild/bulwark-runtime/bulwark_runtime_production.compact.compressed.wasm"
  echo "[build] production runtime: $wasm"
  echo "[build] blake2-256: 0x$(b2sum -l 256 "$wasm" | cut -d" " -f1)"
fi
