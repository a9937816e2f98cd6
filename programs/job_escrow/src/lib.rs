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

pinocchio::address::declare_id!("JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp");
