#!/usr/bin/env bash
# Installs the npm packages when node_modules is missing or older than the
# lockfile (a no-op otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: npm records LiteSVM's platform binaries only
  # for the platform that wrote the lockfile, and `npm ci` then refuses it.
  echo "[setup] npm install"
  npm install --no-audit --no-fund --loglevel=error
fi
