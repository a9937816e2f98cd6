//! job_escrow: escrow for prepaid compute credits (Pinocchio, `no_std`).
//!
//! Layouts, instructions and the trust model are in `docs/program.md`; the
//! contract is the project's specification.
#![no_std]

pub mod discriminator;
pub mod entrypoint;
pub mod error;
pub mod events;
pub mod instructions;
pub mod math;
pub mod state;

// The security.txt block (src/security.rs), in the on-chain build only.
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod security;

/// Logs the remaining compute units when built with `--features cu-trace`
/// (profiling only; compiles to nothing otherwise).
#[macro_export]
macro_rules! cu_trace {
    () => {
        #[cfg(all(feature = "cu-trace", any(target_os = "solana", target_arch = "bpf")))]
        // SAFETY: a syscall without arguments.
        unsafe {
            pinocchio::syscalls::sol_log_compute_units_()
        }
    };
}

// `declare_id!` of JOB_ESCROW_PROGRAM_ID at build time, else
// JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp (build.rs).
include!(concat!(env!("OUT_DIR"), "/program_id.rs"));
