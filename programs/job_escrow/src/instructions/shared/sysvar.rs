//! Sysvars read through `sol_get_sysvar`, never from an account the caller
//! passes (a caller could pass a look-alike). `Clock::get()` and `Rent::get()`
//! of Pinocchio 0.11 only call the syscall under `target_os = "solana"`, so
//! the upstream BPF target needs this path (docs/toolchain.md).
use {
    crate::math,
    pinocchio::{
        error::ProgramError,
        sysvars::{clock::CLOCK_ID, get_sysvar, rent::RENT_ID},
    },
};

/// The cluster's unix timestamp (Clock offset 32).
#[inline(always)]
pub fn unix_timestamp() -> Result<i64, ProgramError> {
    let mut buf = [0u8; 8];
    get_sysvar(&mut buf, &CLOCK_ID, 32)?;
    Ok(i64::from_le_bytes(buf))
}

/// Rent-exempt minimum for an account of `space` bytes:
/// `(128 + space) * lamports_per_byte_year * exemption_threshold`.
///
/// The threshold is an f64 in the sysvar (2.0 on every cluster today, 1.0
/// once the per-byte price absorbs it); it is decoded without floating point
/// and must be a whole number.
#[inline(always)]
pub fn rent_exempt_minimum(space: u64) -> Result<u64, ProgramError> {
    let mut buf = [0u8; 16];
    get_sysvar(&mut buf, &RENT_ID, 0)?;
    let (per_byte, threshold) = buf.split_at(8);
    let per_byte = u64::from_le_bytes(per_byte.try_into().map_err(|_| ProgramError::InvalidArgument)?);
    let threshold = whole_f64(u64::from_le_bytes(threshold.try_into().map_err(|_| ProgramError::InvalidArgument)?))
        .ok_or(ProgramError::InvalidArgument)?;
    Ok(math::mul(math::mul(math::add(128, space)?, per_byte)?, threshold)?)
}

/// The value of a non-negative IEEE-754 double that is a whole number below
/// 2^52, or None.
#[inline(always)]
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
    if shift == 0 || mantissa & ((1 << shift) - 1) != 0 {
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
