//! Custom errors. Codes start at 6000 (Anchor's convention) and are mirrored,
//! with the same names and messages, in `idl/job_escrow.json`.
use pinocchio::error::ProgramError;

macro_rules! errors {
    ($first:ident, $($name:ident,)*) => {
        /// Every error in code order, for the IDL test.
        pub const ALL: &[(&str, JobEscrowError)] =
            &[(stringify!($first), JobEscrowError::$first), $((stringify!($name), JobEscrowError::$name)),*];
        #[repr(u32)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum JobEscrowError {
            $first = 6000,
            $($name,)*
        }
    };
}

// Codes run from 6000 in this order (see `codes_are_contiguous_from_6000`).
errors! {
    InvalidInstructionData,
    MissingSignature,
    Unauthorized,
    NotUpgradeAuthority,
    AlreadyInitialized,
    InvalidAccountOwner,
    InvalidAccountData,
    InvalidPda,
    InvalidMint,
    InvalidTreasury,
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
    JobNotExpired,
    OutputExceedsMax,
    ChargeExceedsLock,
    ShareOutOfBounds,
    ArithmeticOverflow,
    CreditAccountNotEmpty,
    NoPendingAdmin,
    JobNotFound,
    JobAlreadyLocked,
    InvalidProgramAccount,
    NothingToCollect,
    DuplicateAccount,
    InvalidProgramData,
    InvalidRentPayer,
    ZeroAmount,
    MaxOutputTokensTooLarge,
    DailyLimitExceeded,
    InvalidPromoExpiry,
    PromoNotExpired,
    NothingToExpire,
    NoFreeJobSlot,
    TooManyJobSlots,
    InvalidBatch,
    MintTransferFee,
    MintPermanentDelegate,
    MintNonTransferable,
    MintTransferHook,
    MintDefaultFrozen,
    MintPausable,
    MintExtensionUnsupported,
}

impl JobEscrowError {
    /// The error's code: 6000 plus its position.
    #[inline(always)]
    pub const fn code(self) -> u32 {
        self as u32
    }
}

impl From<JobEscrowError> for ProgramError {
    #[inline(always)]
    fn from(e: JobEscrowError) -> Self {
        ProgramError::Custom(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::JobEscrowError::*;

    #[test]
    fn codes_are_contiguous_from_6000() {
        assert_eq!(InvalidInstructionData.code(), 6000);
        assert_eq!(InvalidVault.code(), 6010);
        assert_eq!(JobNotExpired.code(), 6020);
        assert_eq!(NothingToCollect.code(), 6030);
        assert_eq!(InvalidProgramData.code(), 6032);
        for (i, (_, e)) in super::ALL.iter().enumerate() {
            assert_eq!(e.code() as usize, 6000 + i);
        }
    }
}
