#!/usr/bin/env bash
# Installs what building the on-chain program needs, idempotently:
#   - Debian's rustc-web/cargo-web (Rust 1.96 + LLVM 22) and the prebuilt
#     core/alloc for the upstream `bpfel-unknown-none` target;
#   - sbpf-linker 0.1.9 (crates.io) into a reused cache directory;
#   - a directory holding only a link to Debian's libLLVM 22, which the linker
#     loads at run time (an older libLLVM next to it may be picked instead).
# A second run with everything present returns in well under a second.
# See docs/toolchain.md for why each piece is needed.
set -euo pipefail

CACHE="${JOB_ESCROW_CACHE:-$HOME/.cache/job_escrow}"
LINKER_VERSION=0.1.9
LINKER="$CACHE/sbpf-linker-$LINKER_VERSION/bin/sbpf-linker"
LLVM_DIR="$CACHE/llvm-lib"

log() { printf '[setup-toolchain] %s\n' "$*" >&2; }

need_apt=()
{ [ -x /usr/bin/cargo ] && /usr/bin/rustc --version 2>/dev/null | grep -q '^rustc 1\.9[6-9]'; } || need_apt+=(rustc-web cargo-web)
ls /usr/lib/rustlib/bpfel-unknown-none/lib/libcore-*.rlib >/dev/null 2>&1 || need_apt+=(libstd-rust-web-dev-bpf)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$LINKER" ]; then
  log "cargo install sbpf-linker $LINKER_VERSION (about 2 minutes on 2 cores)"
  mkdir -p "$CACHE"
  cargo install sbpf-linker --version "$LINKER_VERSION" --locked --root "$CACHE/sbpf-linker-$LINKER_VERSION"
fi

LIBLLVM=$(ls /usr/lib/llvm-22/lib/libLLVM.so.22* 2>/dev/null | head -n1 || true)
[ -n "$LIBLLVM" ] || LIBLLVM=$(ls /usr/lib/x86_64-linux-gnu/libLLVM.so.22* 2>/dev/null | head -n1 || true)
[ -n "$LIBLLVM" ] || { log "libLLVM 22 not found (expected from rustc-web's dependencies)"; exit 1; }
mkdir -p "$LLVM_DIR"
ln -sfn "$LIBLLVM" "$LLVM_DIR/$(basename "$LIBLLVM")"

echo "LINKER=$LINKER"
echo "LLVM_DIR=$LLVM_DIR"
