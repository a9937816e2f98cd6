//! Custom errors. Codes start at 6000 (Anchor's convention) and are mirrored,
//! with the same names and messages, in `idl/job_escrow.json`.
use pinocchio::error::ProgramError;

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEscrowError {
    /// 6000
    InvalidInstructionData = 6000,
    MissingSignature,
    Unauthorized,
    NotUpgradeAuthority,
    AlreadyInitialized,
    InvalidAccountOwner,
    InvalidAccountData,
    InvalidPda,
    InvalidMint,
    InvalidTreasury,
    /// 6010
    InvalidVault,
    InvalidTokenProgram,
    InvalidTokenAccount,
    InvalidConfigValue,
    Paused,
    BelowMinimumPurchase,
    InsufficientCredits,
    SpendingLimitExceeded,
    InvalidTier,
    JobExpired,
    /// 6020
    JobNotExpired,
    OutputExceedsMax,
    ChargeExceedsLock,
    ShareOutOfBounds,
    ArithmeticOverflow,
    CreditAccountNotEmpty,
    NoPendingAdmin,
    JobMismatch,
    NonCanonicalBump,
    InvalidProgramAccount,
    /// 6030
    NothingToCollect,
    DuplicateAccount,
    InvalidProgramData,
}

impl From<JobEscrowError> for ProgramError {
    #[inline(always)]
    fn from(e: JobEscrowError) -> Self {
        ProgramError::Custom(e as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::JobEscrowError::*;

    #[test]
    fn codes_are_contiguous_from_6000() {
        assert_eq!(InvalidInstructionData as u32, 6000);
        assert_eq!(InvalidVault as u32, 6010);
        assert_eq!(JobNotExpired as u32, 6020);
        assert_eq!(NothingToCollect as u32, 6030);
        assert_eq!(InvalidProgramData as u32, 6032);
    }
}
