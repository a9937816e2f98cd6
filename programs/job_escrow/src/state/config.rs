use {
    super::{le_fields, ProgramAccount},
    crate::{discriminator::account::CONFIG, error::JobEscrowError, math},
    pinocchio::Address,
};

/// Seed of the Config PDA.
pub const CONFIG_SEED: &[u8] = b"config";
/// Number of pricing tiers: 0 Lite, 1 Standard, 2 Pro, 3 Max.
pub const TIER_COUNT: usize = 4;
/// Basis points in 100 %.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// A job expires between 10 seconds and one day after its lock.
pub const JOB_TIMEOUT_MIN_SECS: u32 = 10;
pub const JOB_TIMEOUT_MAX_SECS: u32 = 86_400;
/// The largest `max_output_tokens_per_job` the admin may set.
pub const MAX_OUTPUT_TOKENS_CEILING: u32 = 1_000_000;
/// No tier may price a job at the token ceiling above this many credits ($10,000).
pub const MAX_JOB_CREDITS: u64 = 1_000_000;

/// One row of the tier table (20 bytes).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | request_credits: u64 |
/// | 8 | 8 | per_1k_credits: u64 |
/// | 16 | 4 | included_tokens: u32 |
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tier {
    request_credits: [u8; 8],
    per_1k_credits: [u8; 8],
    included_tokens: [u8; 4],
}

impl Tier {
    pub const LEN: usize = 20;

    le_fields! {
        request_credits, set_request_credits: u64;
        per_1k_credits, set_per_1k_credits: u64;
        included_tokens, set_included_tokens: u32;
    }

    /// `request_credits + ceil(max(0, t - included_tokens) * per_1k_credits / 1000)`,
    /// monotone in `t`.
    #[inline(always)]
    pub fn cost(&self, output_tokens: u32) -> Result<u64, JobEscrowError> {
        let excess = u64::from(output_tokens.saturating_sub(self.included_tokens()));
        let metered = math::mul_div_ceil(self.per_1k_credits(), excess, 1000)?;
        math::add(self.request_credits(), metered)
    }
}

/// The program's singleton configuration, PDA `["config"]` (311 bytes).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | discriminator |
/// | 8 | 32 | admin |
/// | 40 | 32 | pending_admin (all zero: none) |
/// | 72 | 32 | operator |
/// | 104 | 32 | mint |
/// | 136 | 32 | treasury |
/// | 168 | 8 | price_per_credit: u64 (base units of the mint) |
/// | 176 | 8 | min_purchase_credits: u64 |
/// | 184 | 4 | job_timeout_secs: u32 |
/// | 188 | 2 | provider_share_bps_min: u16 |
/// | 190 | 2 | provider_share_bps_max: u16 |
/// | 192 | 80 | tiers: [Tier; 4] |
/// | 272 | 4 | max_output_tokens_per_job: u32 |
/// | 276 | 1 | paused: bool |
/// | 277 | 1 | bump: u8 |
/// | 278 | 32 | token_program (the mint's owner: classic Token or Token-2022) |
/// | 310 | 1 | decimals: u8 (the mint's, for TransferChecked) |
#[repr(C)]
pub struct Config {
    discriminator: [u8; 8],
    pub admin: Address,
    pub pending_admin: Address,
    pub operator: Address,
    pub mint: Address,
    pub treasury: Address,
    price_per_credit: [u8; 8],
    min_purchase_credits: [u8; 8],
    job_timeout_secs: [u8; 4],
    provider_share_bps_min: [u8; 2],
    provider_share_bps_max: [u8; 2],
    pub tiers: [Tier; TIER_COUNT],
    max_output_tokens_per_job: [u8; 4],
    paused: u8,
    pub bump: u8,
    pub token_program: Address,
    pub decimals: u8,
}

const _: () = assert!(Config::LEN == 311);
const _: () = assert!(core::mem::size_of::<Tier>() == Tier::LEN);
const _: () = assert!(core::mem::align_of::<Config>() == 1);

// SAFETY: repr(C), byte arrays only (alignment 1, no padding), any bytes valid.
unsafe impl ProgramAccount for Config {
    const DISCRIMINATOR: [u8; 8] = CONFIG;
}

impl Config {
    le_fields! {
        price_per_credit, set_price_per_credit: u64;
        min_purchase_credits, set_min_purchase_credits: u64;
        job_timeout_secs, set_job_timeout_secs: u32;
        provider_share_bps_min, set_provider_share_bps_min: u16;
        provider_share_bps_max, set_provider_share_bps_max: u16;
        max_output_tokens_per_job, set_max_output_tokens_per_job: u32;
    }

    #[inline(always)]
    pub fn paused(&self) -> bool {
        self.paused != 0
    }

    #[inline(always)]
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = u8::from(paused);
    }

    /// Rejects a configuration the program could not honour: a zero price,
    /// minimum or timeout, share bounds outside `0..=10,000` or inverted.
    /// Every value that can hold user funds within its documented range
    /// (docs/program.md, "Config bounds"): a job's timeout, the largest job
    /// (the per-job token ceiling priced at each tier), the share bounds.
    pub fn validate(&self) -> Result<(), JobEscrowError> {
        let timeout = self.job_timeout_secs();
        let ceiling = self.max_output_tokens_per_job();
        let mut ok = self.price_per_credit() > 0
            && self.min_purchase_credits() > 0
            && (JOB_TIMEOUT_MIN_SECS..=JOB_TIMEOUT_MAX_SECS).contains(&timeout)
            && (1..=MAX_OUTPUT_TOKENS_CEILING).contains(&ceiling)
            && self.provider_share_bps_min() <= self.provider_share_bps_max()
            && u64::from(self.provider_share_bps_max()) <= BPS_DENOMINATOR;
        for tier in &self.tiers {
            // A tier that overflows u64 at the ceiling is out of range too.
            ok = ok && tier.cost(ceiling).is_ok_and(|credits| credits <= MAX_JOB_CREDITS);
        }
        if ok {
            Ok(())
        } else {
            Err(JobEscrowError::InvalidConfigValue)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(request: u64, per_1k: u64) -> Tier {
        let mut t = Tier::default();
        t.set_request_credits(request);
        t.set_per_1k_credits(per_1k);
        t.set_included_tokens(500);
        t
    }

    #[test]
    fn cost_follows_the_spec_formula() {
        let standard = tier(8, 4);
        assert_eq!(standard.cost(0), Ok(8));
        assert_eq!(standard.cost(500), Ok(8));
        assert_eq!(standard.cost(501), Ok(9)); // ceil(1 * 4 / 1000) = 1
        assert_eq!(standard.cost(750), Ok(9)); // ceil(250 * 4 / 1000) = 1
        assert_eq!(standard.cost(751), Ok(10)); // ceil(251 * 4 / 1000) = 2
        assert_eq!(standard.cost(1500), Ok(12));
        assert_eq!(tier(40, 20).cost(u32::MAX), Ok(40 + 85_899_336));
        assert_eq!(
            tier(u64::MAX, 1).cost(501),
            Err(JobEscrowError::ArithmeticOverflow)
        );
    }

    #[test]
    fn cost_is_monotone() {
        let t = tier(18, 9);
        let mut last = 0;
        for tokens in 0..5_000 {
            let c = t.cost(tokens).unwrap();
            assert!(c >= last);
            last = c;
        }
    }
}
