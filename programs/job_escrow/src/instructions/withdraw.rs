use {
    super::shared::{args::Args, cpi::with_credit_signer, OwnerAccounts, TokenAccounts},
    crate::{
        error::JobEscrowError,
        events::{CreditsWithdrawn, Event},
        math,
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// `withdraw` arguments.
#[repr(C)]
pub struct WithdrawArgs {
    pub credits: [u8; 8],
}

// SAFETY: repr(C) of one byte array.
unsafe impl Args for WithdrawArgs {}

/// `credits` value that withdraws everything withdrawable, dust included.
pub const WITHDRAW_ALL: u64 = u64::MAX;

/// Pays `credits * price` USDC from the vault to `destination`, up to the
/// available balance. Allowed while paused: users can always leave.
pub fn process_withdraw(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [owner, config_view, credit_view, vault, destination, mint, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let credits = u64::from_le_bytes(WithdrawArgs::from_bytes(data)?.credits);
    if credits == 0 {
        return Err(JobEscrowError::ZeroAmount.into());
    }

    // Validation.
    // SAFETY: the only load of these accounts in this instruction.
    let (config, credit, vault_amount, token) = unsafe {
        let token = TokenAccounts { mint, token_program };
        OwnerAccounts { owner, config: config_view, credit_account: credit_view, vault, token }.load()?
    };
    if destination.address() == vault.address() {
        return Err(JobEscrowError::DuplicateAccount.into());
    }
    let price = config.price_per_credit();
    let (credits, amount) = if credits == WITHDRAW_ALL {
        // Everything not backing a lock, owed as fees or backing unspent
        // promo credits, including a remainder smaller than one credit.
        // Locked credits may be promo credits themselves, so the reserve can
        // exceed what the vault holds: then nothing is withdrawable.
        let reserved = math::mul(math::add(credit.locked(), credit.promo_credits())?, price)?;
        let amount = math::sub(vault_amount, credit.fees_accrued())?.saturating_sub(reserved);
        (math::div_rem(amount, price)?.0, amount)
    } else {
        if credits > credit.without_promo(credit.available(vault_amount, price)?) {
            return Err(JobEscrowError::InsufficientCredits.into());
        }
        (credits, math::mul(credits, price)?)
    };
    if amount == 0 {
        return Err(JobEscrowError::InsufficientCredits.into());
    }

    // State.
    credit.set_withdrawn(math::add(credit.withdrawn(), credits)?);

    // CPI: vault to destination, signed by the CreditAccount PDA. The Token
    // program rejects a destination of another mint.
    with_credit_signer(&credit.owner, credit.bump, |signer| token.transfer(vault, destination, credit_view, amount, signer))?;

    // Event.
    CreditsWithdrawn::new(credits.to_le_bytes(), amount.to_le_bytes()).emit();
    Ok(())
}
