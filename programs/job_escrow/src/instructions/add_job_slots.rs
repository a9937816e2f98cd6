use {
    super::shared::{require_key, require_signer, sysvar::rent_exempt_minimum},
    crate::{
        error::JobEscrowError,
        events::{Event, JobSlotsAdded},
        state::{credit_account_len, load_mut, CreditAccount, MAX_JOB_SLOTS, SYSTEM_PROGRAM_ID},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
    pinocchio_system::instructions::Transfer,
};

/// Adds `count` free job slots to the owner's credit account (at most 64
/// in all). The owner pays the rent of the larger account; close pays it
/// back to the owner (only `rent_paid` goes to `rent_payer`).
pub fn process_add_job_slots(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [owner, credit_view, system_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let [count] = *data else {
        return Err(JobEscrowError::InvalidInstructionData.into());
    };

    // Validation.
    require_signer(owner)?;
    require_key(system_program, &SYSTEM_PROGRAM_ID, JobEscrowError::InvalidProgramAccount)?;
    // SAFETY: the CreditAccount is the only program account this instruction
    // loads, once; the System transfer to it moves lamports only, and `grow`
    // takes the view mutably, which the borrow checker allows only after the
    // last use of `credit`.
    let credit = unsafe { load_mut::<CreditAccount>(credit_view)? };
    require_key(owner, &credit.owner, JobEscrowError::Unauthorized)?;
    if count == 0 {
        return Err(JobEscrowError::ZeroAmount.into());
    }
    let total = u8::try_from(credit.job_slots())
        .ok()
        .and_then(|slots| slots.checked_add(count))
        .filter(|total| *total <= MAX_JOB_SLOTS)
        .ok_or(JobEscrowError::TooManyJobSlots)?;
    let len = credit_account_len(total);
    let top_up = rent_exempt_minimum(len as u64)?.saturating_sub(credit_view.lamports());

    // CPI: the owner pays the larger account's rent.
    if top_up > 0 {
        Transfer { from: owner, to: credit_view, lamports: top_up }.invoke()?;
    }

    // State: the account grows by `count` free (zeroed) slots.
    credit.set_job_slots(u32::from(total));
    grow(credit_view, len);

    // Event.
    JobSlotsAdded::new(total).emit();
    Ok(())
}

/// Grows a program account's data to `len` bytes (within the 10 KiB an
/// instruction may add), zeroing the new bytes.
#[inline(always)]
fn grow(view: &mut AccountView, len: usize) {
    let old = view.data_len();
    // SAFETY: the runtime serializes every account followed by 10 KiB of
    // spare space and reads the new length back after the instruction
    // (refusing growth past that); `len` is at most 64 slots (3,881 bytes)
    // above `old` >= 233. The bytes between are the account's own spare
    // space, zeroed here, and no borrow of the data is alive across this.
    unsafe {
        core::ptr::write_bytes(view.data_mut_ptr().add(old), 0, len.saturating_sub(old));
        (*view.account_mut_ptr()).data_len = len as u64;
    }
}
