use {
    super::shared::{cpi::with_credit_signer, require_key, TokenAccounts},
    crate::{
        error::JobEscrowError,
        events::{Event, FeesCollected},
        state::{load, load_mut, Config, CreditAccount},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// Moves a credit account's accrued fees from its vault to the treasury.
/// Anyone may call it (a crank): the destination is fixed by the Config.
pub fn process_collect_fees(accounts: &mut [AccountView], _data: &[u8]) -> ProgramResult {
    // Accounts.
    let [config_view, credit_view, vault, treasury, mint, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Validation.
    let config = load::<Config>(config_view)?;
    // SAFETY: loaded once, after the Config (a credit_view that duplicates
    // config_view fails the discriminator check); the vault is a Token
    // account, borrowed only after a Token-owner check.
    let credit = unsafe { load_mut::<CreditAccount>(credit_view)? };
    require_key(treasury, &config.treasury, JobEscrowError::InvalidTreasury)?;
    let token = TokenAccounts { mint, token_program }.check(config)?;
    token.vault(vault, &credit.vault, credit_view.address())?;
    let fees = credit.fees_accrued();
    if fees == 0 {
        return Err(JobEscrowError::NothingToCollect.into());
    }

    // State.
    credit.set_fees_accrued(0);

    // CPI: vault to treasury, signed by the CreditAccount PDA.
    with_credit_signer(&credit.owner, credit.bump, |signer| token.transfer(vault, treasury, credit_view, fees, signer))?;

    // Event.
    FeesCollected::new(*credit_view.address(), fees.to_le_bytes()).emit();
    Ok(())
}
