use {
    super::{le_fields, Tier},
    crate::error::JobEscrowError,
};

/// Job slots a credit account opens with when `open_credit_account` is
/// given 0.
pub const DEFAULT_JOB_SLOTS: u8 = 16;
/// The most job slots a credit account may hold.
pub const MAX_JOB_SLOTS: u8 = 64;

/// One job slot of a CreditAccount (57 bytes): all zeros when free,
/// otherwise one job in flight (its `expires_at` is never 0).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | job_id: u64 |
/// | 8 | 1 | tier: u8 |
/// | 9 | 4 | max_output_tokens: u32 |
/// | 13 | 8 | credits_locked: u64 |
/// | 21 | 20 | price: Tier (the tier's prices at lock time) |
/// | 41 | 8 | locked_at: i64 |
/// | 49 | 8 | expires_at: i64 |
#[repr(C)]
#[derive(Clone, Copy)]
pub struct JobSlot {
    job_id: [u8; 8],
    pub tier: u8,
    max_output_tokens: [u8; 4],
    credits_locked: [u8; 8],
    /// The tier's prices when the job was locked: settle charges these.
    pub price: Tier,
    locked_at: [u8; 8],
    expires_at: [u8; 8],
}

impl JobSlot {
    pub const LEN: usize = 57;

    le_fields! {
        job_id, set_job_id: u64;
        max_output_tokens, set_max_output_tokens: u32;
        credits_locked, set_credits_locked: u64;
        locked_at, set_locked_at: i64;
        expires_at, set_expires_at: i64;
    }

    /// True while a job is in flight in this slot.
    #[inline(always)]
    pub fn in_use(&self) -> bool {
        self.expires_at() != 0
    }

    /// Frees the slot: every byte back to zero.
    #[inline(always)]
    pub fn free(&mut self) {
        // SAFETY: JobSlot is repr(C) of byte arrays (any bytes valid, no
        // padding); all zeros is the free slot.
        *self = unsafe { core::mem::zeroed() };
    }
}

const _: () = assert!(core::mem::size_of::<JobSlot>() == JobSlot::LEN);
const _: () = assert!(core::mem::align_of::<JobSlot>() == 1);

/// Index of the slot holding job `job_id`, or `JobNotFound`. The search
/// starts at slot `from` and wraps around: a batch passes the slot after the
/// last job it found in the same account (jobs locked together sit in
/// consecutive slots, so each is found at once), a single instruction 0.
#[inline(always)]
pub fn find_job(slots: &[JobSlot], job_id: &[u8; 8], from: usize) -> Result<usize, JobEscrowError> {
    let holds = |s: &JobSlot| s.in_use() && &s.job_id == job_id;
    let (before, after) = slots.split_at(from.min(slots.len()));
    match after.iter().position(holds) {
        Some(i) => Ok(from.saturating_add(i)),
        None => before.iter().position(holds).ok_or(JobEscrowError::JobNotFound),
    }
}

/// Index of a free slot for a new job `job_id` among `slots`, of which
/// `open_jobs` are in use: `JobAlreadyLocked` when that id is in flight in
/// these slots, `NoFreeJobSlot` when none is free. The walk stops once it
/// holds a free slot and has seen every slot in use (the account's
/// `open_jobs` counts them), so a lock reads the slots of the jobs in flight
/// and one more, not all of them.
#[inline(always)]
pub fn free_slot_for(slots: &[JobSlot], job_id: &[u8; 8], open_jobs: u32) -> Result<usize, JobEscrowError> {
    let id = u64::from_le_bytes(*job_id);
    let mut free = None;
    let mut unseen = open_jobs;
    for (i, slot) in slots.iter().enumerate() {
        if slot.in_use() {
            if slot.job_id() == id {
                return Err(JobEscrowError::JobAlreadyLocked);
            }
            unseen = unseen.saturating_sub(1);
            if unseen == 0 && free.is_some() {
                break;
            }
        } else if free.is_none() {
            free = Some(i);
            if unseen == 0 {
                break;
            }
        }
    }
    free.ok_or(JobEscrowError::NoFreeJobSlot)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(ids: &[Option<u64>]) -> [JobSlot; 4] {
        // SAFETY: all zeros is a valid (free) JobSlot.
        let mut out: [JobSlot; 4] = unsafe { core::mem::zeroed() };
        for (slot, id) in out.iter_mut().zip(ids) {
            if let Some(id) = id {
                slot.set_job_id(*id);
                slot.set_expires_at(1);
            }
        }
        out
    }

    #[test]
    fn finds_jobs_in_flight_only() {
        let s = slots(&[Some(7), None, Some(0), None]);
        assert_eq!(find_job(&s, &7u64.to_le_bytes(), 0), Ok(0));
        // Job id 0 in flight is found; a free slot (all zeros) is not job 0.
        assert_eq!(find_job(&s, &0u64.to_le_bytes(), 0), Ok(2));
        assert_eq!(find_job(&slots(&[None; 4]), &0u64.to_le_bytes(), 0), Err(JobEscrowError::JobNotFound));
        assert_eq!(find_job(&s, &9u64.to_le_bytes(), 0), Err(JobEscrowError::JobNotFound));
    }

    #[test]
    fn finds_a_job_from_any_start_wrapping_around() {
        let s = slots(&[Some(7), None, Some(8), Some(9)]);
        for from in 0..=4 {
            assert_eq!(find_job(&s, &7u64.to_le_bytes(), from), Ok(0), "from {from}");
            assert_eq!(find_job(&s, &8u64.to_le_bytes(), from), Ok(2), "from {from}");
            assert_eq!(find_job(&s, &9u64.to_le_bytes(), from), Ok(3), "from {from}");
            assert_eq!(find_job(&s, &5u64.to_le_bytes(), from), Err(JobEscrowError::JobNotFound), "from {from}");
        }
    }

    #[test]
    fn a_free_slot_for_a_new_id_only() {
        let s = slots(&[Some(7), None, Some(8), None]);
        assert_eq!(free_slot_for(&s, &9u64.to_le_bytes(), 2), Ok(1));
        assert_eq!(free_slot_for(&s, &8u64.to_le_bytes(), 2), Err(JobEscrowError::JobAlreadyLocked));
        let full = slots(&[Some(1), Some(2), Some(3), Some(4)]);
        assert_eq!(free_slot_for(&full, &5u64.to_le_bytes(), 4), Err(JobEscrowError::NoFreeJobSlot));
        assert_eq!(free_slot_for(&full, &4u64.to_le_bytes(), 4), Err(JobEscrowError::JobAlreadyLocked));
    }

    #[test]
    fn stops_once_every_job_in_flight_was_seen() {
        // open_jobs = 1: slot 0 holds the one job, slot 1 is free; slot 2 is never read
        // (were it in use with id 9, the account's open_jobs would say 2).
        let s = slots(&[Some(7), None, Some(9), None]);
        assert_eq!(free_slot_for(&s, &9u64.to_le_bytes(), 1), Ok(1));
        assert_eq!(free_slot_for(&s, &9u64.to_le_bytes(), 2), Err(JobEscrowError::JobAlreadyLocked));
        // A free slot before the jobs in flight: every job is still compared.
        let s = slots(&[None, Some(7), Some(8), None]);
        assert_eq!(free_slot_for(&s, &8u64.to_le_bytes(), 2), Err(JobEscrowError::JobAlreadyLocked));
        assert_eq!(free_slot_for(&s, &6u64.to_le_bytes(), 2), Ok(0));
    }
}
