//! The rules of lock, settle and refund for one job, written once: the
//! single instructions and their batch forms (lock_batch, settle_batch,
//! refund_batch) apply them job by job.
use {
    super::{cpi::with_credit_signer, curve::is_on_curve, require_signer, Token},
    crate::{
        error::JobEscrowError,
        events::{Event, JobLocked, JobRefunded, JobSettled},
        math,
        state::{free_slot_for, find_job, load, Config, CreditAccount, JobSlot, BPS_DENOMINATOR},
    },
    pinocchio::{error::ProgramError, AccountView, Address, ProgramResult},
};

/// `JobRefunded.reason`: the operator refunded before expiry.
pub const REASON_FAILED: u8 = 0;
/// `JobRefunded.reason`: the job had expired.
pub const REASON_EXPIRED: u8 = 1;

/// `lock` arguments (13 bytes).
#[repr(C)]
pub struct LockArgs {
    pub job_id: [u8; 8],
    pub tier: u8,
    pub max_output_tokens: [u8; 4],
}

/// `settle` arguments (14 bytes).
#[repr(C)]
pub struct SettleArgs {
    pub job_id: [u8; 8],
    pub output_tokens: [u8; 4],
    pub provider_share_bps: [u8; 2],
}

/// The Config of an instruction that locks jobs: `authority` signed and the
/// program is not paused.
#[inline(always)]
pub fn load_lock_config<'a>(config: &'a AccountView, authority: &AccountView) -> Result<&'a Config, ProgramError> {
    require_signer(authority)?;
    let config = load::<Config>(config)?;
    if config.paused() {
        return Err(JobEscrowError::Paused.into());
    }
    Ok(config)
}

/// One credit account a job instruction works on, loaded once for all its
/// jobs.
pub struct JobAccount<'a> {
    pub address: &'a Address,
    pub credit: &'a mut CreditAccount,
    pub slots: &'a mut [JobSlot],
    /// The vault's balance (lock), read when the account was loaded.
    pub vault_amount: u64,
    /// Where the next job search starts: the slot after the last job found.
    next: usize,
}

impl<'a> JobAccount<'a> {
    #[inline(always)]
    pub fn new(address: &'a Address, (credit, slots): (&'a mut CreditAccount, &'a mut [JobSlot]), vault_amount: u64) -> Self {
        Self { address, credit, slots, vault_amount, next: 0 }
    }

    /// The slot of job `job_id`, searched from where the last one was found.
    #[inline(always)]
    fn find(&mut self, job_id: &[u8; 8]) -> Result<usize, JobEscrowError> {
        let index = find_job(self.slots, job_id, self.next)?;
        self.next = index.saturating_add(1);
        Ok(index)
    }
}

