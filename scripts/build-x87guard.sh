#!/usr/bin/env bash
# Builds tests/support/x87guard.cc into target/x87guard/x87guard.node (the
# guard against LiteSVM 0.8's x87 leak, docs/toolchain.md) with g++ and the
# Node headers that ship with nodejs. Rebuilds when the source or the Node
# version changed; a no-op otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/x87guard/x87guard.node
STAMP=target/x87guard/node-version
SRC=tests/support/x87guard.cc
if [ -f "$OUT" ] && [ "$OUT" -nt "$SRC" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$(node --version)" ]; then
  exit 0
fi
HEADERS=$(dirname "$(dirname "$(command -v node)")")/include/node
[ -f "$HEADERS/node_api.h" ] || HEADERS=/usr/include/node
[ -f "$HEADERS/node_api.h" ] || { echo "[x87guard] Node headers not found (expected $HEADERS/node_api.h)" >&2; exit 1; }
command -v g++ >/dev/null || { echo "[x87guard] g++ is required (apt-get install g++)" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
g++ -O2 -std=c++17 -shared -fPIC -I"$HEADERS" -o "$OUT" "$SRC"
node --version > "$STAMP"
echo "[x87guard] built $OUT for node $(node --version)"
