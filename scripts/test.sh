#!/usr/bin/env bash
# The project's one test command (README, .ci/run). From a fresh clone it
# installs what is missing (npm packages, the BPF toolchain), builds
# target/deploy/job_escrow.so, then runs every test: Rust unit and IDL tests,
# the TypeScript typecheck, and the vitest suites that execute the built
# program in LiteSVM and solana-bankrun. Ends with one "N passed, M failed"
# line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-node-modules.sh
bash scripts/build-program.sh
mkdir -p target

echo "[test] cargo test (host: math, pricing, IDL discriminators)"
cargo test --locked -p job_escrow 2>&1 | tee target/cargo-test.log

echo "[test] tsc --noEmit"
npx tsc --noEmit -p .

echo "[test] vitest"
status=0
npx vitest run --reporter=default --reporter=json --outputFile=target/vitest.json || status=$?

node -e '
const fs = require("fs");
let passed = 0, failed = 0;
for (const m of fs.readFileSync("target/cargo-test.log", "utf8").matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
  passed += Number(m[1]); failed += Number(m[2]);
}
const v = JSON.parse(fs.readFileSync("target/vitest.json", "utf8"));
passed += v.numPassedTests; failed += v.numFailedTests;
const skipped = v.numPendingTests + v.numTodoTests;
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
if (failed > 0 || v.numTotalTests === 0) process.exit(1);
'
exit "$status"
