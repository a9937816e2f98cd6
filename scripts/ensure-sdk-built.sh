#!/usr/bin/env bash
# Builds sdk/dist with tsup only when it is missing or older than a source
# file, so `npm run job-escrow` / `npm run serve-pay` start at once.
set -euo pipefail
cd "$(dirname "$0")/.."
STAMP=sdk/dist/job-escrow.js
if [ ! -f "$STAMP" ] || [ -n "$(find sdk/src sdk/tsup.config.ts sdk/package.json -newer "$STAMP" -print -quit)" ]; then
  (cd sdk && npx tsup --silent)
fi
