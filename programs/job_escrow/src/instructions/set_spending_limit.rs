use {
    super::shared::{args::Args, require_key, require_signer},
    crate::{
        error::JobEscrowError,
        events::{Event, SpendingLimitSet},
        state::{load_mut, CreditAccount},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// `set_spending_limit` arguments.
#[repr(C)]
pub struct SetSpendingLimitArgs {
    pub max_credits_per_job: [u8; 8],
    pub daily_limit_credits: [u8; 8],
}

// SAFETY: repr(C) of byte arrays, alignment 1, no padding.
unsafe impl Args for SetSpendingLimitArgs {}

/// Caps the credits a single lock may take from this account (0 = no cap).
pub fn process_set_spending_limit(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [owner, credit_view, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = SetSpendingLimitArgs::from_bytes(data)?;

    // Validation.
    require_signer(owner)?;
    // SAFETY: the CreditAccount is the only program account this instruction
    // loads, once.
    let credit = unsafe { load_mut::<CreditAccount>(credit_view)? };
    require_key(owner, &credit.owner, JobEscrowError::Unauthorized)?;

    // State.
    credit.set_max_credits_per_job(u64::from_le_bytes(args.max_credits_per_job));
    credit.set_daily_limit_credits(u64::from_le_bytes(args.daily_limit_credits));

    // Event.
    SpendingLimitSet::new(args.max_credits_per_job, args.daily_limit_credits).emit();
    Ok(())
}
