//! The program entrypoint: one `match` on the Anchor instruction
//! discriminator (the first 8 bytes of the data, read as a little-endian u64).
use {
    crate::{discriminator::instruction::*, error::JobEscrowError, instructions::*},
    pinocchio::{AccountView, Address, ProgramResult},
};

/// The most accounts an instruction may pass (a transaction locks at most
/// 64): the batch forms name two per credit account.
const MAX_ACCOUNTS: usize = 64;

pinocchio::program_entrypoint!(process_instruction, MAX_ACCOUNTS);
pinocchio::no_allocator!();
pinocchio::nostd_panic_handler!();

pub fn process_instruction(_program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let Some((discriminator, data)) = data.split_first_chunk::<8>() else {
        return Err(JobEscrowError::InvalidInstructionData.into());
    };
    match u64::from_le_bytes(*discriminator) {
        // Hot path first: the job lifecycle.
        // 6 - lock
        LOCK => process_lock(accounts, data),
        // 7 - settle
        SETTLE => process_settle(accounts, data),
        // 8 - refund
        REFUND => process_refund(accounts, data),
        // The batch forms of the job lifecycle.
        LOCK_BATCH => process_lock_batch(accounts, data),
        SETTLE_BATCH => process_settle_batch(accounts, data),
        REFUND_BATCH => process_refund_batch(accounts, data),
        // 5 - purchase
        PURCHASE => process_purchase(accounts, data),
        // 9 - withdraw
        WITHDRAW => process_withdraw(accounts, data),
        // 0 - initialize_config
        INITIALIZE_CONFIG => process_initialize_config(accounts, data),
        // 1 - update_config
        UPDATE_CONFIG => process_update_config(accounts, data),
        // 2 - nominate_admin
        NOMINATE_ADMIN => process_nominate_admin(accounts, data),
        // 3 - accept_admin
        ACCEPT_ADMIN => process_accept_admin(accounts, data),
        // 4 - open_credit_account
        OPEN_CREDIT_ACCOUNT => process_open_credit_account(accounts, data),
        // 10 - set_spending_limit
        SET_SPENDING_LIMIT => process_set_spending_limit(accounts, data),
        // 11 - collect_fees
        COLLECT_FEES => process_collect_fees(accounts, data),
        // 12 - close_credit_account
        CLOSE_CREDIT_ACCOUNT => process_close_credit_account(accounts, data),
        // 13 - grant_credits
        GRANT_CREDITS => process_grant_credits(accounts, data),
        // 14 - expire_promo
        EXPIRE_PROMO => process_expire_promo(accounts, data),
        // 15 - add_job_slots
        ADD_JOB_SLOTS => process_add_job_slots(accounts, data),
        _ => Err(JobEscrowError::InvalidInstructionData.into()),
    }
}
