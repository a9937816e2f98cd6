use {
    super::shared::{args::Args, load_config_as_operator, sysvar::unix_timestamp, TokenAccounts},
    crate::{
        error::JobEscrowError,
        events::{CreditsGranted, Event},
        math,
        state::{load_mut, CreditAccount},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// `grant_credits` arguments (16 bytes).
#[repr(C)]
pub struct GrantCreditsArgs {
    pub credits: [u8; 8],
    pub expires_at: [u8; 8],
}

// SAFETY: repr(C) of byte arrays, alignment 1, no padding.
unsafe impl Args for GrantCreditsArgs {}

/// The operator gives promotional credits, backed by `credits * price` USDC
/// from its own token account: spendable like bought credits (and spent
/// first), never withdrawable, expiring at `expires_at` (0 = never).
pub fn process_grant_credits(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [operator, config_view, credit_view, vault, source, mint, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = GrantCreditsArgs::from_bytes(data)?;
    let credits = u64::from_le_bytes(args.credits);
    let expires_at = i64::from_le_bytes(args.expires_at);

    // Validation.
    let config = load_config_as_operator(config_view, operator)?;
    if config.paused() {
        return Err(JobEscrowError::Paused.into());
    }
    if credits == 0 {
        return Err(JobEscrowError::ZeroAmount.into());
    }
    if expires_at != 0 && expires_at <= unix_timestamp()? {
        return Err(JobEscrowError::InvalidPromoExpiry.into());
    }
    // SAFETY: loaded once, after the Config (a credit_view that duplicates
    // config_view fails the discriminator check); the vault and source are
    // Token accounts, borrowed only after a Token-owner check.
    let credit = unsafe { load_mut::<CreditAccount>(credit_view)? };
    let token = TokenAccounts { mint, token_program }.check(config)?;
    token.vault(vault, &credit.vault, credit_view.address())?;
    // Only the operator's own USDC backs a grant (and never a vault's).
    if &token.account(source, JobEscrowError::InvalidTokenAccount)?.owner != operator.address() {
        return Err(JobEscrowError::InvalidTokenAccount.into());
    }
    let amount = math::mul(credits, config.price_per_credit())?;

    // State.
    credit.grant(credits, expires_at)?;

    // CPI: operator's account to the vault, signed by the operator.
    token.transfer(source, vault, operator, amount, &[])?;

    // Event.
    CreditsGranted::new(args.credits, args.expires_at).emit();
    Ok(())
}
