#!/usr/bin/env bash
# Builds the risk dashboard (dashboard/, a static web app) and serves it on a loopback port,
# printing its URL. The page reads the node at --node (default ws://127.0.0.1:9944: a
# ./scripts/dev.sh or ./scripts/demo.sh chain). Ctrl-C stops the server.
#   ./scripts/dashboard.sh [--port 8080] [--node ws://127.0.0.1:9944]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d dashboard/node_modules ] || [ ! -d client/node_modules ]; then
  echo "[dashboard] npm packages missing: run ./scripts/setup.sh first" >&2; exit 1
fi
node dashboard/build.mjs
exec node dashboard/serve.mjs "$@"
