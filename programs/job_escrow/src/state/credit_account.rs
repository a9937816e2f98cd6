use {
    super::{check, le_fields, JobSlot, ProgramAccount, MAX_JOB_SLOTS},
    crate::{discriminator::account::CREDIT_ACCOUNT, error::JobEscrowError, math},
    pinocchio::{error::ProgramError, AccountView, Address},
};

/// Seed prefix of a CreditAccount PDA: `["credits", owner]`.
pub const CREDIT_SEED: &[u8] = b"credits";
/// The daily spending window.
pub const DAY_SECS: i64 = 86_400;

/// One wallet's credit balance and its jobs in flight, PDA
/// `["credits", owner]`: a fixed part of 233 bytes, then `job_slots` slots of
/// 57 bytes ([`JobSlot`]; 233 + 57 * 16 = 1,145 bytes by default). Bytes
/// 229.. are the Borsh `Vec<JobSlot>` the IDL declares. The USDC itself sits
/// in `vault`, the classic-Token ATA of (this PDA, mint).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | discriminator |
/// | 8 | 32 | owner |
/// | 40 | 32 | vault |
/// | 72 | 8 | locked: u64 (credits held by open jobs) |
/// | 80 | 4 | open_jobs: u32 |
/// | 84 | 8 | fees_accrued: u64 (USDC base units owed to the treasury) |
/// | 92 | 8 | max_credits_per_job: u64 (0 = no cap) |
/// | 100 | 8 | purchased: u64 (lifetime credits bought through `purchase`) |
/// | 108 | 8 | charged: u64 (lifetime credits charged by settle) |
/// | 116 | 8 | withdrawn: u64 (lifetime credits withdrawn) |
/// | 124 | 8 | created_at: i64 (unix seconds) |
/// | 132 | 8 | daily_limit_credits: u64 (0 = no daily limit) |
/// | 140 | 8 | window_start: i64 (unix seconds the current day window opened) |
/// | 148 | 8 | spent_in_window: u64 (credits locked in the current window) |
/// | 156 | 8 | promo_credits: u64 (unspent granted credits) |
/// | 164 | 8 | promo_expires_at: i64 (0 = never) |
/// | 172 | 8 | granted: u64 (lifetime promo credits granted) |
/// | 180 | 8 | expired: u64 (lifetime promo credits expired or given up) |
/// | 188 | 32 | rent_payer (the wallet that paid the rent at open) |
/// | 220 | 8 | rent_paid: u64 (lamports it paid: account and vault rent) |
/// | 228 | 1 | bump: u8 |
/// | 229 | 4 | job_slots: u32 (slot count, at most 64) |
/// | 233 | 57 each | the slots |
#[repr(C)]
pub struct CreditAccount {
    discriminator: [u8; 8],
    pub owner: Address,
    pub vault: Address,
    locked: [u8; 8],
    open_jobs: [u8; 4],
    fees_accrued: [u8; 8],
    max_credits_per_job: [u8; 8],
    purchased: [u8; 8],
    charged: [u8; 8],
    withdrawn: [u8; 8],
    created_at: [u8; 8],
    daily_limit_credits: [u8; 8],
    window_start: [u8; 8],
    spent_in_window: [u8; 8],
    promo_credits: [u8; 8],
    promo_expires_at: [u8; 8],
    granted: [u8; 8],
    expired: [u8; 8],
    pub rent_payer: Address,
    rent_paid: [u8; 8],
    pub bump: u8,
    job_slots: [u8; 4],
}

const _: () = assert!(CreditAccount::LEN == 233);
const _: () = assert!(core::mem::align_of::<CreditAccount>() == 1);

// SAFETY: repr(C), byte arrays only (alignment 1, no padding), any bytes valid.
unsafe impl ProgramAccount for CreditAccount {
    const DISCRIMINATOR: [u8; 8] = CREDIT_ACCOUNT;

    #[inline(always)]
    fn tail_len(&self) -> Option<usize> {
        let slots = self.job_slots();
        if slots <= u32::from(MAX_JOB_SLOTS) {
            (slots as usize).checked_mul(JobSlot::LEN)
        } else {
            None
        }
    }
}

/// Size of a CreditAccount with `slots` job slots (at most 233 + 255 * 57:
/// no overflow).
#[inline(always)]
#[allow(clippy::arithmetic_side_effects)]
pub const fn credit_account_len(slots: u8) -> usize {
    CreditAccount::LEN + slots as usize * JobSlot::LEN
}

/// Borrows `view` as a CreditAccount and its job slots, after the checks of
/// [`super::load_mut`] (owner, discriminator, a length that matches the
/// recorded slot count).
///
/// # Safety
///
/// As for [`super::load_mut`]: no other reference to this account's data
/// may be alive while the returned ones are.
#[inline(always)]
#[allow(clippy::mut_from_ref)]
pub unsafe fn load_credit_mut(view: &AccountView) -> Result<(&mut CreditAccount, &mut [JobSlot]), ProgramError> {
    check::<CreditAccount>(view)?;
    let base = view.data_ptr();
    // SAFETY: `check` proved the account is `LEN + count * JobSlot::LEN`
    // bytes with `count` the recorded slot count; both types have alignment 1
    // and accept any bytes, the two borrows do not overlap, and no other
    // borrow of this account is alive (this function's contract).
    unsafe {
        let credit = &mut *(base as *mut CreditAccount);
        let count = credit.job_slots() as usize;
        let slots = core::slice::from_raw_parts_mut(base.add(CreditAccount::LEN) as *mut JobSlot, count);
        Ok((credit, slots))
    }
}

