#!/usr/bin/env bash
# The Anchor door as a dApp developer gets it: `npm pack` of sdk/ (its prepack builds
# the program and the SDK), installed into a fresh temporary project with only
# its declared dependencies and peers, then tests/sdk/consumer/lifecycle.ts
# compiled with `tsc --strict` (no skipLibCheck) as ESM and as CommonJS and
# run RUNS times each (default 20) in fresh Node processes through the test
# kit; then the top-up server's page and its browser bundle, and the x402
# entry with its optional peers, ESM and CJS. Prints one JSON line of counts
# and "sdk package: ok" on success.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/user-env.sh
ROOT=$PWD
RUNS=${RUNS:-20}
TARBALL=$(bash scripts/pack.sh sdk)
CONSUMER=$(mktemp -d)
trap 'rm -rf "$CONSUMER"' EXIT
cp tests/sdk/consumer/tsconfig.json "$CONSUMER/"
cp tests/sdk/consumer/lifecycle.ts "$CONSUMER/lifecycle.mts"
cp tests/sdk/consumer/lifecycle.ts "$CONSUMER/lifecycle.cts"
cd "$CONSUMER"
npm init -y >/dev/null
# The SDK, its peers as an app would have them (litesvm for the test kit),
# and the compiler. Nothing from the repository's node_modules.
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$TARBALL" @solana/web3.js@1.98.4 @coral-xyz/anchor@0.32.1 litesvm@1.5.0 typescript@5.9.3 @types/node@20.19.0 >/dev/null
if [ -n "$(find node_modules -name 'x87guard*' -print -quit)" ]; then echo "a native guard is installed" >&2; exit 1; fi
npx tsc -p tsconfig.json
# One process may load both builds (an ESM app with a CJS dependency):
# errors made by either are recognised by the other.
node --input-type=module -e "
import { createRequire } from 'node:module';
import * as esm from '@job-escrow/sdk';
const cjs = createRequire(import.meta.url)('@job-escrow/sdk');
if (cjs.JobEscrowError === esm.JobEscrowError) throw new Error('expected two builds');
const fromCjs = new cjs.JobEscrowError(esm.JobEscrowErrorCode.Paused);
if (!(fromCjs instanceof esm.JobEscrowError) || !esm.isJobEscrowError(fromCjs, esm.JobEscrowErrorCode.Paused)) throw new Error('a CJS error is not recognised by the ESM build');
if (!cjs.isJobEscrowError(new esm.JobEscrowError(6016), 6016)) throw new Error('an ESM error is not recognised by the CJS build');
"
crashes=0; passed=0
for kind in mjs cjs; do
  for i in $(seq 1 "$RUNS"); do
    if node "out/lifecycle.$kind" > run.log 2>&1; then
      passed=$((passed + 1))
    else
      crashes=$((crashes + 1)); echo "--- $kind run $i failed:" >&2; tail -20 run.log >&2
    fi
  done
done
# The top-up server from the tarball serves its page and the page's browser
# bundle (shipped in dist/, found next to the server's own module), ESM and CJS.
cat > page.mjs <<'JS'
import { createTestWorld } from '@job-escrow/sdk/testing';
import { createTopUpServer } from '@job-escrow/sdk/server';
const world = createTestWorld();
const server = createTopUpServer({ client: world.client(world.operator) });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const page = await fetch(`${base}/topup`);
const script = await fetch(`${base}/topup.js`);
const body = await script.text();
server.close();
if (page.status !== 200 || !(await page.text()).includes('src="/topup.js"')) throw new Error(`page: ${page.status}`);
if (script.status !== 200 || body.length < 2000) throw new Error(`/topup.js: ${script.status}, ${body.length} bytes`);
console.log(`page ok: /topup.js ${body.length} bytes`);
JS
node page.mjs
sed -e "s#^import { createTestWorld } from '@job-escrow/sdk/testing';#const { createTestWorld } = require('@job-escrow/sdk/testing');#" \
    -e "s#^import { createTopUpServer } from '@job-escrow/sdk/server';#const { createTopUpServer } = require('@job-escrow/sdk/server');#" page.mjs \
  | { echo '(async () => {'; cat; echo '})().catch((e) => { console.error(e); process.exit(1); });'; } > page.cjs
node page.cjs
# The x402 entry with its optional peers as an agent platform installs them
# (--legacy-peer-deps: @x402/svm's @solana-program/token 0.9 declares kit ^5).
npm install --no-audit --no-fund --prefer-offline --loglevel=error --legacy-peer-deps @x402/core@2.27.0 @x402/svm@2.27.0 @solana/kit@8.4.0 >/dev/null
cat > x402.mjs <<'JS'
import { generateKeyPairSigner } from '@solana/kit';
import { createCreditPaywall, createMemoryReplayStore, signAgentRequest, verifyAgentRequest } from '@job-escrow/sdk/x402';
const signer = await generateKeyPairSigner();
const headers = await signAgentRequest(signer, 'GET', '/v1/infer');
if ((await verifyAgentRequest(headers, 'GET', '/v1/infer', { replayStore: createMemoryReplayStore() })) !== signer.address) throw new Error('agent signature did not verify');
if (typeof createCreditPaywall !== 'function') throw new Error('no createCreditPaywall');
console.log('x402 entry ok');
JS
node x402.mjs
node -e "const x = require('@job-escrow/sdk/x402'); if (typeof x.createCreditPaywall !== 'function') throw new Error('CJS x402 entry'); console.log('x402 entry ok (CJS)')"
printf '{"node":"%s","runs":%d,"passed":%d,"crashes":%d,"tarball":"%s","bytes":%d}\n' "$(node --version)" $((2 * RUNS)) "$passed" "$crashes" "$(basename "$TARBALL")" "$(stat -c %s "$TARBALL")"
[ "$crashes" -eq 0 ] && echo "sdk package: ok"
