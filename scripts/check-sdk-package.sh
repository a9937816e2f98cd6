#!/usr/bin/env bash
# Builds and packs the SDK (npm pack), installs the tarball into a fresh
# consumer project and imports it both as ESM and as CommonJS, including the
# ./litesvm subpath and the IDL. Prints "sdk package: ok" on success.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/sdk-pack
rm -rf "$OUT" && mkdir -p "$OUT"
(cd sdk && npx tsup --silent && cp ../idl/job_escrow.json dist/job_escrow.json && npm pack --silent --pack-destination "$OUT" >/dev/null)
TARBALL=$(ls "$OUT"/*.tgz)
CONSUMER=$(mktemp -d)
trap 'rm -rf "$CONSUMER"' EXIT
cd "$CONSUMER"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$TARBALL" litesvm@0.8.0 >/dev/null
node --input-type=module -e "
import { quote, JobEscrowClient, findCreditAccountPda, JOB_ESCROW_PROGRAM_ID, IDL } from '@job-escrow/sdk';
import { LiteSVMProvider } from '@job-escrow/sdk/litesvm';
import idl from '@job-escrow/sdk/idl.json' with { type: 'json' };
if (quote(1, 1500) !== 12n) throw new Error('ESM quote');
if (typeof JobEscrowClient !== 'function' || typeof LiteSVMProvider !== 'function') throw new Error('ESM exports');
if (IDL.address !== JOB_ESCROW_PROGRAM_ID.toBase58() || idl.address !== IDL.address) throw new Error('ESM IDL');
findCreditAccountPda(JOB_ESCROW_PROGRAM_ID);
"
node -e "
const sdk = require('@job-escrow/sdk');
const { LiteSVMProvider } = require('@job-escrow/sdk/litesvm');
if (sdk.quote(3, 501) !== 41n) throw new Error('CJS quote');
if (typeof sdk.JobEscrowClient !== 'function' || typeof LiteSVMProvider !== 'function') throw new Error('CJS exports');
if (sdk.JobEscrowErrorCode.Paused !== 6014) throw new Error('CJS errors');
"
echo "sdk package: ok ($(basename "$TARBALL"), $(stat -c %s "$TARBALL") bytes)"
