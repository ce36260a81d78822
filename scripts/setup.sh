#!/usr/bin/env bash
# Idempotent machine setup for Bulwark: installs only what is missing and says what it does.
#   - Debian packages: protobuf-compiler (prost-build in litep2p/sc-network), clang (bindgen),
#     make/perl/pkg-config (vendored OpenSSL in litep2p webrtc), curl, jq.
#   - Rust: wasm32v1-none and wasm32-unknown-unknown targets, rust-src.
#   - Debian's chromium, for the dashboard's browser test.
#   - npm packages of the shared client (client/), the end-to-end suite (e2e/), the bots (bots/),
#     the examples (examples/) and the dashboard (dashboard/), each pinned by its package-lock.json.
# It needs, and checks for, Rust through rustup (https://rustup.rs) and Node.js >= 20.10.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v perl >/dev/null 2>&1 || need_apt+=(perl)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
# The dashboard's e2e test drives Debian's Chromium, headless (puppeteer-core).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
else
  say "Debian packages present (protoc, clang, make, perl, pkg-config, curl, jq, chromium)"
fi

if ! command -v cargo >/dev/null 2>&1; then
  say "cargo not found: install Rust with rustup first (https://rustup.rs)"; exit 1
fi
installed_targets=$(rustup target list --installed)
for t in wasm32v1-none wasm32-unknown-unknown; do
  if ! grep -qx "$t" <<<"$installed_targets"; then
    say "adding rust target $t"; rustup target add "$t"
  fi
done
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding rust component rust-src"; rustup component add rust-src
fi
say "rust $(rustc --version | cut -d' ' -f2) with wasm32v1-none, wasm32-unknown-unknown, rust-src"

# Node.js >= 20.10 (the suite runs `node --test --test-concurrency`, new in 20.10) with npm.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "node or npm not found: install Node.js >= 20.10 (https://nodejs.org) for the end-to-end tests and the bots"; exit 1
fi
IFS=. read -r node_major node_minor _ <<<"$(node --version | tr -d v)"
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 10 ]; }; then
  say "Node.js $(node --version) is too old: install Node.js >= 20.10 (https://nodejs.org)"; exit 1
fi
say "node $(node --version)"

# client/ first: bots/ links it (`file:../client`), and it resolves its own dependencies.
for dir in client e2e bots examples dashboard; do
  [ -f "$dir/package.json" ] || continue
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "installing $dir npm packages (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    say "$dir npm packages present"
  fi
done
say "done"
