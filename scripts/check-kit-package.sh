#!/usr/bin/env bash
# The Kit client as a Kit developer gets it: the packed SDK (target/sdk-pack,
# packed here when missing) installed into a fresh project with @solana/kit,
# litesvm 1.x and @solana-program/token (for the test kit). Then:
#   - tests/sdk-consumer/kit-lifecycle.ts compiled with `tsc --strict` (no
#     skipLibCheck) and run: open, purchase, lock, settle, withdraw through
#     `@job-escrow/sdk/kit` in LiteSVM;
#   - tests/browser/kit-topup-app.ts (top-up URL + purchase instruction +
#     credit account fetched) importing the installed package, bundled by the
#     project's esbuild for the browser (minified): its gzip size and the
#     packages in it; and the same job on the Anchor SDK
#     (tests/browser/anchor-topup-app.ts) for comparison.
# Prints one JSON line (npm run bench records it) and "kit package: ok";
# fails when the Kit bundle is over 40,000 bytes gzipped or holds web3.js,
# Anchor or bn.js.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/sdk-pack
if ! ls "$OUT"/*.tgz >/dev/null 2>&1 || [ -n "${REPACK:-}" ]; then
  rm -rf "$OUT" && mkdir -p "$OUT"
  (cd sdk && npm pack --silent --pack-destination "$OUT" >/dev/null)
fi
TARBALL=$(ls "$OUT"/*.tgz)
CONSUMER=$(mktemp -d)
trap 'rm -rf "$CONSUMER"' EXIT
cp tests/sdk-consumer/kit-tsconfig.json "$CONSUMER/tsconfig.json"
cp tests/sdk-consumer/kit-lifecycle.ts "$CONSUMER/kit-lifecycle.mts"
sed "s#'../../sdk/src/kit/index.js'#'@job-escrow/sdk/kit'#" tests/browser/kit-topup-app.ts > "$CONSUMER/kit-app.ts"
sed "s#'../../sdk/src/index.js'#'@job-escrow/sdk'#; s#'../../sdk/src/pay/index.js'#'@job-escrow/sdk/pay'#" tests/browser/anchor-topup-app.ts > "$CONSUMER/anchor-app.ts"
if grep -q "sdk/src" "$CONSUMER"/*-app.ts; then echo "an app still imports the repository's sources" >&2; exit 1; fi
cd "$CONSUMER"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$TARBALL" @solana/kit@8.4.0 litesvm@1.5.0 @solana-program/token@0.16.1 typescript@5.9.3 @types/node@20.19.0 esbuild@0.28.2 >/dev/null
npx tsc -p tsconfig.json
RESULT=$(node out/kit-lifecycle.mjs)
node --input-type=module -e "
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
async function measure(entry) {
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, logLevel: 'silent', target: 'es2022' });
  const code = out.outputFiles[0].contents;
  const inputs = Object.entries(Object.values(out.metafile.outputs)[0].inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k);
  const packages = [...new Set(inputs.flatMap((m) => { const i = m.lastIndexOf('node_modules/'); if (i < 0) return []; const p = m.slice(i + 13).split('/'); return [p[0].startsWith('@') ? p[0] + '/' + p[1] : p[0]]; }))].sort();
  return { bytes: code.length, gzip: gzipSync(code).length, packages };
}
const kit = await measure('kit-app.ts');
const anchor = await measure('anchor-app.ts');
console.log(JSON.stringify({ lifecycle: $RESULT, kitBundle: kit, anchorBundle: { bytes: anchor.bytes, gzip: anchor.gzip } }));
const heavy = kit.packages.filter((p) => ['@solana/web3.js', '@coral-xyz/anchor', 'bn.js', 'buffer', 'borsh'].includes(p));
if (heavy.length) { console.error('in the Kit bundle: ' + heavy.join(', ')); process.exit(1); }
if (kit.gzip > 40000) { console.error('the Kit bundle is ' + kit.gzip + ' bytes gzipped, over 40,000'); process.exit(1); }
"
echo "kit package: ok"
