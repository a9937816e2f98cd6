use {
    super::shared::{
        cpi::{NewAccount, with_credit_signer, CreateAta},
        require_key, require_signer, TokenAccounts,
        sysvar::{rent_exempt_minimum, unix_timestamp},
    },
    crate::{
        error::JobEscrowError,
        events::{CreditAccountOpened, Event},
        state::{
            credit_account_len, init_sized, load, load_vault, Config, CreditAccount, ATA_PROGRAM_ID, CREDIT_SEED,
            DEFAULT_JOB_SLOTS, MAX_JOB_SLOTS, SYSTEM_PROGRAM_ID,
        },
    },
    pinocchio::{error::ProgramError, AccountView, Address, ProgramResult},
};

/// Creates the CreditAccount PDA `["credits", owner]` and its vault, the
/// ATA of (CreditAccount, mint) under the mint's own token program. Any payer; the owner need not
/// sign (so a platform can open accounts for its users). The payer is
/// recorded as `rent_payer` with the lamports it paid (the account's rent
/// and the vault's when this call creates it), which close_credit_account
/// pays back to it. The account holds `job_slots` job slots (0: 16; at most
/// 64), all free.
pub fn process_open_credit_account(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [payer, owner, config_view, credit_view, vault, mint, token_program, ata_program, system_program, ..] =
        accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let [job_slots] = *data else {
        return Err(JobEscrowError::InvalidInstructionData.into());
    };
    let job_slots = match job_slots {
        0 => DEFAULT_JOB_SLOTS,
        n if n <= MAX_JOB_SLOTS => n,
        _ => return Err(JobEscrowError::TooManyJobSlots.into()),
    };

    // Validation.
    require_signer(payer)?;
    let config = load::<Config>(config_view)?;
    TokenAccounts { mint, token_program }.check(config)?;
    require_key(ata_program, &ATA_PROGRAM_ID, JobEscrowError::InvalidProgramAccount)?;
    require_key(system_program, &SYSTEM_PROGRAM_ID, JobEscrowError::InvalidProgramAccount)?;
    if credit_view.owned_by(&crate::ID) {
        return Err(JobEscrowError::AlreadyInitialized.into());
    }
    let seeds = [CREDIT_SEED, owner.address().as_ref()];
    let (expected, bump) = Address::find_program_address(&seeds, &crate::ID);
    require_key(credit_view, &expected, JobEscrowError::InvalidPda)?;

    // CPIs: the account, then its vault (idempotent: a vault someone created
    // earlier is accepted once it passes the vault checks below).
    let space = credit_account_len(job_slots);
    let rent = rent_exempt_minimum(space as u64)?;
    let payer_before = payer.lamports();
    with_credit_signer(owner.address(), bump, |signer| {
        NewAccount { payer, account: credit_view, space: space as u64, lamports: rent }.create(signer)
    })?;
    CreateAta { payer, ata: vault, wallet: credit_view, mint, system_program, token_program }.invoke()?;
    load_vault(vault, vault.address(), credit_view.address(), mint.address(), token_program.address())?;
    let rent_paid = crate::math::sub(payer_before, payer.lamports())?;

    // State.
    let created_at = unix_timestamp()?;
    // SAFETY: the account's only mutable borrow in this instruction; it is
    // the CreditAccount PDA, which this program did not own before the CPIs,
    // so it is not the Config (whose borrow ended at the mint check).
    let credit = unsafe { init_sized::<CreditAccount>(credit_view, space)? };
    credit.set_job_slots(u32::from(job_slots));
    credit.owner = *owner.address();
    credit.vault = *vault.address();
    credit.set_created_at(created_at);
    credit.rent_payer = *payer.address();
    credit.set_rent_paid(rent_paid);
    credit.bump = bump;

    // Event.
    CreditAccountOpened::new(*owner.address(), *credit_view.address(), *vault.address()).emit();
    Ok(())
}
