#!/usr/bin/env bash
# The project's one test command (README, .ci/run). From a fresh clone it
# installs what is missing (npm packages, the BPF toolchain), builds
# target/deploy/job_escrow.so, then runs every test: Rust unit and IDL tests,
# the TypeScript typecheck, the vitest suites that execute the built program
# in LiteSVM and solana-bankrun, and the suite against a real
# solana-test-validator (installed into a reused cache on first use, built
# in the background while the other suites run: docs/toolchain.md), after
# the mutation sample of the program's checks, effects and bounds. Ends with one "N passed, M failed"
# line (a surviving mutant counts as a failure).
set -euo pipefail
cd "$(dirname "$0")/.."
# The suites build and address the project's own program id; an operator's
# JOB_ESCROW_PROGRAM_ID (CLI default, build-time id) must not leak into them.
unset JOB_ESCROW_PROGRAM_ID

bash scripts/ensure-node-modules.sh
bash scripts/build-program.sh
mkdir -p target

# A fresh machine builds solana-test-validator from crates.io (tens of
# minutes on 2 cores). Start it now at the lowest CPU priority, so it takes
# only what the suites below leave idle, and wait for it before the suite
# that needs it.
VALIDATOR_LOG=target/setup-validator.log
validator_pid=""
if ! bash scripts/setup-validator.sh --installed >/dev/null; then
  echo "[test] solana-test-validator is not cached: building it in the background (log: $VALIDATOR_LOG)"
  nice -n 19 bash scripts/setup-validator.sh > "$VALIDATOR_LOG" 2>&1 &
  validator_pid=$!
fi

echo "[test] cargo test (host: math, pricing, IDL discriminators)"
cargo test --locked -p job_escrow 2>&1 | tee target/cargo-test.log

echo "[test] tsc --noEmit"
npx tsc --noEmit -p .

echo "[test] python unittest: the mutation tool (scripts/mutation)"
python3 -B -m unittest discover -s scripts/mutation -p 'test_*.py' 2>&1 | tee target/mutation-unittest.log

echo "[test] vitest"
status=0
npx vitest run --reporter=default --reporter=json --outputFile=target/vitest.json || status=$?

# Mutation sample (scripts/mutate.py --sample ci): one mutant of every kind
# (checks weakened, effects changed, bounds moved by one:
# scripts/mutation/samples.py), one at a time; each mutant must be killed by
# the vitest suites above (about 11 minutes on 2 cores; the full run is
# scripts/mutation-full.sh).
# Before the validator suite, so a validator build in the background has
# the most time.
echo "[test] mutation sample: a few mutants of every kind (checks, effects, bounds)"
# When the run above passed, its report is the sample's baseline (the same
# sources and test files: no second run of them).
baseline=()
[ "$status" != 0 ] || baseline=(--baseline-from target/vitest.json)
python3 scripts/mutate.py --sample ci ${baseline[@]+"${baseline[@]}"} || status=$?

echo "[test] vitest: against solana-test-validator"
if [ -n "$validator_pid" ]; then
  echo "[test] waiting for the solana-test-validator build"
  wait "$validator_pid" || { echo "[test] building solana-test-validator failed (tail of $VALIDATOR_LOG):"; tail -30 "$VALIDATOR_LOG"; }
fi
bash scripts/setup-validator.sh >/dev/null
npx vitest run --config vitest.validator.config.ts --reporter=default --reporter=json --outputFile=target/vitest-validator.json || status=$?

node -e '
const fs = require("fs");
let passed = 0, failed = 0;
for (const m of fs.readFileSync("target/cargo-test.log", "utf8").matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
  passed += Number(m[1]); failed += Number(m[2]);
}
{
  const log = fs.readFileSync("target/mutation-unittest.log", "utf8");
  const ran = Number(/^Ran (\d+) tests?/m.exec(log)?.[1] ?? 0);
  const bad = /^FAILED \(([^)]*)\)/m.exec(log)?.[1]?.match(/\d+/g)?.reduce((n, x) => n + Number(x), 0) ?? (/^OK/m.test(log) ? 0 : 1);
  if (ran === 0) { console.error("target/mutation-unittest.log: no test ran"); process.exit(1); }
  passed += ran - bad; failed += bad;
}
let skipped = 0;
for (const file of ["target/vitest.json", "target/vitest-validator.json"]) {
  const v = JSON.parse(fs.readFileSync(file, "utf8"));
  if (v.numTotalTests === 0) { console.error(`${file}: no test ran`); process.exit(1); }
  passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + v.numTodoTests;
  // A file that failed outside its tests (a hook, a crash) reports them as skipped: count the file as a failure.
  for (const f of v.testResults) if (f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")) { failed += 1; console.error(`${f.name}: failed outside its tests: ${(f.message || "").split("\n")[0]}`); }
}
const m = JSON.parse(fs.readFileSync("target/mutation-report.json", "utf8")).counts;
console.log(`mutation sample: ${m.killed} killed, ${m.survived} survived, ${m.equivalent} equivalent (not run)`);
if (m.survived > 0) failed += m.survived;
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
if (failed > 0) process.exit(1);
'
exit "$status"
