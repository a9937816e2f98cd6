use {
    super::shared::{
        args::Args,
        batch::{jobs, Groups},
        jobs::{load_lock_config, lock_job, JobAccount, LockArgs},
        sysvar::unix_timestamp,
    },
    crate::{
        error::JobEscrowError,
        state::{load_credit_mut, load_vault},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// One job of a `lock_batch` (14 bytes): `account` is the index of its
/// (credit_account, vault) pair among the remaining accounts.
#[repr(C)]
pub struct LockBatchJob {
    pub account: u8,
    pub lock: LockArgs,
}

// SAFETY: repr(C) of a byte and byte arrays, alignment 1, no padding.
unsafe impl Args for LockBatchJob {}

/// `lock` for many jobs across many credit accounts, job by job under
/// lock's rules; one bad job rejects the whole instruction. Accounts:
/// authority, config, then (credit_account, vault) per account.
pub fn process_lock_batch(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [authority, config_view, rest @ ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let jobs = jobs::<LockBatchJob>(data)?;

    // Validation, state and events, one account at a time.
    let config = load_lock_config(config_view, authority)?;
    let now = unix_timestamp()?;
    let mut groups = Groups::<2>::new(rest);
    let mut current: Option<JobAccount> = None;
    for job in jobs {
        if let Some([credit_view, vault]) = groups.enter(job.account)? {
            // SAFETY: `groups.enter` yields each credit account once (strictly
            // increasing addresses), so no other loaded CreditAccount is this
            // one; the Config was loaded first (a duplicate of it fails the
            // discriminator check) and the vault is borrowed only after a
            // Token-owner check.
            let (credit, slots) = unsafe { load_credit_mut(credit_view)? };
            let vault_amount = load_vault(vault, &credit.vault, credit_view.address(), &config.mint, &config.token_program)?.amount();
            current = Some(JobAccount::new(credit_view.address(), (credit, slots), vault_amount));
        }
        let account = current.as_mut().ok_or(JobEscrowError::InvalidBatch)?;
        lock_job(config, authority.address(), account, &job.lock, now)?;
    }
    Ok(())
}
