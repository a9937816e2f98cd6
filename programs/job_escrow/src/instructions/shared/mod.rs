//! Checks and CPIs that more than one instruction needs, written once.
pub mod args;
pub mod cpi;
pub mod sysvar;

use {
    crate::error::JobEscrowError,
    pinocchio::{error::ProgramError, AccountView, Address},
};

/// Fails with `MissingSignature` unless `view` signed the transaction.
#[inline(always)]
pub fn require_signer(view: &AccountView) -> Result<(), ProgramError> {
    if view.is_signer() {
        Ok(())
    } else {
        Err(JobEscrowError::MissingSignature.into())
    }
}

/// Fails with `error` unless `view` is the account at `expected`.
#[inline(always)]
pub fn require_key(view: &AccountView, expected: &Address, error: JobEscrowError) -> Result<(), ProgramError> {
    if view.address() == expected {
        Ok(())
    } else {
        Err(error.into())
    }
}
