#!/usr/bin/env bash
# Installs what building the on-chain program needs, idempotently, from
# package registries only:
#   - Debian's rustc-web/cargo-web (Rust 1.96) and the prebuilt core/alloc for
#     the upstream `bpfel-unknown-none` target (the compiler side);
#   - LLVM 23 with the BPF backend as static libraries, from the PyPI wheels
#     mlc-llvm-static + mlc-llvm-static-extra-targets, into the cache (used
#     only to build the linker);
#   - sbpf-linker 0.2.6 (crates.io) linked statically against that LLVM, into
#     the cache. It writes SBPF v3 and v0 files; it needs no shared libLLVM
#     and no LD_LIBRARY_PATH at run time.
# Prints LINKER=<path> for scripts/build-program.sh to eval.
# A second run with everything present returns in well under a second.
# See docs/toolchain.md for why each piece is needed.
set -euo pipefail

CACHE="${JOB_ESCROW_CACHE:-$HOME/.cache/job_escrow}"
LLVM_WHEEL_VERSION=23.1.1.post0
LLVM_DIR="$CACHE/mlc-llvm-static-$LLVM_WHEEL_VERSION"
LLVM_PREFIX="$LLVM_DIR/mlc_llvm_static/static"
LINKER_VERSION=0.2.6
LINKER_ROOT="$CACHE/sbpf-linker-$LINKER_VERSION"
LINKER="$LINKER_ROOT/bin/sbpf-linker"

log() { printf '[setup-toolchain] %s\n' "$*" >&2; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

python_has_pip() { command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; }

need_apt=()
{ [ -x /usr/bin/cargo ] && /usr/bin/rustc --version 2>/dev/null | grep -q '^rustc 1\.9[6-9]'; } || need_apt+=(rustc-web cargo-web)
ls /usr/lib/rustlib/bpfel-unknown-none/lib/libcore-*.rlib >/dev/null 2>&1 || need_apt+=(libstd-rust-web-dev-bpf)
if [ ! -x "$LINKER" ]; then
  # Only needed to build the linker: pip for the LLVM wheels. (The -lz -lzstd
  # of `llvm-config --system-libs` resolve to libz.a/libzstd.a in the wheel.)
  python_has_pip || need_apt+=(python3 python3-pip)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$LINKER" ]; then
  if [ ! -f "$LLVM_DIR/.complete" ]; then
    log "pip install mlc-llvm-static{,-extra-targets}==$LLVM_WHEEL_VERSION into $LLVM_DIR"
    mkdir -p "$CACHE"
    rm -rf "$LLVM_DIR" "$LLVM_DIR.partial"
    # --target keeps the wheels out of every Python environment (and is
    # allowed by Debian's externally-managed system Python).
    PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install -q --no-deps --only-binary=:all: \
      --target "$LLVM_DIR.partial" \
      "mlc-llvm-static==$LLVM_WHEEL_VERSION" "mlc-llvm-static-extra-targets==$LLVM_WHEEL_VERSION"
    mv "$LLVM_DIR.partial" "$LLVM_DIR"
    # The BPF backend is only in -extra-targets.
    "$LLVM_PREFIX/bin/llvm-config" --targets-built | grep -qw BPF \
      || { log "the LLVM wheel in $LLVM_DIR has no BPF backend"; exit 1; }
    touch "$LLVM_DIR/.complete"
  fi

  log "cargo install sbpf-linker $LINKER_VERSION against static LLVM 23 (3 to 5 minutes on 2 cores)"
  CARGO=$(command -v cargo || echo /usr/bin/cargo)
  rm -rf "$LINKER_ROOT"
  # The wheel's llvm-config is a Python script reading the wheel's share/*.json;
  # LLVM_PREFIX tells the build where it is, LIBRARY_PATH where the .a files are.
  LLVM_PREFIX="$LLVM_PREFIX" LIBRARY_PATH="$LLVM_PREFIX/lib${LIBRARY_PATH:+:$LIBRARY_PATH}" \
    "$CARGO" install sbpf-linker --version "$LINKER_VERSION" --locked \
      --no-default-features --features bpf-linker/llvm-23,bpf-linker/llvm-link-static \
      --root "$LINKER_ROOT"
fi

echo "LINKER=$LINKER"
