use {
    super::shared::{close_account, cpi::token_close, cpi::with_credit_signer, OwnerAccounts},
    crate::{
        error::JobEscrowError,
        events::{CreditAccountClosed, Event},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// Closes an empty credit account: no open jobs, no fees owed, an empty
/// vault. The vault's and the account's rent go to the owner.
pub fn process_close_credit_account(accounts: &mut [AccountView], _data: &[u8]) -> ProgramResult {
    // Accounts.
    let [owner, config_view, credit_view, vault, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Validation.
    let (_, credit, vault_amount) =
        OwnerAccounts { owner, config: config_view, credit_account: credit_view, vault, token_program }.load()?;
    if vault_amount != 0 || credit.locked() != 0 || credit.open_jobs() != 0 || credit.fees_accrued() != 0 || credit.promo_credits() != 0 {
        return Err(JobEscrowError::CreditAccountNotEmpty.into());
    }
    let (owner_key, bump) = (credit.owner, credit.bump);

    // CPI: close the vault, signed by the CreditAccount PDA.
    with_credit_signer(&owner_key, bump, |signer| token_close(vault, owner, credit_view, signer))?;

    // State.
    close_account(credit_view, owner)?;

    // Event.
    CreditAccountClosed::new(owner_key, *credit_view.address()).emit();
    Ok(())
}
