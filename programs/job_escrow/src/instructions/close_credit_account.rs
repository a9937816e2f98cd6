use {
    super::shared::{close_account, cpi::with_credit_signer, cpi::TokenCloseAccount, require_key, OwnerAccounts, TokenAccounts},
    crate::{
        error::JobEscrowError,
        events::{CreditAccountClosed, Event},
        math,
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// Closes an empty credit account: no open jobs, no fees owed, an empty
/// vault. The rent goes back to whoever paid it: `rent_paid` lamports (the
/// account's and the vault's rent) to `rent_payer`, the rest to the owner.
pub fn process_close_credit_account(accounts: &mut [AccountView], _data: &[u8]) -> ProgramResult {
    // Accounts.
    let [owner, config_view, credit_view, vault, rent_payer, mint, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Validation.
    // SAFETY: the only load of these accounts in this instruction; the
    // vault's CloseAccount CPI only credits credit_view's lamports, and
    // `close_account` takes credit_view mutably, which the borrow checker
    // allows only after the last use of `credit`.
    let (_, credit, vault_amount, token) = unsafe {
        let token = TokenAccounts { mint, token_program };
        OwnerAccounts { owner, config: config_view, credit_account: credit_view, vault, token }.load()?
    };
    if vault_amount != 0 || credit.locked() != 0 || credit.open_jobs() != 0 || credit.fees_accrued() != 0 || credit.promo_credits() != 0 {
        return Err(JobEscrowError::CreditAccountNotEmpty.into());
    }
    require_key(rent_payer, &credit.rent_payer, JobEscrowError::InvalidRentPayer)?;
    let (owner_key, bump, rent_paid) = (credit.owner, credit.bump, credit.rent_paid());

    // CPI: close the vault into the credit account, signed by its PDA.
    with_credit_signer(&owner_key, bump, |signer| {
        TokenCloseAccount { account: vault, destination: credit_view, authority: credit_view, token_program: token.program }.invoke_signed(signer)
    })?;

    // State: the rent paid back to its payer (at most what the account
    // holds), the rest to the owner, and the account closed.
    let refund = rent_paid.min(credit_view.lamports());
    rent_payer.set_lamports(math::add(rent_payer.lamports(), refund)?);
    credit_view.set_lamports(math::sub(credit_view.lamports(), refund)?);
    close_account(credit_view, owner)?;

    // Event.
    CreditAccountClosed::new(owner_key, *credit_view.address()).emit();
    Ok(())
}
