//! The program entrypoint: one `match` on the Anchor instruction
//! discriminator (the first 8 bytes of the data, read as a little-endian u64).
use {
    crate::{discriminator::instruction::*, error::JobEscrowError, instructions::*},
    pinocchio::{AccountView, Address, ProgramResult},
};

/// The most accounts any instruction takes; extra accounts are ignored.
const MAX_ACCOUNTS: usize = 12;

pinocchio::program_entrypoint!(process_instruction, MAX_ACCOUNTS);
pinocchio::no_allocator!();
pinocchio::nostd_panic_handler!();

pub fn process_instruction(_program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let Some((discriminator, data)) = data.split_first_chunk::<8>() else {
        return Err(JobEscrowError::InvalidInstructionData.into());
    };
    match u64::from_le_bytes(*discriminator) {
        // 0 - initialize_config
        INITIALIZE_CONFIG => process_initialize_config(accounts, data),
        // 4 - open_credit_account
        OPEN_CREDIT_ACCOUNT => process_open_credit_account(accounts, data),
        _ => Err(JobEscrowError::InvalidInstructionData.into()),
    }
}
