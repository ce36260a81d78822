#!/usr/bin/env bash
# Runs the seeded runtime fuzzer (fuzz/, issue 23): `scripts/fuzz.sh [--calls N] [--seed S]
# [--jobs J]` runs J seeds (S to S + J - 1) of N calls each in parallel and prints each run's
# report (calls per second, calls by pallet and outcome, price episodes, liquidations and ADLs
# reached, and the first broken invariant with its seed, block and last calls). Exits 1 if an
# invariant broke. Built with the workspace's one cargo configuration (scripts/cargo-flags.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
# shellcheck source=scripts/cargo-flags.sh
source scripts/cargo-flags.sh
SKIP_WASM_BUILD=1 cargo build "${CARGO_FLAGS[@]}" --bin bulwark-fuzz
exec "$CARGO_TARGET_DIR/release/bulwark-fuzz" "$@"
