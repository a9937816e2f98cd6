use {
    super::shared::{args::Args, require_key, require_signer},
    crate::{
        error::JobEscrowError,
        events::{ConfigUpdated, Event},
        state::{load_mut, Config},
    },
    pinocchio::{error::ProgramError, AccountView, Address, ProgramResult},
};

/// `nominate_admin` arguments.
#[repr(C)]
pub struct NominateAdminArgs {
    pub new_admin: Address,
}

// SAFETY: repr(C) of one address.
unsafe impl Args for NominateAdminArgs {}

/// First step of the admin hand-over: records the nominee, who must accept.
/// Nominating the default (all-zero) key cancels a pending nomination.
pub fn process_nominate_admin(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [admin, config_view, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = NominateAdminArgs::from_bytes(data)?;

    // Validation.
    require_signer(admin)?;
    // SAFETY: the Config is the only program account this instruction loads,
    // once.
    let config = unsafe { load_mut::<Config>(config_view)? };
    require_key(admin, &config.admin, JobEscrowError::Unauthorized)?;

    // State.
    config.pending_admin = args.new_admin;

    // Event.
    ConfigUpdated::from_config(config).emit();
    Ok(())
}
