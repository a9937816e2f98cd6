//! Account layouts. Every program account is a `#[repr(C)]` struct of byte
//! arrays (alignment 1, no padding) whose bytes are exactly the Borsh layout
//! declared in `idl/job_escrow.json`, starting with its Anchor discriminator.
mod config;
mod credit_account;
mod job_slot;
mod token;

pub use {config::*, credit_account::*, job_slot::*, token::*};

use {
    crate::error::JobEscrowError,
    pinocchio::{error::ProgramError, AccountView},
};

/// An account owned by this program: a fixed part (`Self`), then, for a
/// CreditAccount, a tail whose length the fixed part records.
///
/// # Safety
/// Implementors must be `#[repr(C)]`, have alignment 1 and no padding, start
/// with the 8-byte discriminator, and accept any byte pattern: `load` casts
/// account bytes to `&Self`.
pub unsafe trait ProgramAccount: Sized {
    const DISCRIMINATOR: [u8; 8];
    /// Length of the fixed part.
    const LEN: usize = core::mem::size_of::<Self>();

    /// Length of the bytes after the fixed part, as the fixed part records
    /// it (`None`: no valid length). Fixed-size accounts have none.
    #[inline(always)]
    fn tail_len(&self) -> Option<usize> {
        Some(0)
    }
}

#[inline]
fn check<T: ProgramAccount>(view: &AccountView) -> Result<(), ProgramError> {
    if !view.owned_by(&crate::ID) {
        return Err(JobEscrowError::InvalidAccountOwner.into());
    }
    // SAFETY: the length is checked before the discriminator is read, and no
    // mutable borrow of this account is alive while a processor validates it.
    let data = unsafe { view.borrow_unchecked() };
    if data.len() < T::LEN || data[..8] != T::DISCRIMINATOR {
        return Err(JobEscrowError::InvalidAccountData.into());
    }
    // SAFETY: at least `T::LEN` bytes, alignment 1, any bytes valid.
    let fixed = unsafe { &*(data.as_ptr() as *const T) };
    if fixed.tail_len() != data.len().checked_sub(T::LEN) {
        return Err(JobEscrowError::InvalidAccountData.into());
    }
    Ok(())
}

/// Borrows `view` as a `T` after checking its owner (this program), length and
/// discriminator.
#[inline]
pub fn load<T: ProgramAccount>(view: &AccountView) -> Result<&T, ProgramError> {
    check::<T>(view)?;
    // SAFETY: `check` proved the length is at least `size_of::<T>()`; `T` has alignment
    // 1 and accepts any bytes (ProgramAccount's contract). Processors never
    // hold a mutable borrow of the same account: each program account appears
    // once per instruction and the discriminators of different types differ.
    Ok(unsafe { &*(view.borrow_unchecked().as_ptr() as *const T) })
}

/// Mutable version of [`load`]. It takes `&AccountView` (the view is a
/// pointer into the runtime's input buffer, which the program may write for
/// a writable account) so that a processor can keep using the view's
/// address while it holds the state.
///
/// # Safety
///
/// The checks here prove that the bytes are a `T`, not that the returned
/// borrow is the only one. For as long as it lives, the caller must hold no
/// other reference to this account's data, whether through `view` or through
/// a duplicate of it (an account listed twice in an instruction is two views
/// of the same bytes): no second [`load_mut`], [`init`] or
/// [`load_credit_mut`] of it, no [`load`] of it still in use, no borrow of
/// the data through a view, and no later load of a duplicate (its checks read
/// the bytes). Processors meet this by loading each program account once per
/// instruction, the Config first: accounts of different types cannot be one
/// account (their discriminators differ, so the mutable load of a duplicate
/// of the Config fails its checks), and accounts of one type are checked
/// distinct (batches: strictly increasing addresses). A CPI may name the
/// account: only this program can write its data.
///
/// Writability is not part of the contract: a write to an account the
/// transaction did not mark writable makes the runtime reject the
/// transaction.
#[inline]
#[allow(clippy::mut_from_ref)]
pub unsafe fn load_mut<T: ProgramAccount>(view: &AccountView) -> Result<&mut T, ProgramError> {
    check::<T>(view)?;
    // SAFETY: as in `load` for length, alignment and validity; the caller
    // guarantees the returned borrow is the only one alive (this function's
    // contract). A write to a read-only account makes the runtime reject the
    // transaction.
    Ok(unsafe { &mut *(view.data_ptr() as *mut T) })
}

/// Borrows a freshly created account (owned by this program, `T::LEN` bytes,
/// all zero) as a `T` and writes its discriminator.
///
/// # Safety
///
/// As for [`load_mut`]: no other reference to this account's data may be
/// alive while the returned one is.
#[inline]
#[allow(clippy::mut_from_ref)]
pub unsafe fn init<T: ProgramAccount>(view: &AccountView) -> Result<&mut T, ProgramError> {
    // SAFETY: `init_sized`'s contract is this function's, which the caller
    // upholds.
    unsafe { init_sized::<T>(view, T::LEN) }
}

/// [`init`] for an account of `len` bytes (at least `T::LEN`: the fixed
/// part and a tail the caller sizes in it).
///
/// # Safety
///
/// As for [`load_mut`]: no other reference to this account's data may be
/// alive while the returned one is.
#[inline]
#[allow(clippy::mut_from_ref)]
pub unsafe fn init_sized<T: ProgramAccount>(view: &AccountView, len: usize) -> Result<&mut T, ProgramError> {
    if !view.owned_by(&crate::ID) || len < T::LEN || view.data_len() != len {
        return Err(JobEscrowError::InvalidAccountData.into());
    }
    // SAFETY: the length was just checked, so the first 8 bytes are the
    // account's; see `load_mut` for writability.
    unsafe { core::ptr::copy_nonoverlapping(T::DISCRIMINATOR.as_ptr(), view.data_ptr() as *mut u8, 8) };
    // SAFETY: as above; alignment 1 and any bytes valid (ProgramAccount's
    // contract); the caller guarantees no other borrow is alive.
    Ok(unsafe { &mut *(view.data_ptr() as *mut T) })
}

/// Getter and setter pairs for little-endian numbers stored as byte arrays.
macro_rules! le_fields {
    ($($field:ident, $setter:ident: $t:ty;)*) => {
        $(
            #[inline]
            pub fn $field(&self) -> $t {
                <$t>::from_le_bytes(self.$field)
            }
            #[inline]
            pub fn $setter(&mut self, value: $t) {
                self.$field = value.to_le_bytes();
            }
        )*
    };
}
pub(crate) use le_fields;

#[cfg(test)]
mod layout_docs;
