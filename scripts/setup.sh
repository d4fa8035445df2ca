#!/usr/bin/env bash
# Prepares a fresh Debian machine with Node 20 for Chronicle: Debian's Chromium (tests and the
# benchmark drive it; Playwright's own browser download does not work here), pnpm 12.21 and the
# lockfile's packages. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "setup: installing Debian's chromium"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

if ! command -v pnpm >/dev/null || [ "$(pnpm --version 2>/dev/null)" != "12.21.0" ]; then
  echo "setup: installing pnpm 12.21.0"
  as_root npm install --global --silent pnpm@12.21.0
fi

# better-sqlite3 compiles from source here and must use the machine's Node headers.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
echo "setup: installing packages from the lockfile"
pnpm install --frozen-lockfile --reporter=append-only | tail -n 3
