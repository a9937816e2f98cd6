use {
    super::shared::{cpi::with_credit_signer, require_key, require_signer, sysvar::unix_timestamp, TokenAccounts},
    crate::{
        error::JobEscrowError,
        events::{Event, PromoExpired},
        math,
        state::{load, load_mut, Config, CreditAccount},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

pub const PROMO_REASON_EXPIRED: u8 = 0;
pub const PROMO_REASON_GIVEN_UP: u8 = 1;

/// Returns unspent promotional credits' USDC to the treasury: the owner may
/// give them up at any time, anyone may expire them once `promo_expires_at`
/// has passed. Credits still locked by jobs stay promo until a later call.
pub fn process_expire_promo(accounts: &mut [AccountView], _data: &[u8]) -> ProgramResult {
    // Accounts.
    let [authority, config_view, credit_view, vault, treasury, mint, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Validation.
    require_signer(authority)?;
    let config = load::<Config>(config_view)?;
    // SAFETY: loaded once, after the Config (a credit_view that duplicates
    // config_view fails the discriminator check); the vault and treasury are
    // Token accounts, borrowed only after a Token-owner check.
    let credit = unsafe { load_mut::<CreditAccount>(credit_view)? };
    let reason = if authority.address() == &credit.owner {
        PROMO_REASON_GIVEN_UP
    } else if credit.promo_expired(unix_timestamp()?) {
        PROMO_REASON_EXPIRED
    } else {
        return Err(JobEscrowError::PromoNotExpired.into());
    };
    require_key(treasury, &config.treasury, JobEscrowError::InvalidTreasury)?;
    let token = TokenAccounts { mint, token_program }.check(config)?;
    let vault_amount = token.vault(vault, &credit.vault, credit_view.address())?.amount();
    let price = config.price_per_credit();
    let credits = credit.promo_credits().min(credit.available(vault_amount, price)?);
    if credits == 0 {
        return Err(JobEscrowError::NothingToExpire.into());
    }
    let amount = math::mul(credits, price)?;

    // State.
    credit.expire_promo(credits)?;

    // CPI: vault to treasury, signed by the CreditAccount PDA.
    with_credit_signer(&credit.owner, credit.bump, |signer| token.transfer(vault, treasury, credit_view, amount, signer))?;

    // Event.
    PromoExpired::new(credits.to_le_bytes(), reason).emit();
    Ok(())
}
