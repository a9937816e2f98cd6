//! Fixed-size instruction arguments, read in place.
use {crate::error::JobEscrowError, pinocchio::error::ProgramError};

/// Instruction arguments whose Borsh encoding is fixed-size.
///
/// # Safety
/// Implementors must be `#[repr(C)]` structs of byte arrays and addresses
/// (alignment 1, no padding) that accept any byte pattern.
pub unsafe trait Args: Sized {
    /// Borrows `data` (the bytes after the discriminator) as `Self`; fails
    /// with `InvalidInstructionData` unless the length is exact.
    #[inline]
    fn from_bytes(data: &[u8]) -> Result<&Self, ProgramError> {
        if data.len() != core::mem::size_of::<Self>() {
            return Err(JobEscrowError::InvalidInstructionData.into());
        }
        // SAFETY: exact length checked; alignment 1 and any bytes valid by the
        // trait's contract.
        Ok(unsafe { &*(data.as_ptr() as *const Self) })
    }
}
