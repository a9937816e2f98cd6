use {
    super::shared::{args::Args, OwnerAccounts, TokenAccounts},
    crate::{
        error::JobEscrowError,
        events::{CreditsPurchased, Event},
        math,
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// `purchase` arguments.
#[repr(C)]
pub struct PurchaseArgs {
    pub credits: [u8; 8],
}

// SAFETY: repr(C) of one byte array.
unsafe impl Args for PurchaseArgs {}

/// Moves `credits * price` USDC from the owner's token account into the vault.
pub fn process_purchase(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [owner, config_view, credit_view, vault, source, mint, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let credits = u64::from_le_bytes(PurchaseArgs::from_bytes(data)?.credits);

    // Validation.
    // SAFETY: the only load of these accounts in this instruction; the
    // source is borrowed only after TokenAccount::load's token-owner check.
    let (config, credit, _, token) = unsafe {
        let token = TokenAccounts { mint, token_program };
        OwnerAccounts { owner, config: config_view, credit_account: credit_view, vault, token }.load()?
    };
    if config.paused() {
        return Err(JobEscrowError::Paused.into());
    }
    if credits < config.min_purchase_credits() {
        return Err(JobEscrowError::BelowMinimumPurchase.into());
    }
    let amount = math::mul(credits, config.price_per_credit())?;
    // Only the buyer's own money: a delegate of someone else's account could
    // otherwise buy credits for itself with it.
    if &token.account(source, JobEscrowError::InvalidTokenAccount)?.owner != owner.address() {
        return Err(JobEscrowError::InvalidTokenAccount.into());
    }

    // State.
    credit.set_purchased(math::add(credit.purchased(), credits)?);

    // CPI.
    token.transfer(source, vault, owner, amount, &[])?;

    // Event.
    CreditsPurchased::new(credits.to_le_bytes(), amount.to_le_bytes()).emit();
    Ok(())
}
