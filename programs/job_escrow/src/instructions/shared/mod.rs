//! Checks and CPIs that more than one instruction needs, written once.
pub mod args;
pub mod batch;
pub mod borsh;
pub mod cpi;
pub mod curve;
pub mod jobs;
pub mod sysvar;

use {
    crate::{
        error::JobEscrowError,
        state::{load, load_mut, load_vault, Config, CreditAccount, TOKEN_PROGRAM_ID},
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

/// The accounts every owner-signed instruction on a credit account checks
/// (purchase, withdraw, close_credit_account), checked in one place.
pub struct OwnerAccounts<'a> {
    pub owner: &'a AccountView,
    pub config: &'a AccountView,
    pub credit_account: &'a AccountView,
    pub vault: &'a AccountView,
    pub token_program: &'a AccountView,
}

impl<'a> OwnerAccounts<'a> {
    /// `owner` signed and owns the credit account, the token program is the
    /// classic one and `vault` is the account's vault. Returns the Config, the
    /// CreditAccount and the vault's balance.
    ///
    /// # Safety
    ///
    /// As for [`load_mut`]: while the returned CreditAccount lives, no other
    /// reference to the credit account's data may be alive (so this is
    /// called once per instruction).
    #[inline(always)]
    pub unsafe fn load(&self) -> Result<(&'a Config, &'a mut CreditAccount, u64), ProgramError> {
        require_signer(self.owner)?;
        let config = load::<Config>(self.config)?;
        // SAFETY: the caller's contract; the Config was loaded first, so a
        // credit account that duplicates it fails the discriminator check.
        let credit = unsafe { load_mut::<CreditAccount>(self.credit_account)? };
        require_key(self.owner, &credit.owner, JobEscrowError::Unauthorized)?;
        require_key(self.token_program, &TOKEN_PROGRAM_ID, JobEscrowError::InvalidTokenProgram)?;
        let vault_amount = load_vault(self.vault, &credit.vault, self.credit_account.address(), &config.mint)?.amount();
        Ok((config, credit, vault_amount))
    }
}
