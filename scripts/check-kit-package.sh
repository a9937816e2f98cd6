#!/usr/bin/env bash
# The doors other than the Anchor one (scripts/check-sdk-package.sh), each
# from a packed tarball (scripts/pack.sh) in a fresh project holding only
# what that app would install:
#   1. Kit only: @job-escrow/kit with @solana/kit 8, litesvm 1.x and
#      @solana-program/token (for the test kit). `npm ls --all` must show no
#      @coral-xyz/anchor, @solana/web3.js or bn.js.
#      tests/sdk/consumer/kit-lifecycle.ts compiled with `tsc --strict` (no
#      skipLibCheck) and run: open, purchase, lock, settle, withdraw in
#      LiteSVM. tests/web/browser/kit-topup-app.ts bundled for the browser
#      (minified): its gzip size and the packages in it.
#   2. Kit beside @solana/pay 1.x: @job-escrow/kit and @solana/pay@1, which
#      chooses @solana/kit 6 and @solana-program/token 0.12. Both consumer
#      files compiled strictly and run: the lifecycle, and
#      tests/sdk/consumer/kit-with-pay1.ts (our top-up URL read by
#      @solana/pay's parser, theirs equal to ours, a purchase on Kit 6).
#   3. The Anchor door beside @solana/pay 1.x: @job-escrow/sdk (which uses
#      @solana/pay 0.2 inside) and @solana/pay@1 install together; a top-up
#      URL made by the SDK is read by @solana/pay 1's parser. The same job as
#      the Kit app on this SDK (tests/web/browser/anchor-topup-app.ts) is bundled
#      to compare the two clients' browser weight.
# Prints one JSON line (npm run bench records it) and "kit package: ok";
# fails when a check above fails, the Kit bundle is over 40,000 bytes
# gzipped or holds web3.js, Anchor or bn.js.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/user-env.sh
ROOT=$PWD
KIT_TARBALL=$(bash scripts/pack.sh kit)
SDK_TARBALL=$(bash scripts/pack.sh sdk)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
INSTALL=(npm install --no-audit --no-fund --prefer-offline --loglevel=error)
DEV=(typescript@5.9.3 @types/node@20.19.0 esbuild@0.28.2)

