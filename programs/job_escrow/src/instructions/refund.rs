use {
    super::shared::{
        args::Args,
        jobs::{refund_job, JobAccount},
        require_signer,
        sysvar::unix_timestamp,
    },
    crate::state::{load, load_credit_mut, Config},
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

pub use super::shared::jobs::{REASON_EXPIRED, REASON_FAILED};

/// `refund` arguments (8 bytes).
#[repr(C)]
pub struct RefundArgs {
    pub job_id: [u8; 8],
}

// SAFETY: repr(C) of a byte array, alignment 1, no padding.
unsafe impl Args for RefundArgs {}

/// Returns a job's lock to the owner's balance and frees its slot. The
/// operator may refund at any time; anyone may once the job has expired.
pub fn process_refund(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [authority, config_view, credit_view, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = RefundArgs::from_bytes(data)?;

    // Validation.
    require_signer(authority)?;
    let config = load::<Config>(config_view)?;
    // SAFETY: loaded once, after the Config (a credit_view that duplicates
    // config_view fails the discriminator check).
    let (credit, slots) = unsafe { load_credit_mut(credit_view)? };
    let mut account = JobAccount::new(credit_view.address(), (credit, slots), 0);

    // State and event.
    refund_job(config, authority.address(), &mut account, &args.job_id, unix_timestamp()?)
}