impl CreditAccount {
    le_fields! {
        locked, set_locked: u64;
        open_jobs, set_open_jobs: u32;
        fees_accrued, set_fees_accrued: u64;
        max_credits_per_job, set_max_credits_per_job: u64;
        purchased, set_purchased: u64;
        charged, set_charged: u64;
        withdrawn, set_withdrawn: u64;
        created_at, set_created_at: i64;
        daily_limit_credits, set_daily_limit_credits: u64;
        window_start, set_window_start: i64;
        spent_in_window, set_spent_in_window: u64;
        promo_credits, set_promo_credits: u64;
        promo_expires_at, set_promo_expires_at: i64;
        granted, set_granted: u64;
        expired, set_expired: u64;
        rent_paid, set_rent_paid: u64;
        job_slots, set_job_slots: u32;
    }

    /// True once the promo balance has an expiry and it has passed.
    #[inline(always)]
    pub fn promo_expired(&self, now: i64) -> bool {
        let expires_at = self.promo_expires_at();
        expires_at != 0 && now >= expires_at
    }

    /// What may leave the vault as USDC, or back a new lock once the promo
    /// has expired: `available` less the unspent promo credits, floored at 0.
    #[inline(always)]
    pub fn without_promo(&self, available: u64) -> u64 {
        available.saturating_sub(self.promo_credits())
    }

    /// Adds granted credits; the expiry becomes the later of the two, where
    /// 0 (never) wins, or the new one when no promo was left.
    #[inline(always)]
    pub fn grant(&mut self, credits: u64, expires_at: i64) -> Result<(), JobEscrowError> {
        let current = self.promo_expires_at();
        let expiry = if self.promo_credits() == 0 {
            expires_at
        } else if current == 0 || expires_at == 0 {
            0
        } else {
            current.max(expires_at)
        };
        self.set_promo_credits(math::add(self.promo_credits(), credits)?);
        self.set_granted(math::add(self.granted(), credits)?);
        self.set_promo_expires_at(expiry);
        Ok(())
    }

    /// Spends promo first: `min(promo_credits, charged)` of a settled charge
    /// comes off the promo balance.
    #[inline(always)]
    pub fn spend_promo(&mut self, charged: u64) {
        let promo = self.promo_credits();
        self.set_promo_credits(promo.saturating_sub(charged));
        if promo <= charged {
            self.set_promo_expires_at(0);
        }
    }

    /// Removes `credits` of promo (expired or given up); at 0 the expiry resets.
    #[inline(always)]
    pub fn expire_promo(&mut self, credits: u64) -> Result<(), JobEscrowError> {
        let left = math::sub(self.promo_credits(), credits)?;
        self.set_promo_credits(left);
        self.set_expired(math::add(self.expired(), credits)?);
        if left == 0 {
            self.set_promo_expires_at(0);
        }
        Ok(())
    }

    /// Counts `credits` against the owner's daily limit (when one is set):
    /// a window opens at the first lock 24 hours or more after the previous
    /// one opened, and jobs may take at most the limit within it.
    #[inline(always)]
    pub fn spend_daily(&mut self, credits: u64, now: i64) -> Result<(), JobEscrowError> {
        let limit = self.daily_limit_credits();
        if limit == 0 {
            return Ok(());
        }
        let window_end = self.window_start().checked_add(DAY_SECS).ok_or(JobEscrowError::ArithmeticOverflow)?;
        if now >= window_end {
            self.set_window_start(now);
            self.set_spent_in_window(0);
        }
        let spent = math::add(self.spent_in_window(), credits)?;
        if spent > limit {
            return Err(JobEscrowError::DailyLimitExceeded);
        }
        self.set_spent_in_window(spent);
        Ok(())
    }

    /// Gives back to the current window the part of a job's lock that was
    /// not charged (all of it on refund), if the job was locked in it.
    #[inline(always)]
    pub fn unspend_daily(&mut self, credits: u64, locked_at: i64) {
        if locked_at >= self.window_start() {
            self.set_spent_in_window(self.spent_in_window().saturating_sub(credits));
        }
    }

    /// Takes `credits` into a new job's lock.
    #[inline(always)]
    pub fn lock(&mut self, credits: u64) -> Result<(), JobEscrowError> {
        self.set_locked(math::add(self.locked(), credits)?);
        self.set_open_jobs(self.open_jobs().checked_add(1).ok_or(JobEscrowError::ArithmeticOverflow)?);
        Ok(())
    }

    /// Ends a job that locked `credits` (settled or refunded).
    #[inline(always)]
    pub fn release(&mut self, credits: u64) -> Result<(), JobEscrowError> {
        self.set_locked(math::sub(self.locked(), credits)?);
        self.set_open_jobs(self.open_jobs().checked_sub(1).ok_or(JobEscrowError::ArithmeticOverflow)?);
        Ok(())
    }

    /// Whole credits the owner may lock or withdraw:
    /// `floor((vault - fees_accrued) / price) - locked`.
    #[inline(always)]
    pub fn available(&self, vault_amount: u64, price: u64) -> Result<u64, JobEscrowError> {
        let (backed, _) = math::div_rem(math::sub(vault_amount, self.fees_accrued())?, price)?;
        math::sub(backed, self.locked())
    }
}
