use {
    super::shared::{
        args::Args,
        cpi::NewAccount,
        require_key, require_signer,
        sysvar::rent_exempt_minimum,
    },
    crate::{
        error::JobEscrowError,
        events::{ConfigUpdated, Event},
        state::{init, load_mint, Config, ProgramAccount, Tier, TokenAccount, CONFIG_SEED, SYSTEM_PROGRAM_ID, TIER_COUNT},
    },
    pinocchio::{
        address::address,
        cpi::{Seed, Signer},
        error::ProgramError,
        AccountView, Address, ProgramResult,
    },
};

/// The upgradeable BPF loader, owner of the ProgramData account.
const BPF_LOADER_UPGRADEABLE_ID: Address = address!("BPFLoaderUpgradeab1e11111111111111111111111");

/// `initialize_config` arguments (140 bytes, Borsh order).
#[repr(C)]
pub struct InitializeConfigArgs {
    pub operator: Address,
    pub price_per_credit: [u8; 8],
    pub min_purchase_credits: [u8; 8],
    pub job_timeout_secs: [u8; 4],
    pub provider_share_bps_min: [u8; 2],
    pub provider_share_bps_max: [u8; 2],
    pub tiers: [Tier; TIER_COUNT],
    pub max_output_tokens_per_job: [u8; 4],
}

// SAFETY: repr(C) of byte arrays and addresses, alignment 1, no padding.
unsafe impl Args for InitializeConfigArgs {}

/// Creates the Config PDA. Only the program's upgrade authority may call it,
/// once.
pub fn process_initialize_config(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Accounts.
    let [admin, config_view, mint, treasury, program_data, system_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };

    // Data.
    let args = InitializeConfigArgs::from_bytes(data)?;

    // Validation.
    require_signer(admin)?;
    require_key(system_program, &SYSTEM_PROGRAM_ID, JobEscrowError::InvalidProgramAccount)?;
    check_upgrade_authority(program_data, admin.address())?;
    if config_view.owned_by(&crate::ID) {
        return Err(JobEscrowError::AlreadyInitialized.into());
    }
    // Built through black_box so the seed array lives on the stack: the
    // linker emits .rodata with alignment 1, which the syscall rejects.
    let seeds = core::hint::black_box([CONFIG_SEED]);
    let (expected, bump) = Address::find_program_address(&seeds, &crate::ID);
    require_key(config_view, &expected, JobEscrowError::InvalidPda)?;
    // The mint's owner is the token program from now on; its extensions
    // pass the policy (docs/token-2022.md).
    let mint_info = load_mint(mint)?;
    TokenAccount::load(treasury, &mint_info.token_program, mint.address(), JobEscrowError::InvalidTreasury)?;

    // Create and fill.
    let bump_seed = [bump];
    let signer_seeds = [Seed::from(CONFIG_SEED), Seed::from(&bump_seed)];
    let rent = rent_exempt_minimum(Config::LEN as u64)?;
    NewAccount { payer: admin, account: config_view, space: Config::LEN as u64, lamports: rent }.create(&[Signer::from(&signer_seeds)])?;
    // SAFETY: the Config is the only program account this instruction
    // borrows, once; the borrows of the ProgramData, mint and treasury
    // (owned by other programs, checked before they were read) have ended.
    let config = unsafe { init::<Config>(config_view)? };
    config.admin = *admin.address();
    config.operator = args.operator;
    config.mint = *mint.address();
    config.treasury = *treasury.address();
    config.set_price_per_credit(u64::from_le_bytes(args.price_per_credit));
    config.set_min_purchase_credits(u64::from_le_bytes(args.min_purchase_credits));
    config.set_job_timeout_secs(u32::from_le_bytes(args.job_timeout_secs));
    config.set_provider_share_bps_min(u16::from_le_bytes(args.provider_share_bps_min));
    config.set_provider_share_bps_max(u16::from_le_bytes(args.provider_share_bps_max));
    config.tiers = args.tiers;
    config.set_max_output_tokens_per_job(u32::from_le_bytes(args.max_output_tokens_per_job));
    config.bump = bump;
    config.token_program = mint_info.token_program;
    config.decimals = mint_info.decimals;
    config.validate()?;

    // Event.
    ConfigUpdated::from_config(config).emit();
    Ok(())
}

/// Fails unless `program_data` is this program's ProgramData account
/// (PDA `[program id]` of the upgradeable loader) and names `admin` as the
/// upgrade authority. Layout: u32 tag (3 = ProgramData), u64 slot,
/// Option<Pubkey> authority (tag byte 12, key at 13..45).
fn check_upgrade_authority(program_data: &AccountView, admin: &Address) -> ProgramResult {
    let seeds = core::hint::black_box([crate::ID.as_ref()]);
    let (expected, _) = Address::find_program_address(&seeds, &BPF_LOADER_UPGRADEABLE_ID);
    if program_data.address() != &expected || !program_data.owned_by(&BPF_LOADER_UPGRADEABLE_ID) {
        return Err(JobEscrowError::InvalidProgramData.into());
    }
    // SAFETY: read-only borrow of a loader-owned account; lengths are
    // checked before indexing.
    let data = unsafe { program_data.borrow_unchecked() };
    if data.len() < 45 || data[..4] != [3, 0, 0, 0] {
        return Err(JobEscrowError::InvalidProgramData.into());
    }
    if data[12] != 1 || &data[13..45] != admin.as_ref() {
        return Err(JobEscrowError::NotUpgradeAuthority.into());
    }
    Ok(())
}
