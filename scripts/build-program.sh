#!/usr/bin/env bash
# Builds programs/job_escrow twice from the same sources with the upstream
# bpfel-unknown-none target (Debian rustc-web + sbpf-linker 0.2.6 on LLVM 23),
# installing the toolchain first if needed:
#   $OUT    (default target/deploy/job_escrow.so): SBPF v3, the file to deploy;
#   $OUT_V0 (default target/sbpf-v0/job_escrow.so): SBPF v0, for runtimes that
#           refuse v3 (LiteSVM 0.8, solana-bankrun 0.4, solana-test-validator
#           3.1.8). Same file name in its own directory, because bankrun loads
#           `<name>.so` from SBF_OUT_DIR.
# Skips the build when both files are newer than every source (FORCE_BUILD=1
# forces it); FEATURES="a,b" passes cargo features to both builds;
# JOB_ESCROW_PROGRAM_ID=<base58> builds for that program id (an operator's own
# deployment; programs/job_escrow/build.rs), in its own cargo target
# directories, and then requires OUT and OUT_V0 to be given. Checks each
# file's ELF header and fails if it is not the SBPF version asked for.
# Prints each file's SHA-256 and writes it beside it (`$OUT.sha256`, in
# `sha256sum -c` form). The build is reproducible: the same sources and
# toolchain give the same bytes in any directory, for any CARGO_HOME
# (tests/program/reproducible_build.test.ts; docs/verify.md).
# With the standard Solana toolchain use `cargo build-sbf` instead
# (docs/toolchain.md).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${JOB_ESCROW_PROGRAM_ID:-}" ] && { [ -z "${OUT:-}" ] || [ -z "${OUT_V0:-}" ]; }; then
  echo "[build-program] JOB_ESCROW_PROGRAM_ID is set: give OUT and OUT_V0 too (the default outputs are the project's id)" >&2
  exit 2
fi
OUT=${OUT:-target/deploy/job_escrow.so}
OUT_V0=${OUT_V0:-target/sbpf-v0/job_escrow.so}
FEATURES=${FEATURES:-}
SOURCES=(programs/job_escrow/src programs/job_escrow/build.rs programs/job_escrow/Cargo.toml Cargo.toml Cargo.lock
         scripts/build-program.sh scripts/setup-toolchain.sh)

log() { printf '[build-program] %s\n' "$*"; }
# A mutation run (scripts/mutate.py) killed before it could restore the
# program leaves mutants in the default outputs, newer than the sources:
# rebuild them (unless the run itself is asking).
MUTANT_MARKER=target/mutants/DIRTY
if [ -f "$MUTANT_MARKER" ] && [ -z "${MUTATE_RUNNING:-}" ] && [ "$OUT" = target/deploy/job_escrow.so ]; then
  log "$MUTANT_MARKER: $OUT may be a mutant, rebuilding"
  FORCE_BUILD=1
fi
up_to_date() { [ -f "$1" ] && [ -z "$(find "${SOURCES[@]}" -newer "$1" -print -quit)" ]; }

# Prints the SHA-256 of $1 and writes it to $1.sha256 (`<hash>  <file name>`,
# so `cd <dir> && sha256sum -c job_escrow.so.sha256` checks it; replaced
# atomically, and only when it changes: tests read it while other runs build).
# When $1 ends in zero bytes, also prints the hash `solana-verify
# get-executable-hash` reports (it drops trailing zero bytes, as it must for
# on-chain program data, which the loader pads with zeros).
record_hash() {
  local sum line trimmed
  sum=$(sha256sum "$1" | cut -d' ' -f1)
  line="$sum  $(basename "$1")"
  if [ "$(cat "$1.sha256" 2>/dev/null)" != "$line" ]; then
    printf '%s\n' "$line" >"$1.sha256.$$"
    mv -f "$1.sha256.$$" "$1.sha256"
  fi
  log "sha256 $sum  $1"
  trimmed=$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read().rstrip(b"\0")).hexdigest())' "$1")
  [ "$trimmed" = "$sum" ] || log "  (solana-verify get-executable-hash: $trimmed, trailing zero bytes dropped)"
}

