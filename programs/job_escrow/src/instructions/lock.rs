use {
    super::shared::{args::Args, cpi::NewAccount, pda::job_bump, require_key, require_signer, sysvar::unix_timestamp},
    crate::{
        error::JobEscrowError,
        events::{Event, JobLocked},
        state::{init, load, load_mut, load_vault, Config, CreditAccount, Job, ProgramAccount, JOB_SEED, SYSTEM_PROGRAM_ID},
    },
    pinocchio::{
        cpi::{Seed, Signer},
        error::ProgramError,
        AccountView, ProgramResult,
    },
};

/// `lock` arguments (13 bytes).
#[repr(C)]
pub struct LockArgs {
    pub job_id: [u8; 8],
    pub tier: u8,
    pub max_output_tokens: [u8; 4],
}

// SAFETY: repr(C) of byte arrays, alignment 1, no padding.
unsafe impl Args for LockArgs {}

/// Locks the price of a job (computed from the tier table for
/// `max_output_tokens`) and creates its Job PDA, which expires
/// `job_timeout_secs` from now.
pub fn process_lock(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [authority, rent_payer, config_view, credit_view, vault, job_view, system_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = LockArgs::from_bytes(data)?;

    // Validation.
    require_signer(authority)?;
    require_signer(rent_payer)?;
    let config = load::<Config>(config_view)?;
    if config.paused() {
        return Err(JobEscrowError::Paused.into());
    }
    let credit = load_mut::<CreditAccount>(credit_view)?;
    if authority.address() != &config.operator && authority.address() != &credit.owner {
        return Err(JobEscrowError::Unauthorized.into());
    }
    let tier = config.tiers.get(usize::from(args.tier)).ok_or(JobEscrowError::InvalidTier)?;
    let max_output_tokens = u32::from_le_bytes(args.max_output_tokens);
    if max_output_tokens > config.max_output_tokens_per_job() {
        return Err(JobEscrowError::MaxOutputTokensTooLarge.into());
    }
    let credits = tier.cost(max_output_tokens)?;
    let cap = credit.max_credits_per_job();
    if cap != 0 && credits > cap {
        return Err(JobEscrowError::SpendingLimitExceeded.into());
    }
    let now = unix_timestamp()?;
    credit.spend_daily(credits, now)?;
    let vault_amount = load_vault(vault, &credit.vault, credit_view.address(), &config.mint)?.amount();
    let mut available = credit.available(vault_amount, config.price_per_credit())?;
    // Expired promo credits cannot back a new lock.
    if credit.promo_expired(now) {
        available = credit.without_promo(available);
    }
    if credits > available {
        return Err(JobEscrowError::InsufficientCredits.into());
    }
    require_key(system_program, &SYSTEM_PROGRAM_ID, JobEscrowError::InvalidProgramAccount)?;
    if job_view.owned_by(&crate::ID) {
        return Err(JobEscrowError::AlreadyInitialized.into());
    }
    let bump = job_bump(job_view.address(), credit_view.address(), &args.job_id)?;
    let expires_at = now
        .checked_add(i64::from(config.job_timeout_secs()))
        .ok_or(JobEscrowError::ArithmeticOverflow)?;

    // CPI: create the Job, signed with its seeds (which also makes the
    // runtime check that the address is off the curve).
    let bump_seed = [bump];
    let seeds = [
        Seed::from(JOB_SEED),
        Seed::from(credit_view.address().as_ref()),
        Seed::from(&args.job_id),
        Seed::from(&bump_seed),
    ];
    // The rent-exempt minimum was read from the Rent sysvar into the Config
    // (initialize_config, update_config): 124 CU less on every lock.
    let rent = config.job_rent_lamports();
    NewAccount { payer: rent_payer, account: job_view, space: Job::LEN as u64, lamports: rent }.create(&[Signer::from(&seeds)])?;

    // State.
    credit.lock(credits)?;
    let job = init::<Job>(job_view)?;
    job.credit_account = *credit_view.address();
    job.set_job_id(u64::from_le_bytes(args.job_id));
    job.tier = args.tier;
    job.set_max_output_tokens(max_output_tokens);
    job.set_credits_locked(credits);
    job.price = *tier;
    job.rent_payer = *rent_payer.address();
    job.set_locked_at(now);
    job.set_expires_at(expires_at);
    job.bump = bump;

    // Event.
    JobLocked::new(args.job_id, args.tier, credits.to_le_bytes(), expires_at.to_le_bytes()).emit();
    Ok(())
}
