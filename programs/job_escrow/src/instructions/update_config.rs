use {
    super::shared::{borsh::Reader, require_key, require_signer},
    crate::{
        error::JobEscrowError,
        events::{ConfigUpdated, Event},
        state::{load_mut, Config, Tier, TokenAccount, TIER_COUNT},
    },
    pinocchio::{error::ProgramError, AccountView, ProgramResult},
};

/// Changes any of: operator, treasury (`set_treasury` with the new treasury
/// as third account), min purchase, timeout, provider share bounds, tiers,
/// paused. Never the mint or the credit price. Arguments (Borsh, in order):
/// `operator: Option<pubkey>, set_treasury: bool, min_purchase_credits:
/// Option<u64>, job_timeout_secs: Option<u32>, provider_share_bps_min:
/// Option<u16>, provider_share_bps_max: Option<u16>, tiers: Option<[Tier; 4]>,
/// paused: Option<bool>`.
pub fn process_update_config(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [admin, config_view, rest @ ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let mut r = Reader::new(data);
    let operator = r.option(|r| r.address())?;
    let set_treasury = r.bool()?;
    let min_purchase = r.option(|r| r.bytes::<8>())?;
    let timeout = r.option(|r| r.bytes::<4>())?;
    let bps_min = r.option(|r| r.bytes::<2>())?;
    let bps_max = r.option(|r| r.bytes::<2>())?;
    let tiers = r.option(|r| {
        let mut tiers = [Tier::default(); TIER_COUNT];
        for tier in tiers.iter_mut() {
            tier.set_request_credits(u64::from_le_bytes(r.bytes()?));
            tier.set_per_1k_credits(u64::from_le_bytes(r.bytes()?));
            tier.set_included_tokens(u32::from_le_bytes(r.bytes()?));
        }
        Ok(tiers)
    })?;
    let max_output_tokens = r.option(|r| r.bytes::<4>())?;
    let paused = r.option(|r| r.bool())?;
    r.finish()?;

    // Validation.
    require_signer(admin)?;
    // SAFETY: the Config is the only program account this instruction loads,
    // once; the treasury is borrowed only after TokenAccount::load has
    // checked that the Token program owns it, so never as the Config.
    let config = unsafe { load_mut::<Config>(config_view)? };
    require_key(admin, &config.admin, JobEscrowError::Unauthorized)?;
    if set_treasury {
        let treasury = rest.first().ok_or(ProgramError::NotEnoughAccountKeys)?;
        TokenAccount::load(treasury, &config.token_program, &config.mint, JobEscrowError::InvalidTreasury)?;
        config.treasury = *treasury.address();
    }

    // State (validated as a whole below; a rejected update changes nothing
    // because the transaction fails).
    if let Some(operator) = operator {
        config.operator = operator;
    }
    if let Some(v) = min_purchase {
        config.set_min_purchase_credits(u64::from_le_bytes(v));
    }
    if let Some(v) = timeout {
        config.set_job_timeout_secs(u32::from_le_bytes(v));
    }
    if let Some(v) = bps_min {
        config.set_provider_share_bps_min(u16::from_le_bytes(v));
    }
    if let Some(v) = bps_max {
        config.set_provider_share_bps_max(u16::from_le_bytes(v));
    }
    if let Some(tiers) = tiers {
        config.tiers = tiers;
    }
    if let Some(v) = max_output_tokens {
        config.set_max_output_tokens_per_job(u32::from_le_bytes(v));
    }
    if let Some(paused) = paused {
        config.set_paused(paused);
    }
    // Follows any change of the cluster's rent.
    config.validate()?;

    // Event.
    ConfigUpdated::from_config(config).emit();
    Ok(())
}
