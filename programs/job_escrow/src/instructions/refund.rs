use {
    super::shared::{close_account, load_job, require_signer, sysvar::unix_timestamp},
    crate::{
        error::JobEscrowError,
        events::{Event, JobRefunded},
        state::{load, load_mut, Config, CreditAccount},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// `JobRefunded.reason`: the operator refunded before expiry.
pub const REASON_FAILED: u8 = 0;
/// `JobRefunded.reason`: the job had expired.
pub const REASON_EXPIRED: u8 = 1;

/// Returns a job's lock to the owner's balance and closes the Job (rent to
/// its payer). The operator may refund at any time; anyone may once the job
/// has expired.
pub fn process_refund(accounts: &mut [AccountView], _data: &[u8]) -> ProgramResult {
    // Accounts.
    let [authority, config_view, credit_view, job_view, rent_payer, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Validation.
    require_signer(authority)?;
    let config = load::<Config>(config_view)?;
    let credit = load_mut::<CreditAccount>(credit_view)?;
    let job = load_job(job_view, credit_view.address(), rent_payer)?;
    let expired = unix_timestamp()? >= job.expires_at();
    if !expired && authority.address() != &config.operator {
        return Err(JobEscrowError::JobNotExpired.into());
    }
    let credits = job.credits_locked();
    let job_id = job.job_id().to_le_bytes();

    // State.
    credit.release(credits)?;
    credit.unspend_daily(credits, job.locked_at());
    close_account(job_view, rent_payer)?;

    // Event.
    let reason = if expired { REASON_EXPIRED } else { REASON_FAILED };
    JobRefunded::new(job_id, credits.to_le_bytes(), reason).emit();
    Ok(())
}
