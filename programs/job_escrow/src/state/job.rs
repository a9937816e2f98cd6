use {
    super::{le_fields, ProgramAccount, Tier},
    crate::discriminator::account::JOB,
    pinocchio::Address,
};

/// Seed prefix of a Job PDA: `["job", credit_account, job_id (u64 LE)]`.
pub const JOB_SEED: &[u8] = b"job";

/// One job in flight (110 bytes). Closed on settle or refund.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | discriminator |
/// | 8 | 32 | credit_account |
/// | 40 | 8 | job_id: u64 |
/// | 48 | 1 | tier: u8 |
/// | 49 | 4 | max_output_tokens: u32 |
/// | 53 | 8 | credits_locked: u64 |
/// | 61 | 32 | rent_payer |
/// | 93 | 8 | locked_at: i64 |
/// | 101 | 8 | expires_at: i64 |
/// | 109 | 1 | bump: u8 |
#[repr(C)]
pub struct Job {
    discriminator: [u8; 8],
    pub credit_account: Address,
    job_id: [u8; 8],
    pub tier: u8,
    max_output_tokens: [u8; 4],
    credits_locked: [u8; 8],
    /// The tier's prices when the job was locked: settle charges these.
    pub price: Tier,
    pub rent_payer: Address,
    locked_at: [u8; 8],
    expires_at: [u8; 8],
    pub bump: u8,
}

const _: () = assert!(Job::LEN == 130);
const _: () = assert!(core::mem::align_of::<Job>() == 1);

// SAFETY: repr(C), byte arrays only (alignment 1, no padding), any bytes valid.
unsafe impl ProgramAccount for Job {
    const DISCRIMINATOR: [u8; 8] = JOB;
}

impl Job {
    le_fields! {
        job_id, set_job_id: u64;
        max_output_tokens, set_max_output_tokens: u32;
        credits_locked, set_credits_locked: u64;
        locked_at, set_locked_at: i64;
        expires_at, set_expires_at: i64;
    }
}
