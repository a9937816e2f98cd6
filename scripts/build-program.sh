#!/usr/bin/env bash
# Builds programs/job_escrow to target/deploy/job_escrow.so with the upstream
# bpfel-unknown-none target (Debian rustc-web + sbpf-linker), installing the
# toolchain first if needed. Skips the build when the .so is newer than every
# source file. With the standard Solana toolchain use `cargo build-sbf` instead
# (docs/toolchain.md).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-target/deploy/job_escrow.so}
FEATURES=${FEATURES:-}
SOURCES=(programs/job_escrow/src programs/job_escrow/Cargo.toml Cargo.toml Cargo.lock scripts/build-program.sh)
if [ -f "$OUT" ] && [ -z "$(find "${SOURCES[@]}" -newer "$OUT" -print -quit)" ] && [ "${FORCE_BUILD:-0}" != 1 ]; then
  echo "[build-program] $OUT is up to date ($(stat -c %s "$OUT") bytes)"
  exit 0
fi

eval "$(bash scripts/setup-toolchain.sh)"

# Without --export of every syscall name the linker internalizes the syscall
# declarations and LLVM strips their arguments (docs/toolchain.md, trap 1).
SYSCALLS="abort,sol_alt_bn128_compression,sol_alt_bn128_group_op,sol_big_mod_exp,sol_blake3,sol_create_program_address,sol_curve_decompress,sol_curve_group_op,sol_curve_multiscalar_mul,sol_curve_pairing_map,sol_curve_validate_point,sol_get_clock_sysvar,sol_get_epoch_rewards_sysvar,sol_get_epoch_schedule_sysvar,sol_get_epoch_stake,sol_get_fees_sysvar,sol_get_last_restart_slot,sol_get_leader,sol_get_processed_sibling_instruction,sol_get_rent_sysvar,sol_get_return_data,sol_get_stack_height,sol_get_sysvar,sol_invoke_signed_c,sol_invoke_signed_rust,sol_keccak256,sol_keccak_p1600,sol_log_,sol_log_64_,sol_log_compute_units_,sol_log_data,sol_log_pubkey,sol_memcmp_,sol_memcpy_,sol_memmove_,sol_memset_,sol_panic_,sol_poseidon,sol_remaining_compute_units,sol_secp256k1_recover,sol_set_return_data,sol_sha256,sol_sha512,sol_try_find_program_address"

export CARGO_TARGET_BPFEL_UNKNOWN_NONE_RUSTFLAGS="-C linker=$LINKER -C panic=abort -C relocation-model=static -C link-arg=--export=$SYSCALLS"
export LD_LIBRARY_PATH="$LLVM_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
start=$(date +%s%N)
RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --locked \
  --target bpfel-unknown-none -p job_escrow --lib ${FEATURES:+--features "$FEATURES"}
mkdir -p "$(dirname "$OUT")"
cp target/bpfel-unknown-none/release/libjob_escrow.so "$OUT"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "[build-program] wrote $OUT ($(stat -c %s "$OUT") bytes) in ${ms} ms"
