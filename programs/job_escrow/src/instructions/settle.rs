use {
    super::shared::{
        args::Args, close_account, cpi::TokenTransfer, cpi::with_credit_signer, load_config_as_operator, load_job,
        pda::is_on_curve, require_key, sysvar::unix_timestamp,
    },
    crate::{
        error::JobEscrowError,
        events::{Event, JobSettled},
        math,
        state::{load_mut, load_vault, CreditAccount, TokenAccount, BPS_DENOMINATOR, TOKEN_PROGRAM_ID},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// `settle` arguments (6 bytes).
#[repr(C)]
pub struct SettleArgs {
    pub output_tokens: [u8; 4],
    pub provider_share_bps: [u8; 2],
}

// SAFETY: repr(C) of byte arrays, alignment 1, no padding.
unsafe impl Args for SettleArgs {}

/// Charges `cost(tier, output_tokens)` credits of a job before it expires:
/// the worker receives `provider_share_bps` of that USDC, the rest stays in
/// the vault as fees owed to the treasury, the remainder of the lock returns
/// to the owner's balance, and the Job closes (rent to its payer).
pub fn process_settle(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [operator, config_view, credit_view, vault, job_view, provider, rent_payer, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = SettleArgs::from_bytes(data)?;
    let output_tokens = u32::from_le_bytes(args.output_tokens);
    let share_bps = u16::from_le_bytes(args.provider_share_bps);

    // Validation.
    let config = load_config_as_operator(config_view, operator)?;
    let credit = load_mut::<CreditAccount>(credit_view)?;
    let job = load_job(job_view, credit_view.address(), rent_payer)?;
    if unix_timestamp()? >= job.expires_at() {
        return Err(JobEscrowError::JobExpired.into());
    }
    if output_tokens > job.max_output_tokens() {
        return Err(JobEscrowError::OutputExceedsMax.into());
    }
    if share_bps < config.provider_share_bps_min() || share_bps > config.provider_share_bps_max() {
        return Err(JobEscrowError::ShareOutOfBounds.into());
    }
    // The prices the job was locked at, whatever the tier table says now.
    let credits_locked = job.credits_locked();
    let charged = job.price.cost(output_tokens)?;
    if charged > credits_locked {
        return Err(JobEscrowError::ChargeExceedsLock.into());
    }
    require_key(token_program, &TOKEN_PROGRAM_ID, JobEscrowError::InvalidTokenProgram)?;
    load_vault(vault, &credit.vault, credit_view.address(), &config.mint)?;
    if provider.address() == vault.address() {
        return Err(JobEscrowError::DuplicateAccount.into());
    }
    // Credit laundering: a worker is paid into a token account owned by a
    // wallet. An account owned by a PDA (every job_escrow vault is) is
    // refused, so settle cannot move one user's credits into another's vault.
    let worker = TokenAccount::load(provider, &config.mint, JobEscrowError::InvalidTokenAccount)?;
    if !is_on_curve(worker.owner.as_array()) {
        return Err(JobEscrowError::InvalidTokenAccount.into());
    }
    let amount = math::mul(charged, config.price_per_credit())?;
    let worker_amount = math::mul_div_floor(amount, u64::from(share_bps), BPS_DENOMINATOR)?;
    let fee = math::sub(amount, worker_amount)?;
    let job_id = job.job_id().to_le_bytes();

    // State.
    credit.release(credits_locked)?;
    credit.spend_promo(charged);
    credit.unspend_daily(math::sub(credits_locked, charged)?, job.locked_at());
    credit.set_fees_accrued(math::add(credit.fees_accrued(), fee)?);
    credit.set_charged(math::add(credit.charged(), charged)?);
    close_account(job_view, rent_payer)?;

    // CPI: pay the worker from the vault, signed by the CreditAccount PDA.
    with_credit_signer(&credit.owner, credit.bump, |signer| {
        TokenTransfer { from: vault, to: provider, authority: credit_view, amount: worker_amount }.invoke(signer)
    })?;

    // Event.
    JobSettled::new(job_id, charged.to_le_bytes(), worker_amount.to_le_bytes()).emit();
    Ok(())
}
