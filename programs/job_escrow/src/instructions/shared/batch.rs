//! What the batch forms share: their Borsh `Vec` of fixed-size jobs, and the
//! walk over the credit accounts the jobs name, which proves each account is
//! listed once (so no two views alias one account's bytes) without comparing
//! every pair: jobs come grouped by account, and each new account's address
//! is above the previous one's in [`order`].
use {
    super::args::Args,
    crate::error::JobEscrowError,
    pinocchio::{error::ProgramError, AccountView},
};

/// The jobs of a batch instruction: a u32 count, then `count` items of `T`,
/// nothing after. An empty batch is `InvalidBatch`.
#[inline(always)]
pub fn jobs<T: Args>(data: &[u8]) -> Result<&[T], ProgramError> {
    let (count, items) = data.split_first_chunk::<4>().ok_or(JobEscrowError::InvalidInstructionData)?;
    let count = u32::from_le_bytes(*count) as usize;
    if count == 0 {
        return Err(JobEscrowError::InvalidBatch.into());
    }
    let len = count.checked_mul(core::mem::size_of::<T>()).ok_or(JobEscrowError::InvalidInstructionData)?;
    if items.len() != len {
        return Err(JobEscrowError::InvalidInstructionData.into());
    }
    // SAFETY: exactly `count` items of `T` (alignment 1, any bytes valid by
    // the Args contract).
    Ok(unsafe { core::slice::from_raw_parts(items.as_ptr() as *const T, count) })
}

/// The walk over a batch's credit accounts: `accounts` holds them in groups
/// of `N` (the credit account first), group `k` at `k * N`.
pub struct Groups<'a, const N: usize> {
    accounts: &'a [AccountView],
    current: Option<(u8, &'a AccountView)>,
}

impl<'a, const N: usize> Groups<'a, N> {
    #[inline(always)]
    pub fn new(accounts: &'a [AccountView]) -> Self {
        Self { accounts, current: None }
    }

    /// The accounts of group `k` when the next job moves to it, `None` when
    /// it stays in the current group. A group met before, an index past the
    /// list or an address not above the previous group's is `InvalidBatch`;
    /// the same address as the previous group's is `DuplicateAccount`.
    #[inline(always)]
    pub fn enter(&mut self, k: u8) -> Result<Option<&'a [AccountView; N]>, ProgramError> {
        let previous = match self.current {
            Some((current, _)) if current == k => return Ok(None),
            Some((current, _)) if current > k => return Err(JobEscrowError::InvalidBatch.into()),
            Some((_, view)) => Some(view),
            None => None,
        };
        let start = usize::from(k).checked_mul(N).ok_or(JobEscrowError::InvalidBatch)?;
        let end = start.checked_add(N).ok_or(JobEscrowError::InvalidBatch)?;
        let group: &'a [AccountView; N] = self
            .accounts
            .get(start..end)
            .and_then(|g| g.try_into().ok())
            .ok_or(JobEscrowError::InvalidBatch)?;
        let credit = group.first().ok_or(JobEscrowError::InvalidBatch)?;
        if let Some(previous) = previous {
            match order(credit.address().as_array(), previous.address().as_array()) {
                core::cmp::Ordering::Greater => {}
                core::cmp::Ordering::Equal => return Err(JobEscrowError::DuplicateAccount.into()),
                core::cmp::Ordering::Less => return Err(JobEscrowError::InvalidBatch.into()),
            }
        }
        self.current = Some((k, credit));
        Ok(Some(group))
    }
}

/// The order batch accounts are listed in: by the address's four 8-byte
/// words read little-endian, the first word first (the SDK sorts the same
/// way). Not byte order: that needs a byte swap, which SBPF lacks.
#[inline(always)]
pub fn order(a: &[u8; 32], b: &[u8; 32]) -> core::cmp::Ordering {
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let (x, y) = (word(x), word(y));
        if x != y {
            return x.cmp(&y);
        }
    }
    core::cmp::Ordering::Equal
}

#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

#[cfg(test)]
mod tests {
    use {super::order, core::cmp::Ordering};

    #[test]
    fn orders_by_little_endian_words() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        assert_eq!(order(&a, &b), Ordering::Equal);
        // Byte 7 is the high byte of word 0: it outranks byte 0 and all later words.
        a[7] = 1;
        b[0] = 255;
        b[31] = 255;
        assert_eq!(order(&a, &b), Ordering::Greater);
        assert_eq!(order(&b, &a), Ordering::Less);
        // Equal first words: the next word that differs decides, down to the last.
        for byte in [8, 16, 24, 31] {
            let a = [0u8; 32];
            let mut b = [0u8; 32];
            b[byte] = 1;
            assert_eq!(order(&a, &b), Ordering::Less, "byte {byte}");
            assert_eq!(order(&b, &a), Ordering::Greater, "byte {byte}");
        }
    }
}