# The bundle measure, run inside a consumer project (its own esbuild).
cat > "$WORK/measure.mjs" <<'JS'
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const out = await build({ entryPoints: [process.argv[2]], bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, logLevel: 'silent', target: 'es2022' });
const code = out.outputFiles[0].contents;
const inputs = Object.entries(Object.values(out.metafile.outputs)[0].inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k);
const packages = [...new Set(inputs.flatMap((m) => { const i = m.lastIndexOf('node_modules/'); if (i < 0) return []; const p = m.slice(i + 13).split('/'); return [p[0].startsWith('@') ? p[0] + '/' + p[1] : p[0]]; }))].sort();
console.log(JSON.stringify({ bytes: code.length, gzip: gzipSync(code).length, packages }));
JS
# A fresh project in $WORK/$1 with the consumer files and the tsconfig.
project() {
  mkdir -p "$WORK/$1" && cd "$WORK/$1"
  npm init -y >/dev/null
  cp "$WORK/measure.mjs" .
  sed "s#'../../../sdk/src/kit/index.js'#'@job-escrow/kit'#" "$ROOT/tests/web/browser/kit-topup-app.ts" > kit-app.ts
  sed "s#'../../../sdk/src/index.js'#'@job-escrow/sdk'#; s#'../../../sdk/src/pay/index.js'#'@job-escrow/sdk/pay'#" "$ROOT/tests/web/browser/anchor-topup-app.ts" > anchor-app.ts
  if grep -q "sdk/src" ./*-app.ts; then echo "an app still imports the repository's sources" >&2; exit 1; fi
  cp "$ROOT/tests/sdk/consumer/kit-lifecycle.ts" kit-lifecycle.mts
  cp "$ROOT/tests/sdk/consumer/kit-with-pay1.ts" kit-with-pay1.mts
  node -e "const c = require('$ROOT/tests/sdk/consumer/kit-tsconfig.json'); c.include = process.argv.slice(1); require('fs').writeFileSync('tsconfig.json', JSON.stringify(c))" "${@:2}"
}
# Fails when the project's installed tree holds one of the named packages.
refuse_installed() {
  local tree found
  tree=$(npm ls --all --parseable 2>/dev/null || true)
  if [ -z "$tree" ]; then echo "npm ls listed nothing in $PWD" >&2; exit 1; fi
  found=$(grep -E "/node_modules/($(IFS='|'; echo "$*"))$" <<<"$tree" || true)
  if [ -n "$found" ]; then echo "installed where it must not be: $found" >&2; exit 1; fi
}

# 1. Kit only.
project kit-only kit-lifecycle.mts
"${INSTALL[@]}" "$KIT_TARBALL" @solana/kit@8.4.0 litesvm@1.5.0 @solana-program/token@0.16.1 "${DEV[@]}" >/dev/null
refuse_installed @coral-xyz/anchor @solana/web3.js bn.js
npx tsc -p tsconfig.json
LIFECYCLE=$(node out/kit-lifecycle.mjs)
KIT_BUNDLE=$(node measure.mjs kit-app.ts)

# 2. Kit beside @solana/pay 1.x (which picks @solana/kit 6).
project kit-pay1 kit-lifecycle.mts kit-with-pay1.mts
"${INSTALL[@]}" "$KIT_TARBALL" @solana/pay@1.0.16 litesvm@1.5.0 typescript@5.9.3 @types/node@20.19.0 >/dev/null
KIT_WITH_PAY1=$(node -p "require('./node_modules/@solana/kit/package.json').version")
case "$KIT_WITH_PAY1" in 6.*) ;; *) echo "@solana/pay@1 was expected to pick @solana/kit 6, got $KIT_WITH_PAY1" >&2; exit 1 ;; esac
refuse_installed @coral-xyz/anchor @solana/web3.js
npx tsc -p tsconfig.json
PAY1_LIFECYCLE=$(node out/kit-lifecycle.mjs)
PAY1_TOPUP=$(node out/kit-with-pay1.mjs)

# 3. The Anchor door beside @solana/pay 1.x.
project anchor-pay1
"${INSTALL[@]}" "$SDK_TARBALL" @solana/pay@1.0.16 esbuild@0.28.2 >/dev/null
node --input-type=module -e "
import { parseURL } from '@solana/pay';
import { createTopUpUrl } from '@job-escrow/sdk/pay';
import { Keypair } from '@solana/web3.js';
const owner = Keypair.generate().publicKey, mint = Keypair.generate().publicKey;
const r = createTopUpUrl({ owner, credits: 250n }, { config: { mint, pricePerCredit: 10_000n, minPurchaseCredits: 100n } });
const p = parseURL(String(r.url));
if (p.recipient !== r.recipient.toBase58() || p.splToken !== mint.toBase58() || p.amount !== 2.5) throw new Error('@solana/pay 1 reads ' + JSON.stringify(p));
"
ANCHOR_BUNDLE=$(node measure.mjs anchor-app.ts)

cd "$ROOT"
node -e "
const [lifecycle, kit, pay1Lifecycle, pay1TopUp, anchor] = process.argv.slice(1).map((s) => JSON.parse(s));
console.log(JSON.stringify({ node: process.version, lifecycle, kitBundle: kit, withPay1: { kit: '$KIT_WITH_PAY1', lifecycle: pay1Lifecycle, topUp: pay1TopUp }, anchorBundle: { bytes: anchor.bytes, gzip: anchor.gzip } }));
const heavy = kit.packages.filter((p) => ['@solana/web3.js', '@coral-xyz/anchor', 'bn.js', 'buffer', 'borsh'].includes(p));
if (heavy.length) { console.error('in the Kit bundle: ' + heavy.join(', ')); process.exit(1); }
if (kit.gzip > 40000) { console.error('the Kit bundle is ' + kit.gzip + ' bytes gzipped, over 40,000'); process.exit(1); }
" "$LIFECYCLE" "$KIT_BUNDLE" "$PAY1_LIFECYCLE" "$PAY1_TOPUP" "$ANCHOR_BUNDLE"
echo "kit package: ok"
