use {
    super::shared::{
        args::Args,
        jobs::{check_worker, pay_worker, settle_job, JobAccount, SettleArgs},
        load_config_as_operator,
        sysvar::unix_timestamp,
        TokenAccounts,
    },
    crate::state::load_credit_mut,
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

// SAFETY: repr(C) of byte arrays, alignment 1, no padding.
unsafe impl Args for SettleArgs {}

/// Charges `cost(tier, output_tokens)` credits of a job before it expires:
/// the worker receives `provider_share_bps` of that USDC, the rest stays in
/// the vault as fees owed to the treasury, the remainder of the lock returns
/// to the owner's balance, and the job's slot is freed.
pub fn process_settle(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [operator, config_view, credit_view, vault, provider, mint, token_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = SettleArgs::from_bytes(data)?;

    // Validation.
    let config = load_config_as_operator(config_view, operator)?;
    let token = TokenAccounts { mint, token_program }.check(config)?;
    // SAFETY: loaded once, after the Config (a credit_view that duplicates
    // config_view fails the discriminator check); the vault and provider are
    // Token accounts, borrowed only after a Token-owner check.
    let (credit, slots) = unsafe { load_credit_mut(credit_view)? };
    token.vault(vault, &credit.vault, credit_view.address())?;
    check_worker(&token, provider, vault)?;
    let (owner, bump) = (credit.owner, credit.bump);
    let mut account = JobAccount::new(credit_view.address(), (credit, slots), 0);

    // State and event.
    let worker_amount = settle_job(config, &mut account, args, unix_timestamp()?)?;

    // CPI: pay the worker from the vault, signed by the CreditAccount PDA.
    pay_worker(&token, (&owner, bump), credit_view, vault, provider, worker_amount)
}
