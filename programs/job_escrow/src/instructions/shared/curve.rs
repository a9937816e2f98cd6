//! Whether a 32-byte key is a point of the ed25519 curve: a wallet's key
//! (which has a private key), as opposed to a program-derived address.

/// True when `point` is a point of the ed25519 curve: a key with a private
/// key (a wallet), as opposed to a program-derived address.
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
#[inline]
pub fn is_on_curve(point: &[u8; 32]) -> bool {
    const CURVE25519_EDWARDS: u64 = 0;
    let mut unused = 0u8;
    // SAFETY: `point` is 32 readable bytes; the result pointer is unused for
    // validation but must be valid. Returns 0 when the point decompresses.
    unsafe { pinocchio::syscalls::sol_curve_validate_point(CURVE25519_EDWARDS, point.as_ptr(), &mut unused) == 0 }
}

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
pub fn is_on_curve(point: &[u8; 32]) -> bool {
    curve25519_dalek::edwards::CompressedEdwardsY(*point).decompress().is_some()
}

#[cfg(test)]
mod tests {
    use {super::*, pinocchio::Address};

    #[test]
    fn wallets_are_on_the_curve_and_pdas_are_not() {
        let (pda, _) = Address::find_program_address(&[b"credits", &[7; 32]], &crate::ID);
        assert!(!is_on_curve(pda.as_array()));
        // The ed25519 base point's compressed encoding.
        let mut base = [0x66u8; 32];
        base[0] = 0x58;
        assert!(is_on_curve(&base));
    }
}
