use {
    super::shared::{args::Args, cpi::TokenTransfer, load_config_as_operator, require_key, sysvar::unix_timestamp},
    crate::{
        error::JobEscrowError,
        events::{CreditsGranted, Event},
        math,
        state::{load_mut, load_vault, CreditAccount, TokenAccount, TOKEN_PROGRAM_ID},
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
    let [operator, config_view, credit_view, vault, source, token_program, ..] = accounts else {
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
    require_key(token_program, &TOKEN_PROGRAM_ID, JobEscrowError::InvalidTokenProgram)?;
    load_vault(vault, &credit.vault, credit_view.address(), &config.mint)?;
    // Only the operator's own USDC backs a grant (and never a vault's).
    if &TokenAccount::load(source, &config.mint, JobEscrowError::InvalidTokenAccount)?.owner != operator.address() {
        return Err(JobEscrowError::InvalidTokenAccount.into());
    }
    let amount = math::mul(credits, config.price_per_credit())?;

    // State.
    credit.grant(credits, expires_at)?;

    // CPI: operator's account to the vault, signed by the operator.
    TokenTransfer { from: source, to: vault, authority: operator, amount }.invoke()?;

    // Event.
    CreditsGranted::new(args.credits, args.expires_at).emit();
    Ok(())
}