if [ "${FORCE_BUILD:-0}" != 1 ] && up_to_date "$OUT" && up_to_date "$OUT_V0"; then
  log "$OUT (v3, $(stat -c %s "$OUT") bytes) and $OUT_V0 (v0, $(stat -c %s "$OUT_V0") bytes) are up to date"
  # (Not while scripts/mutate.py runs the tests: the file is then a mutant.)
  if [ -z "${MUTATE_RUNNING:-}" ]; then record_hash "$OUT"; record_hash "$OUT_V0"; fi
  exit 0
fi

eval "$(bash scripts/setup-toolchain.sh)"

# Both versions (each flag below was checked by removing it, docs/toolchain.md):
# - relocation-model=static, panic=abort: what the SBPF loader expects;
# - +allows-misaligned-mem-access: SBPF allows unaligned loads and stores.
#   Without it v3 does not link ("invalid opcode: 0x06") and v0 links but
#   splits every unaligned access into bytes (175,264 bytes instead of 52,904);
# - --bpf-stack-size=4096: SBPF's 4 KB frame; the linker refuses to run
#   without it ("missing required `--bpf-stack-size=<value>` LLVM argument");
# - --deploy=false: otherwise the linker also copies its output to
#   target/deploy/<crate>.so itself, whatever the version.
# No --export of the syscall names: sbpf-linker 0.2.6 keeps their arguments
# without it (the output is byte-identical with and without the list).
# Reproducibility: panic locations embed the source file's path, absolute for
# the crates.io dependencies (e.g. "<CARGO_HOME>/registry/src/index.crates.io-
# 1949cf8c6b5b557f/solana-address-2.9.0/src/syscalls.rs"), so the bytes
# depended on CARGO_HOME (the user's home directory). --remap-path-prefix
# writes CARGO_HOME as /cargo and the workspace as `.` (its own files are
# already relative; this covers generated files under the target directory).
CARGO_HOME_DIR=${CARGO_HOME:-$HOME/.cargo}
REMAP="--remap-path-prefix=$PWD=. --remap-path-prefix=$CARGO_HOME_DIR=/cargo"
COMMON="-C linker=$LINKER -C panic=abort -C relocation-model=static -C target-feature=+allows-misaligned-mem-access -C link-arg=--deploy=false $REMAP"
# v3: BPF cpu v4 (smaller code than cpu v3) without the v4 instructions SBPF v3
# does not have: gotox (indirect jump; without --disable-gotox the link fails
# with "invalid opcode: 0x0d") and sign-extending moves and loads (without
# --disable-movsx/--disable-ldsx an `as i8 as i64` fails to link: "mov64
# instruction has off: 8 ... supposed to be zeros").
V3_FLAGS="$COMMON -C target-cpu=v4 -C link-arg=--arch=v3 -C link-arg=--llvm-args=--bpf-stack-size=4096,--disable-movsx,--disable-ldsx,--disable-gotox"
# v0: BPF cpu v2, the instruction set SBPF v0 runs.
V0_FLAGS="$COMMON -C target-cpu=v2 -C link-arg=--arch=v0 -C link-arg=--llvm-args=--bpf-stack-size=4096"

# Fails unless $1 is a BPF shared object with e_flags $2 (0x3 = SBPF v3, 0x0 = v0).
check_elf() {
  local header machine flags
  header=$(readelf -h "$1")
  machine=$(awk -F': *' '/^ *Machine:/{print $2}' <<<"$header")
  flags=$(awk '/^ *Flags:/{print $2}' <<<"$header")
  if [ "$machine" != "Linux BPF" ] || [ "$flags" != "$2" ]; then
    log "ERROR: $1 has machine '$machine' and e_flags '$flags'; expected 'Linux BPF' and $2"
    exit 1
  fi
}

