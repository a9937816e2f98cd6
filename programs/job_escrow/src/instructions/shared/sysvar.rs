//! Sysvars read through syscalls, never from an account the caller passes
//! (a caller could pass a look-alike).
//!
//! `sol_get_clock_sysvar` and `sol_get_rent_sysvar` rather than the newer
//! `sol_get_sysvar`: solana-bankrun 0.4's runtime predates the latter (a call
//! to it fails there as "unsupported BPF instruction"), and Pinocchio 0.11's
//! `Clock::get()` only calls a syscall under `target_os = "solana"`. The cost
//! is about 30 CU per read (docs/toolchain.md).
use {crate::math, pinocchio::error::ProgramError};

/// The cluster's unix timestamp (the Clock sysvar's last field).
#[inline]
pub fn unix_timestamp() -> Result<i64, ProgramError> {
    // The runtime writes a `Clock` (5 x 8 bytes) and checks 8-byte alignment.
    let mut clock = [0u64; 5];
    // SAFETY: the buffer is 40 writable, 8-aligned bytes.
    check(unsafe { syscalls::clock(clock.as_mut_ptr() as *mut u8) })?;
    Ok(clock[4] as i64)
}

/// Rent-exempt minimum for an account of `space` bytes:
/// `(128 + space) * lamports_per_byte_year * exemption_threshold`.
///
/// The threshold is an f64 in the sysvar (2.0 on every cluster today, 1.0
/// once the per-byte price absorbs it); it is decoded without floating point
/// and must be a whole number.
#[inline]
pub fn rent_exempt_minimum(space: u64) -> Result<u64, ProgramError> {
    // `Rent` is { u64, f64, u8 }: 24 bytes with padding, 8-byte aligned.
    let mut rent = [0u64; 3];
    // SAFETY: the buffer is 24 writable, 8-aligned bytes.
    check(unsafe { syscalls::rent(rent.as_mut_ptr() as *mut u8) })?;
    let threshold = whole_f64(rent[1]).ok_or(ProgramError::InvalidArgument)?;
    Ok(math::mul(math::mul(math::add(128, space)?, rent[0])?, threshold)?)
}

#[inline]
fn check(status: u64) -> Result<(), ProgramError> {
    if status == 0 {
        Ok(())
    } else {
        Err(ProgramError::UnsupportedSysvar)
    }
}

/// The two sysvar syscalls, or stand-ins that fail off-chain.
mod syscalls {
    /// # Safety
    /// `buf` must point to 40 writable bytes aligned to 8.
    #[inline]
    pub unsafe fn clock(buf: *mut u8) -> u64 {
        // Deprecated in favour of sol_get_sysvar: see the module comment.
        // SAFETY: forwarded from the caller.
        #[cfg(any(target_os = "solana", target_arch = "bpf"))]
        #[allow(deprecated)]
        return unsafe { pinocchio::syscalls::sol_get_clock_sysvar(buf) };
        #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
        return core::hint::black_box(buf).is_null().into();
    }

    /// # Safety
    /// `buf` must point to 24 writable bytes aligned to 8.
    #[inline]
    pub unsafe fn rent(buf: *mut u8) -> u64 {
        // SAFETY: forwarded from the caller.
        #[cfg(any(target_os = "solana", target_arch = "bpf"))]
        #[allow(deprecated)]
        return unsafe { pinocchio::syscalls::sol_get_rent_sysvar(buf) };
        #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
        return core::hint::black_box(buf).is_null().into();
    }
}

/// The value of a non-negative IEEE-754 double that is a whole number below
/// 2^52, or None.
#[inline]
fn whole_f64(bits: u64) -> Option<u64> {
    if bits == 0 {
        return Some(0);
    }
    if bits >> 63 != 0 {
        return None;
    }
    let exponent = ((bits >> 52) & 0x7ff).checked_sub(1023)?;
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    let shift = 52u64.checked_sub(exponent)?;
    // shift is in 1..=52 here, so the mask cannot wrap.
    if shift == 0 || mantissa & (1u64 << shift).wrapping_sub(1) != 0 {
        return None;
    }
    Some(mantissa >> shift)
}

#[cfg(test)]
mod tests {
    use super::whole_f64;

    #[test]
    fn decodes_whole_thresholds() {
        for v in [0.0f64, 1.0, 2.0, 3.0, 10.0, 4096.0] {
            assert_eq!(whole_f64(v.to_bits()), Some(v as u64), "{v}");
        }
        for v in [0.5f64, 2.5, -1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(whole_f64(v.to_bits()), None, "{v}");
        }
    }
}
