#!/usr/bin/env bash
# npm run demo: installs what it needs (npm packages, the BPF toolchain),
# builds the program and runs demo/demo.ts on an embedded LiteSVM.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-modules.sh
bash scripts/build-program.sh
npx esbuild demo/demo.ts --bundle --platform=node --format=esm --log-level=warning --outfile=target/demo/demo.mjs --packages=external
node target/demo/demo.mjs "$@"
