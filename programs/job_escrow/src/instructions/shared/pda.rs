//! Verifying a Job address without `find_program_address`.
//!
//! `find_program_address` costs 1,500 CU per bump it tries, which alone would
//! take most of lock's budget. A PDA is `sha256(seeds || bump || program_id ||
//! "ProgramDerivedAddress")` that is *not* a point on the ed25519 curve, and
//! the canonical bump is the highest bump that gives one. So the Job address
//! is canonical when it equals that hash for some bump `b` and the hash for
//! every bump above `b` is a curve point. `sol_sha256` costs about 160 CU and
//! `sol_curve_validate_point` 159, so the common case (bump 255, one in two
//! addresses) costs one hash. That the matching hash is off the curve is
//! checked for free: the Job is created by a CPI signed with these seeds,
//! which the runtime refuses for an on-curve address.
use {
    crate::{error::JobEscrowError, state::JOB_SEED},
    pinocchio::Address,
};

const PDA_MARKER: &[u8] = b"ProgramDerivedAddress";

/// The canonical bump of `job`, the Job PDA `["job", credit_account, job_id]`.
/// Fails with `NonCanonicalBump` when `job` is that PDA at a lower bump and
/// with `InvalidPda` when it is not that PDA at all.
#[inline]
pub fn job_bump(job: &Address, credit_account: &Address, job_id: &[u8; 8]) -> Result<u8, JobEscrowError> {
    let mut bump = u8::MAX;
    let mut canonical_seen = false;
    loop {
        let hash = pda_hash(credit_account, job_id, bump);
        if &hash == job.as_array() {
            return if canonical_seen { Err(JobEscrowError::NonCanonicalBump) } else { Ok(bump) };
        }
        // An off-curve hash is a valid PDA, so it is the canonical one (the
        // first met); the loop only goes on to name the error.
        canonical_seen = canonical_seen || !is_on_curve(&hash);
        bump = match bump.checked_sub(1) {
            Some(b) => b,
            None => return Err(JobEscrowError::InvalidPda),
        };
    }
}

#[inline]
fn pda_hash(credit_account: &Address, job_id: &[u8; 8], bump: u8) -> [u8; 32] {
    let bump = [bump];
    // Built on the stack: the syscall rejects a slice array in .rodata.
    let parts: [&[u8]; 6] = [JOB_SEED, credit_account.as_ref(), job_id, &bump, crate::ID.as_ref(), PDA_MARKER];
    sha256(&parts)
}

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
#[inline]
fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hash = [0u8; 32];
    // SAFETY: `parts` is a valid slice of slices and `hash` 32 writable bytes;
    // sol_sha256 cannot fail for such arguments.
    unsafe {
        pinocchio::syscalls::sol_sha256(parts.as_ptr() as *const u8, parts.len() as u64, hash.as_mut_ptr());
    }
    hash
}

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
fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    parts.iter().for_each(|p| h.update(p));
    h.finalize().into()
}

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
pub fn is_on_curve(point: &[u8; 32]) -> bool {
    curve25519_dalek::edwards::CompressedEdwardsY(*point).decompress().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_find_program_address() {
        let credit = Address::new_from_array([7; 32]);
        for id in 0u64..300 {
            let job_id = id.to_le_bytes();
            let (pda, bump) = Address::find_program_address(&[JOB_SEED, credit.as_ref(), &job_id], &crate::ID);
            assert_eq!(job_bump(&pda, &credit, &job_id), Ok(bump), "job {id}");
            // The same seeds at a lower, still valid bump are rejected.
            if let Some(lower) = (0..bump).rev().find_map(|b| {
                Address::create_program_address(&[JOB_SEED, credit.as_ref(), &job_id, &[b]], &crate::ID).ok()
            }) {
                assert_eq!(job_bump(&lower, &credit, &job_id), Err(JobEscrowError::NonCanonicalBump));
            }
            // Another job's address is not this job's PDA.
            let other = Address::find_program_address(&[JOB_SEED, credit.as_ref(), &(id + 1).to_le_bytes()], &crate::ID).0;
            assert_eq!(job_bump(&other, &credit, &job_id), Err(JobEscrowError::InvalidPda));
        }
    }
}
