use {
    super::shared::{
        args::Args,
        jobs::{load_lock_config, lock_job, JobAccount, LockArgs},
        sysvar::unix_timestamp,
    },
    crate::state::{load_credit_mut, load_vault},
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

// SAFETY: repr(C) of byte arrays, alignment 1, no padding.
unsafe impl Args for LockArgs {}

/// Locks the price of a job (computed from the tier table for
/// `max_output_tokens`) in a free job slot of the credit account; the job
/// expires `job_timeout_secs` from now.
pub fn process_lock(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [authority, config_view, credit_view, vault, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = LockArgs::from_bytes(data)?;

    // Validation.
    let config = load_lock_config(config_view, authority)?;
    // SAFETY: loaded once, after the Config (a credit_view that duplicates
    // config_view fails the discriminator check); the vault is a Token
    // account, borrowed only after a Token-owner check.
    let (credit, slots) = unsafe { load_credit_mut(credit_view)? };
    let vault_amount = load_vault(vault, &credit.vault, credit_view.address(), &config.mint, &config.token_program)?.amount();
    let mut account = JobAccount::new(credit_view.address(), (credit, slots), vault_amount);

    // State and event.
    lock_job(config, authority.address(), &mut account, args, unix_timestamp()?)
}
