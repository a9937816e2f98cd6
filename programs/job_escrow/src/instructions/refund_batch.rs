use {
    super::shared::{
        args::Args,
        batch::{jobs, Groups},
        jobs::{refund_job, JobAccount},
        require_signer,
        sysvar::unix_timestamp,
    },
    crate::{
        error::JobEscrowError,
        state::{load, load_credit_mut, Config},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// One job of a `refund_batch` (9 bytes): `account` is the index of its
/// credit account among the remaining accounts.
#[repr(C)]
pub struct RefundBatchJob {
    pub account: u8,
    pub job_id: [u8; 8],
}

// SAFETY: repr(C) of a byte and a byte array, alignment 1, no padding.
unsafe impl Args for RefundBatchJob {}

/// `refund` for many jobs across many credit accounts, job by job under
/// refund's rules; one bad job rejects the whole instruction. Accounts:
/// authority, config, then the credit accounts.
pub fn process_refund_batch(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [authority, config_view, rest @ ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let jobs = jobs::<RefundBatchJob>(data)?;

    // Validation, state and events, one account at a time.
    require_signer(authority)?;
    let config = load::<Config>(config_view)?;
    let now = unix_timestamp()?;
    let mut groups = Groups::<1>::new(rest);
    let mut current: Option<JobAccount> = None;
    for job in jobs {
        if let Some([credit_view]) = groups.enter(job.account)? {
            // SAFETY: `groups.enter` yields each credit account once (strictly
            // increasing addresses), so no other loaded CreditAccount is this
            // one; the Config was loaded first (a duplicate of it fails the
            // discriminator check).
            let (credit, slots) = unsafe { load_credit_mut(credit_view)? };
            current = Some(JobAccount::new(credit_view.address(), (credit, slots), 0));
        }
        let account = current.as_mut().ok_or(JobEscrowError::InvalidBatch)?;
        refund_job(config, authority.address(), account, &job.job_id, now)?;
    }
    Ok(())
}
