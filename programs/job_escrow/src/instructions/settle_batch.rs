use {
    super::shared::{
        args::Args,
        batch::{jobs, Groups},
        jobs::{check_not_vault, check_worker_account, pay_worker, settle_job, JobAccount, SettleArgs},
        load_config_as_operator,
        sysvar::unix_timestamp,
        Token, TokenAccounts,
    },
    crate::{error::JobEscrowError, math, state::load_credit_mut},
    pinocchio::{error::ProgramError, AccountView, Address, ProgramResult},
};

/// One job of a `settle_batch` (16 bytes): `account` is the index of its
/// (credit_account, vault) pair, `provider` the index of the worker's token
/// account among the remaining accounts.
#[repr(C)]
pub struct SettleBatchJob {
    pub account: u8,
    pub provider: u8,
    pub settle: SettleArgs,
}

// SAFETY: repr(C) of bytes and byte arrays, alignment 1, no padding.
unsafe impl Args for SettleBatchJob {}

/// A transfer not yet made: consecutive jobs of one account that pay one
/// worker are paid with one transfer.
struct Payment<'a> {
    owner: Address,
    bump: u8,
    credit: &'a AccountView,
    vault: &'a AccountView,
    provider: &'a AccountView,
    amount: u64,
}

impl Payment<'_> {
    #[inline(always)]
    fn pay(&self, token: &Token) -> ProgramResult {
        pay_worker(token, (&self.owner, self.bump), self.credit, self.vault, self.provider, self.amount)
    }
}

/// `settle` for many jobs across many credit accounts, job by job under
/// settle's rules; one bad job rejects the whole instruction. Accounts:
/// operator, config, mint, token_program, then (credit_account, vault) per
/// account, then the workers' token accounts.
pub fn process_settle_batch(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [operator, config_view, mint, token_program, rest @ ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let rest: &[AccountView] = rest;

    // Data.
    let jobs = jobs::<SettleBatchJob>(data)?;

    // Validation.
    let config = load_config_as_operator(config_view, operator)?;
    let token = TokenAccounts { mint, token_program }.check(config)?;
    let now = unix_timestamp()?;

    // State, events and payments, one account at a time.
    let mut groups = Groups::<2>::new(rest);
    let mut current: Option<(JobAccount, &AccountView, &AccountView)> = None;
    let mut pending: Option<Payment> = None;
    // The worker account checked last: its owner and mint cannot change
    // within the instruction, so its curve check is made once.
    let mut checked_worker: Option<&Address> = None;
    for job in jobs {
        if let Some([credit_view, vault]) = groups.enter(job.account)? {
            // SAFETY: `groups.enter` yields each credit account once (strictly
            // increasing addresses), so no other loaded CreditAccount is this
            // one; the Config was loaded first (a duplicate of it fails the
            // discriminator check) and vaults and workers are borrowed only
            // after a Token-owner check.
            let (credit, slots) = unsafe { load_credit_mut(credit_view)? };
            token.vault(vault, &credit.vault, credit_view.address())?;
            current = Some((JobAccount::new(credit_view.address(), (credit, slots), 0), credit_view, vault));
        }
        let (account, credit_view, vault) = current.as_mut().ok_or(JobEscrowError::InvalidBatch)?;
        let provider = rest.get(usize::from(job.provider)).ok_or(JobEscrowError::InvalidBatch)?;
        let worker_amount = settle_job(config, account, &job.settle, now)?;
        match pending.as_mut() {
            Some(p) if p.vault.address() == vault.address() && p.provider.address() == provider.address() => {
                p.amount = math::add(p.amount, worker_amount)?;
            }
            _ => {
                check_not_vault(provider, vault)?;
                if checked_worker != Some(provider.address()) {
                    check_worker_account(&token, provider)?;
                    checked_worker = Some(provider.address());
                }
                if let Some(p) = pending.take() {
                    p.pay(&token)?;
                }
                let (owner, bump) = (account.credit.owner, account.credit.bump);
                pending = Some(Payment { owner, bump, credit: credit_view, vault, provider, amount: worker_amount });
            }
        }
    }
    match pending {
        Some(p) => p.pay(&token),
        None => Ok(()),
    }
}
