use {
    super::shared::require_signer,
    crate::{
        error::JobEscrowError,
        events::{ConfigUpdated, Event},
        state::{load_mut, Config},
    },
    pinocchio::{error::ProgramError, AccountView, Address, ProgramResult},
};

/// Second step of the admin hand-over: the nominee signs and becomes admin.
pub fn process_accept_admin(accounts: &mut [AccountView], _data: &[u8]) -> ProgramResult {
    // Accounts.
    let [new_admin, config_view, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Validation.
    require_signer(new_admin)?;
    // SAFETY: the Config is the only program account this instruction loads,
    // once.
    let config = unsafe { load_mut::<Config>(config_view)? };
    if config.pending_admin == Address::default() || new_admin.address() != &config.pending_admin {
        return Err(JobEscrowError::NoPendingAdmin.into());
    }

    // State.
    config.admin = config.pending_admin;
    config.pending_admin = Address::default();

    // Event.
    ConfigUpdated::from_config(config).emit();
    Ok(())
}
