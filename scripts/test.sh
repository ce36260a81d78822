#!/usr/bin/env bash
# Sets up the machine, builds, runs every unit test, then the end-to-end suite against a fresh
# `bulwark-node --dev --tmp` (started and stopped by the suite itself).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
# shellcheck source=scripts/cargo-flags.sh
source scripts/cargo-flags.sh

start=$(date +%s)
./scripts/setup.sh
./scripts/build.sh --production

echo "[test] unit tests"
cargo test "${CARGO_FLAGS[@]}"

echo "[test] client and bot units (client/test, bots/test)"
node --test client/test/ bots/test/

echo "[test] end-to-end suite (e2e/*.test.mjs)"
(cd e2e && node --test --test-concurrency=1 ./*.test.mjs)

echo "[test] all passed in $(( $(date +%s) - start ))s"
