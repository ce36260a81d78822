#!/usr/bin/env bash
# Checks this runtime's upgrade against a chain's state (issue 24, item 6):
#   1. builds the runtime with `--features try-runtime` (its own target directory,
#      $HOME/.cache/bulwark/target-try-runtime: the node's wasm is never touched);
#   2. installs chopsticks (scripts/chopsticks, pinned by its package-lock.json) on first use;
#   3. scripts/upgrade-check.mjs: unless --endpoint is given, starts a throw-away dev node (of the
#      built bulwark-node, or --old-node BIN: a previous release's binary, whose state is the old
#      layout) and fills its state with the crash drill, a pending slash, unbonding chunks and an
#      open council motion; then runs chopsticks' try-runtime: the runtime's migrations with
#      their pre/post-upgrade checks, then every pallet's try_state.
# Prints each migration applied and each pallet's try_state; exits 1 if any failed.
#
#   scripts/upgrade-check.sh [--endpoint ws://HOST:PORT | --old-node BIN] [--runtime WASM] [--port 9957]
#
# For a release, point --endpoint at a node of the live chain (its spec_version must be lower
# than this runtime's; see docs/upgrades.md). Needs scripts/setup.sh and scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
TRY_TARGET="${TRY_RUNTIME_TARGET_DIR:-$HOME/.cache/bulwark/target-try-runtime}"
say() { printf '[upgrade-check] %s\n' "$*"; }

args=("$@")
runtime=""
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = --runtime ] && runtime="${args[$((i + 1))]:-}"
done
if [ -z "$runtime" ]; then
  say "building the runtime with --features try-runtime in $TRY_TARGET"
  started=$(date +%s)
  # The try-runtime wasm only: no production runtime in this target directory.
  env -u BULWARK_PRODUCTION_WASM CARGO_TARGET_DIR="$TRY_TARGET" cargo build --locked --release -p bulwark-runtime --features try-runtime
  runtime="$TRY_TARGET/release/wbuild/bulwark-runtime/bulwark_runtime.compact.compressed.wasm"
  say "built $runtime in $(( $(date +%s) - started )) s"
  args+=(--runtime "$runtime")
fi
if ! printf '%s\n' "${args[@]}" | grep -qx -- --endpoint; then
  ./scripts/build.sh
fi
if [ ! -x scripts/chopsticks/node_modules/.bin/chopsticks ]; then
  say "installing chopsticks (npm ci in scripts/chopsticks)"
  (cd scripts/chopsticks && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node scripts/upgrade-check.mjs "${args[@]}"
