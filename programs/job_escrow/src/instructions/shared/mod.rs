//! Checks and CPIs that more than one instruction needs, written once.
pub mod args;
pub mod borsh;
pub mod cpi;
pub mod pda;
pub mod sysvar;

use {
    crate::{
        error::JobEscrowError,
        state::{load, Config},
    },
    pinocchio::{error::ProgramError, AccountView, Address, ProgramResult},
};

/// Fails with `MissingSignature` unless `view` signed the transaction.
#[inline]
pub fn require_signer(view: &AccountView) -> Result<(), ProgramError> {
    if view.is_signer() {
        Ok(())
    } else {
        Err(JobEscrowError::MissingSignature.into())
    }
}

/// Fails with `error` unless `view` is the account at `expected`.
#[inline]
pub fn require_key(view: &AccountView, expected: &Address, error: JobEscrowError) -> Result<(), ProgramError> {
    if view.address() == expected {
        Ok(())
    } else {
        Err(error.into())
    }
}

/// Loads the Config and fails with `Unauthorized` unless `signer` signed and
/// is its operator.
#[inline]
pub fn load_config_as_operator<'a>(config: &'a AccountView, signer: &AccountView) -> Result<&'a Config, ProgramError> {
    require_signer(signer)?;
    let config = load::<Config>(config)?;
    require_key(signer, &config.operator, JobEscrowError::Unauthorized)?;
    Ok(config)
}

/// Moves all of `account`'s lamports to `destination` and closes it (data
/// length 0, owner the System program), so that nothing later in the same
/// transaction can read it as a program account again (close-and-revive).
#[inline]
pub fn close_account(account: &mut AccountView, destination: &mut AccountView) -> ProgramResult {
    let lamports = crate::math::add(destination.lamports(), account.lamports())?;
    destination.set_lamports(lamports);
    account.set_lamports(0);
    account.close()
}
