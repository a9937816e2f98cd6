#!/usr/bin/env bash
# Installs solana-test-validator (the agave-validator crate from crates.io,
# pinned) into a cache it reuses: ~/.cache/job_escrow/agave-<version>
# (JOB_ESCROW_CACHE overrides). About 28 minutes cold on 2 cores; a no-op
# when the binary is there. Prints the binary's path.
set -euo pipefail
CACHE="${JOB_ESCROW_CACHE:-$HOME/.cache/job_escrow}"
VERSION=3.1.8
ROOT_DIR="$CACHE/agave-$VERSION"
BIN="$ROOT_DIR/bin/solana-test-validator"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
# --installed: only say whether it is there (the path, or exit 1).
if [ "${1:-}" = "--installed" ]; then exit 1; fi
need=()
for p in pkg-config libudev-dev libclang-dev clang protobuf-compiler libssl-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "[setup-validator] cargo install agave-validator $VERSION (about 28 minutes cold on 2 cores)" >&2
cargo install agave-validator --version "$VERSION" --locked --bin solana-test-validator --root "$ROOT_DIR" >&2
echo "$BIN"
