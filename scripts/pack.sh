#!/usr/bin/env bash
# Packs one of the project's npm packages as `npm pack` does for a release
# (its prepack builds the program and the bundle) and prints the tarball's
# path: `sdk` (@job-escrow/sdk: the Anchor/web3.js door, Solana Pay, the
# servers, the operator, x402 and the CLI) or `kit` (@job-escrow/kit: the
# @solana/kit door). The tarball is kept in target/<name>-pack and packed
# again when missing, when REPACK is set, or when a source it is built from
# is newer than it.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${1:?usage: scripts/pack.sh sdk|kit}
case "$NAME" in
  sdk) DIR=sdk ;;
  kit) DIR=sdk/kit ;;
  *) echo "scripts/pack.sh: unknown package '$NAME' (sdk or kit)" >&2; exit 2 ;;
esac
OUT=$PWD/target/$NAME-pack
TARBALL=$(ls "$OUT"/*.tgz 2>/dev/null | head -1 || true)
if [ -z "$TARBALL" ] || [ -n "${REPACK:-}" ] || [ -n "$(find sdk/src sdk/tsup.config.ts "$DIR/package.json" "$DIR/tsup.config.ts" "$DIR/README.md" programs/job_escrow/src idl -newer "$TARBALL" -print -quit)" ]; then
  rm -rf "$OUT" && mkdir -p "$OUT"
  (cd "$DIR" && npm pack --silent --pack-destination "$OUT" >/dev/null)
  TARBALL=$(ls "$OUT"/*.tgz)
fi
echo "$TARBALL"
