#!/usr/bin/env bash
# npm run bench: builds what it needs, bundles bench/http.ts, bench/bench.ts,
# bench/jobs.ts
# (and then the validator section, bench/throughput.ts) with esbuild
# (the SDK from source) and runs it with Node.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-modules.sh
bash scripts/build-program.sh
# The HTTP section (bench/http.ts): requests per second of every public route, on LiteSVM.
npx esbuild bench/http.ts --bundle --platform=node --format=esm --log-level=warning \
  --outfile=target/bench/http.mjs --packages=external
node target/bench/http.mjs
# `npm run bench:http`: that section alone.
[ "${1:-}" = http ] && exit 0
npx esbuild bench/bench.ts --bundle --platform=node --format=esm --log-level=warning \
  --outfile=target/bench/bench.mjs --packages=external
# bankrun logs every instruction at debug level unless told otherwise.
RUST_LOG=${RUST_LOG:-error} node target/bench/bench.mjs
# The job-slot section (bench/jobs.ts): CU per job against the floor, jobs and fees per transaction on the batched path, x402 lamports per request.
npx esbuild bench/jobs.ts --bundle --platform=node --format=esm --log-level=warning \
  --outfile=target/bench/jobs.mjs --packages=external
node target/bench/jobs.mjs
# The validator section (bench/throughput.ts): needs solana-test-validator.
bash scripts/setup-validator.sh >/dev/null
npx esbuild bench/throughput.ts --bundle --platform=node --format=esm --log-level=warning \
  --outfile=target/bench/throughput.mjs --packages=external
node target/bench/throughput.mjs