# LLVM 23 passes a sixth argument of a non-inlined function on the stack: the
# caller stores it above its own frame (at r10 + offset). SBPF v3 runs that;
# SBPF v0 puts a gap between frames, so the v0 file links and then fails at run
# time ("Access violation in stack frame ..."). Fails if $1 has such a store.
check_no_stack_args() {
  python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum = struct.unpack_from('<HH', d, 0x3a)
bad = []
for n in range(shnum):
    _, _, flags, addr, off, size = struct.unpack_from('<IIQQQQ', d, shoff + n * shentsize)
    if not flags & 0x4:  # SHF_EXECINSTR
        continue
    i = off
    while i + 8 <= off + size:
        op, regs, disp = d[i], d[i + 1], struct.unpack_from('<h', d, i + 2)[0]
        # st/stx of any width whose destination is r10 with a positive offset
        if op in (0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b) and regs & 0xF == 10 and disp > 0:
            bad.append(hex(addr + i - off))
        i += 16 if op == 0x18 else 8  # lddw takes two slots
if bad:
    sys.exit(f"[build-program] ERROR: {sys.argv[1]} passes function arguments on the stack "
             f"(stores above r10 at {', '.join(bad[:5])}); SBPF v0 cannot run that. A function that "
             "is not inlined takes at most five arguments: pass a struct by reference.")
PY
}

# build <arch> <rustflags> <out> <expected e_flags>
build() {
  local arch=$1 flags=$2 out=$3 eflags=$4 start ms
  # One target directory per version, so the two rustflag sets do not make
  # cargo rebuild each other's artifacts.
  local dir=target/sbpf-build/$arch${JOB_ESCROW_PROGRAM_ID:+-$JOB_ESCROW_PROGRAM_ID}
  start=$(date +%s%N)
  CARGO_TARGET_DIR=$dir CARGO_TARGET_BPFEL_UNKNOWN_NONE_RUSTFLAGS="$flags" \
    RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --locked \
      --target bpfel-unknown-none -p job_escrow --lib ${FEATURES:+--features "$FEATURES"}
  mkdir -p "$(dirname "$out")"
  cp "$dir/bpfel-unknown-none/release/libjob_escrow.so" "$out"
  check_elf "$out" "$eflags"
  [ "$arch" != v0 ] || check_no_stack_args "$out"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  log "wrote $out (SBPF $arch, e_flags $eflags, $(stat -c %s "$out") bytes) in ${ms} ms"
}

# The two builds share nothing (own target directories, own outputs) and each
# is one codegen unit on one core: with two cores or more they run side by
# side (a mutation run builds a mutant in about 10 s instead of 18).
if [ "$(nproc)" -ge 2 ]; then
  build v3 "$V3_FLAGS" "$OUT" 0x3 & v3_pid=$!
  build v0 "$V0_FLAGS" "$OUT_V0" 0x0 & v0_pid=$!
  v3_rc=0; v0_rc=0
  wait "$v3_pid" || v3_rc=$?
  wait "$v0_pid" || v0_rc=$?
  if [ "$v3_rc" != 0 ] || [ "$v0_rc" != 0 ]; then
    log "ERROR: the v3 build exited $v3_rc and the v0 build $v0_rc"
    exit 1
  fi
else
  build v3 "$V3_FLAGS" "$OUT" 0x3
  build v0 "$V0_FLAGS" "$OUT_V0" 0x0
fi
log "toolchain: $(/usr/bin/rustc --version), $("$LINKER" --version | tr '\n' ' ')"
record_hash "$OUT"
record_hash "$OUT_V0"

if [ -z "${MUTATE_RUNNING:-}" ] && [ "$OUT" = target/deploy/job_escrow.so ]; then rm -f "$MUTANT_MARKER"; fi