/// Locks one job in a free slot of `account`: the price from the tier table
/// for `max_output_tokens`, within the owner's caps and available credits;
/// `authority` is the operator or the owner. Emits JobLocked.
#[inline(always)]
pub fn lock_job(config: &Config, authority: &Address, account: &mut JobAccount, args: &LockArgs, now: i64) -> ProgramResult {
    let credit = &mut *account.credit;
    if authority != &config.operator && authority != &credit.owner {
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
    credit.spend_daily(credits, now)?;
    let mut available = credit.available(account.vault_amount, config.price_per_credit())?;
    // Expired promo credits cannot back a new lock.
    if credit.promo_expired(now) {
        available = credit.without_promo(available);
    }
    if credits > available {
        return Err(JobEscrowError::InsufficientCredits.into());
    }
    let index = free_slot_for(account.slots, &args.job_id, credit.open_jobs())?;
    let expires_at = now
        .checked_add(i64::from(config.job_timeout_secs()))
        .ok_or(JobEscrowError::ArithmeticOverflow)?;

    // State.
    credit.lock(credits)?;
    let slot = &mut account.slots[index];
    slot.set_job_id(u64::from_le_bytes(args.job_id));
    slot.tier = args.tier;
    slot.set_max_output_tokens(max_output_tokens);
    slot.set_credits_locked(credits);
    slot.price = *tier;
    slot.set_locked_at(now);
    slot.set_expires_at(expires_at);

    // Event.
    JobLocked::new(*account.address, args.job_id, args.tier, credits.to_le_bytes(), expires_at.to_le_bytes()).emit();
    Ok(())
}

/// Settles one job of `account` before it expires: charges
/// `cost(price at lock, output_tokens)`, keeps the fee as fees_accrued,
/// returns the rest of the lock and frees the slot. Emits JobSettled and
/// returns what the worker is owed (the caller transfers it).
#[inline(always)]
pub fn settle_job(config: &Config, account: &mut JobAccount, args: &SettleArgs, now: i64) -> Result<u64, ProgramError> {
    let index = account.find(&args.job_id)?;
    let credit = &mut *account.credit;
    let job = &mut account.slots[index];
    if now >= job.expires_at() {
        return Err(JobEscrowError::JobExpired.into());
    }
    let output_tokens = u32::from_le_bytes(args.output_tokens);
    if output_tokens > job.max_output_tokens() {
        return Err(JobEscrowError::OutputExceedsMax.into());
    }
    let share_bps = u16::from_le_bytes(args.provider_share_bps);
    if share_bps < config.provider_share_bps_min() || share_bps > config.provider_share_bps_max() {
        return Err(JobEscrowError::ShareOutOfBounds.into());
    }
    // The prices the job was locked at, whatever the tier table says now.
    let credits_locked = job.credits_locked();
    let charged = job.price.cost(output_tokens)?;
    if charged > credits_locked {
        return Err(JobEscrowError::ChargeExceedsLock.into());
    }
    let amount = math::mul(charged, config.price_per_credit())?;
    let worker_amount = math::mul_div_floor(amount, u64::from(share_bps), BPS_DENOMINATOR)?;
    let fee = math::sub(amount, worker_amount)?;

    // State.
    credit.release(credits_locked)?;
    credit.spend_promo(charged);
    credit.unspend_daily(math::sub(credits_locked, charged)?, job.locked_at());
    credit.set_fees_accrued(math::add(credit.fees_accrued(), fee)?);
    credit.set_charged(math::add(credit.charged(), charged)?);
    job.free();

    // Event.
    JobSettled::new(*account.address, args.job_id, charged.to_le_bytes(), worker_amount.to_le_bytes()).emit();
    Ok(worker_amount)
}

/// Refunds one job of `account`: the operator at any time, anyone once it
/// expired. Returns the lock to the balance and frees the slot. Emits
/// JobRefunded.
#[inline(always)]
pub fn refund_job(config: &Config, authority: &Address, account: &mut JobAccount, job_id: &[u8; 8], now: i64) -> ProgramResult {
    let index = account.find(job_id)?;
    let credit = &mut *account.credit;
    let job = &mut account.slots[index];
    let expired = now >= job.expires_at();
    if !expired && authority != &config.operator {
        return Err(JobEscrowError::JobNotExpired.into());
    }
    let credits = job.credits_locked();

    // State.
    credit.release(credits)?;
    credit.unspend_daily(credits, job.locked_at());
    job.free();

    // Event.
    let reason = if expired { REASON_EXPIRED } else { REASON_FAILED };
    JobRefunded::new(*account.address, *job_id, credits.to_le_bytes(), reason).emit();
    Ok(())
}

/// Checks `provider`, the token account a settle pays: not `vault`, and a
/// worker's account ([`check_worker_account`]).
#[inline(always)]
pub fn check_worker(token: &Token, provider: &AccountView, vault: &AccountView) -> ProgramResult {
    check_not_vault(provider, vault)?;
    check_worker_account(token, provider)
}

/// A settle never pays a job's own vault.
#[inline(always)]
pub fn check_not_vault(provider: &AccountView, vault: &AccountView) -> ProgramResult {
    if provider.address() == vault.address() {
        return Err(JobEscrowError::DuplicateAccount.into());
    }
    Ok(())
}

/// `provider` is an initialized token account of the mint (under the
/// Config's token program) owned by a wallet. Credit laundering: an account owned by a PDA (every job_escrow
/// vault is) is refused, so settle cannot move one user's credits into
/// another's vault.
#[inline(always)]
pub fn check_worker_account(token: &Token, provider: &AccountView) -> ProgramResult {
    let worker = token.account(provider, JobEscrowError::InvalidTokenAccount)?;
    if !is_on_curve(worker.owner.as_array()) {
        return Err(JobEscrowError::InvalidTokenAccount.into());
    }
    Ok(())
}

/// Pays a worker `amount` from the vault of the credit account of `owner`
/// (PDA bump `bump`), signed by that PDA.
#[inline(always)]
pub fn pay_worker(
    token: &Token,
    (owner, bump): (&Address, u8),
    credit: &AccountView,
    vault: &AccountView,
    provider: &AccountView,
    amount: u64,
) -> ProgramResult {
    with_credit_signer(owner, bump, |signer| token.transfer(vault, provider, credit, amount, signer))
}
