//! Anchor-compatible events: one `sol_log_data` call with a single part, the
//! event's discriminator followed by its Borsh payload, exactly what Anchor's
//! `emit!` logs ("Program data: <base64>"). Each event is a `#[repr(C)]`
//! struct of byte arrays whose bytes are that part.
//!
//! The job events (JobLocked, JobSettled, JobRefunded) carry their credit
//! account, so an indexer attributes each from its own bytes even when one
//! batch instruction handles jobs of many accounts. The other events on the
//! money path (purchase, withdraw) carry no account keys: `sol_log_data` costs
//! one compute unit per byte, and the credit account is the instruction's.
use {
    crate::{
        discriminator::event::*,
        state::{Config, ProgramAccount},
    },
    pinocchio::Address,
};

/// # Safety
/// Implementors must be `#[repr(C)]` with alignment 1 and no padding, so that
/// their bytes are the event as Anchor encodes it.
pub unsafe trait Event: Sized {
    #[inline]
    fn emit(&self) {
        // SAFETY: `Self` has no padding (trait contract), so all
        // `size_of::<Self>()` bytes are initialized.
        let bytes = unsafe {
            core::slice::from_raw_parts(self as *const Self as *const u8, core::mem::size_of::<Self>())
        };
        log_data(bytes);
    }
}

#[inline]
fn log_data(bytes: &[u8]) {
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    {
        // Built on the stack: the linker gives .rodata alignment 1 and the
        // syscall rejects an unaligned slice array.
        let parts: [&[u8]; 1] = [bytes];
        // SAFETY: `parts` is a valid array of one slice for the call's duration.
        unsafe { pinocchio::syscalls::sol_log_data(parts.as_ptr() as *const u8, 1) };
    }
    #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
    core::hint::black_box(bytes);
}

macro_rules! event {
    ($(#[$doc:meta])* $name:ident = $disc:ident { $($field:ident: $t:ty),* $(,)? }) => {
        $(#[$doc])*
        #[repr(C)]
        pub struct $name {
            discriminator: [u8; 8],
            $(pub $field: $t),*
        }
        impl $name {
            #[inline]
            #[allow(clippy::too_many_arguments)]
            pub fn new($($field: $t),*) -> Self {
                Self { discriminator: $disc, $($field),* }
            }
        }
        // SAFETY: repr(C) of byte arrays and addresses: alignment 1, no padding.
        unsafe impl Event for $name {}
    };
}

/// Length of the Config bytes an event repeats: everything but the
/// discriminator and the bump.
const CONFIG_BODY: usize = Config::LEN - 9;
/// Where the Config keeps its bump (the event leaves it out).
const BUMP_AT: usize = core::mem::offset_of!(Config, bump);

event! {
    /// Emitted by initialize_config, update_config, nominate_admin and
    /// accept_admin: the whole configuration after the change.
    ConfigUpdated = CONFIG_UPDATED { config: [u8; CONFIG_BODY] }
}

impl ConfigUpdated {
    #[inline]
    pub fn from_config(config: &Config) -> Self {
        // SAFETY: Config is LEN bytes of alignment 1 (ProgramAccount's contract).
        let bytes = unsafe {
            core::slice::from_raw_parts(config as *const Config as *const u8, Config::LEN)
        };
        // Everything between the discriminator and the bump, then
        // everything after the bump.
        let mut body = [0u8; CONFIG_BODY];
        let (before, after) = body.split_at_mut(BUMP_AT - 8);
        before.copy_from_slice(&bytes[8..BUMP_AT]);
        after.copy_from_slice(&bytes[BUMP_AT + 1..]);
        Self::new(body)
    }
}

event! {
    CreditAccountOpened = CREDIT_ACCOUNT_OPENED {
        owner: Address,
        credit_account: Address,
        vault: Address,
    }
}
event! {
    /// `amount` is in USDC base units.
    CreditsPurchased = CREDITS_PURCHASED { credits: [u8; 8], amount: [u8; 8] }
}
event! {
    JobLocked = JOB_LOCKED {
        credit_account: Address,
        job_id: [u8; 8],
        tier: u8,
        credits_locked: [u8; 8],
        expires_at: [u8; 8],
    }
}
event! {
    /// The platform fee is `credits_charged * price - worker_amount`.
    JobSettled = JOB_SETTLED {
        credit_account: Address,
        job_id: [u8; 8],
        credits_charged: [u8; 8],
        worker_amount: [u8; 8],
    }
}
event! {
    /// `reason`: 0 = failed (operator, before expiry), 1 = expired.
    JobRefunded = JOB_REFUNDED { credit_account: Address, job_id: [u8; 8], credits_released: [u8; 8], reason: u8 }
}
event! {
    CreditsWithdrawn = CREDITS_WITHDRAWN { credits: [u8; 8], amount: [u8; 8] }
}
event! {
    FeesCollected = FEES_COLLECTED { credit_account: Address, amount: [u8; 8] }
}
event! {
    SpendingLimitSet = SPENDING_LIMIT_SET { max_credits_per_job: [u8; 8], daily_limit_credits: [u8; 8] }
}
event! {
    CreditAccountClosed = CREDIT_ACCOUNT_CLOSED { owner: Address, credit_account: Address }
}
event! {
    /// `expires_at` as given (0 = never).
    CreditsGranted = CREDITS_GRANTED { credits: [u8; 8], expires_at: [u8; 8] }
}
event! {
    /// `reason`: 0 = expired, 1 = given up by the owner.
    PromoExpired = PROMO_EXPIRED { credits: [u8; 8], reason: u8 }
}
event! {
    /// `job_slots`: the account's slot count after the change.
    JobSlotsAdded = JOB_SLOTS_ADDED { job_slots: u8 }
}
