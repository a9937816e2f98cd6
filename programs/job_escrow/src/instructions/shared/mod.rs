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
        state::{load, load_mut, load_vault, Config, CreditAccount, TokenAccount},
    },
    cpi::TokenTransferChecked,
    pinocchio::{cpi::Signer, error::ProgramError, AccountView, Address, ProgramResult},
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

/// The `mint` and `token_program` accounts of every instruction that moves
/// tokens, checked against the Config in this one place: the Config's mint
/// (`InvalidMint`) and the Config's token program, the mint's owner
/// (`InvalidTokenProgram`).
pub struct TokenAccounts<'a> {
    pub mint: &'a AccountView,
    pub token_program: &'a AccountView,
}

impl<'a> TokenAccounts<'a> {
    /// Checks both accounts against `config` and returns the [`Token`] that
    /// moves the Config's mint.
    #[inline(always)]
    pub fn check(&self, config: &Config) -> Result<Token<'a>, ProgramError> {
        require_key(self.mint, &config.mint, JobEscrowError::InvalidMint)?;
        require_key(self.token_program, &config.token_program, JobEscrowError::InvalidTokenProgram)?;
        Ok(Token { mint: self.mint, program: self.token_program.address(), decimals: config.decimals })
    }
}

/// The Config's mint under its token program, checked ([`TokenAccounts::check`]):
/// loads token accounts of it and transfers it.
#[derive(Clone, Copy)]
pub struct Token<'a> {
    pub mint: &'a AccountView,
    pub program: &'a Address,
    pub decimals: u8,
}

impl<'a> Token<'a> {
    /// Borrows `view` as an initialized token account of the mint, or fails
    /// with `error` ([`TokenAccount::load`]).
    #[inline(always)]
    pub fn account<'b>(&self, view: &'b AccountView, error: JobEscrowError) -> Result<&'b TokenAccount, ProgramError> {
        TokenAccount::load(view, self.program, self.mint.address(), error)
    }

    /// The vault of the credit account at `credit_account`, which recorded
    /// `vault` ([`load_vault`]).
    #[inline(always)]
    pub fn vault<'b>(&self, view: &'b AccountView, vault: &Address, credit_account: &Address) -> Result<&'b TokenAccount, ProgramError> {
        load_vault(view, vault, credit_account, self.mint.address(), self.program)
    }

    /// `TransferChecked` of `amount` from `from` to `to`, signed by
    /// `authority` (or by the PDA whose seeds are in `signers`).
    #[inline(always)]
    pub fn transfer(&self, from: &AccountView, to: &AccountView, authority: &AccountView, amount: u64, signers: &[Signer]) -> ProgramResult {
        let Self { mint, program, decimals } = *self;
        TokenTransferChecked { from, mint, to, authority, amount, decimals, token_program: program }.invoke_signed(signers)
    }
}

/// The accounts every owner-signed instruction on a credit account checks
/// (purchase, withdraw, close_credit_account), checked in one place.
pub struct OwnerAccounts<'a> {
    pub owner: &'a AccountView,
    pub config: &'a AccountView,
    pub credit_account: &'a AccountView,
    pub vault: &'a AccountView,
    pub token: TokenAccounts<'a>,
}

impl<'a> OwnerAccounts<'a> {
    /// `owner` signed and owns the credit account, the mint and token
    /// program are the Config's ([`TokenAccounts::check`]) and `vault` is
    /// the account's vault. Returns the Config, the CreditAccount, the
    /// vault's balance and the checked [`Token`].
    ///
    /// # Safety
    ///
    /// As for [`load_mut`]: while the returned CreditAccount lives, no other
    /// reference to the credit account's data may be alive (so this is
    /// called once per instruction).
    #[inline(always)]
    pub unsafe fn load(&self) -> Result<(&'a Config, &'a mut CreditAccount, u64, Token<'a>), ProgramError> {
        require_signer(self.owner)?;
        let config = load::<Config>(self.config)?;
        // SAFETY: the caller's contract; the Config was loaded first, so a
        // credit account that duplicates it fails the discriminator check.
        let credit = unsafe { load_mut::<CreditAccount>(self.credit_account)? };
        require_key(self.owner, &credit.owner, JobEscrowError::Unauthorized)?;
        let token = self.token.check(config)?;
        let vault_amount = token.vault(self.vault, &credit.vault, self.credit_account.address())?.amount();
        Ok((config, credit, vault_amount, token))
    }
}
