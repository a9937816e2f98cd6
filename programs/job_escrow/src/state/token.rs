//! Read-only views of classic SPL Token accounts. The program never trusts
//! these bytes without first checking that the Token program owns them.
use {
    crate::error::JobEscrowError,
    pinocchio::{address::address, error::ProgramError, AccountView, Address},
};

/// The classic SPL Token program, the only token program accepted.
pub const TOKEN_PROGRAM_ID: Address = address!("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
/// The Associated Token Account program.
pub const ATA_PROGRAM_ID: Address = address!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
/// The System program.
pub const SYSTEM_PROGRAM_ID: Address = address!("11111111111111111111111111111111");

/// An SPL Token account (165 bytes).
#[repr(C)]
pub struct TokenAccount {
    pub mint: Address,
    pub owner: Address,
    amount: [u8; 8],
    delegate_tag: [u8; 4],
    pub delegate: Address,
    pub state: u8,
    is_native_tag: [u8; 4],
    is_native: [u8; 8],
    delegated_amount: [u8; 8],
    close_authority_tag: [u8; 4],
    pub close_authority: Address,
}

const _: () = assert!(core::mem::size_of::<TokenAccount>() == TokenAccount::LEN);

/// `AccountState::Initialized`.
const INITIALIZED: u8 = 1;

impl TokenAccount {
    pub const LEN: usize = 165;

    #[inline]
    pub fn amount(&self) -> u64 {
        u64::from_le_bytes(self.amount)
    }

    #[inline]
    pub fn has_delegate(&self) -> bool {
        self.delegate_tag != [0; 4]
    }

    #[inline]
    pub fn has_close_authority(&self) -> bool {
        self.close_authority_tag != [0; 4]
    }

    /// Borrows `view` as an initialized classic-Token account of `mint`, or
    /// fails with `error`.
    #[inline]
    pub fn load<'a>(
        view: &'a AccountView,
        mint: &Address,
        error: JobEscrowError,
    ) -> Result<&'a TokenAccount, ProgramError> {
        if !view.owned_by(&TOKEN_PROGRAM_ID) || view.data_len() != Self::LEN {
            return Err(error.into());
        }
        // SAFETY: length checked; repr(C) of byte arrays, alignment 1; the
        // account is only read here and the borrow ends before any CPI.
        let account = unsafe { &*(view.borrow_unchecked().as_ptr() as *const TokenAccount) };
        if &account.mint != mint || account.state != INITIALIZED {
            return Err(error.into());
        }
        Ok(account)
    }
}

/// Borrows `view` as the vault of the CreditAccount at `credit_account`:
/// the address it recorded, a classic-Token account of `mint` owned by the
/// CreditAccount, with no delegate and no close authority (either would let
/// someone other than this program move or close the escrowed USDC).
#[inline]
pub fn load_vault<'a>(
    view: &'a AccountView,
    vault: &Address,
    credit_account: &Address,
    mint: &Address,
) -> Result<&'a TokenAccount, ProgramError> {
    if view.address() != vault {
        return Err(JobEscrowError::InvalidVault.into());
    }
    let account = TokenAccount::load(view, mint, JobEscrowError::InvalidVault)?;
    if &account.owner != credit_account || account.has_delegate() || account.has_close_authority() {
        return Err(JobEscrowError::InvalidVault.into());
    }
    Ok(account)
}

/// An SPL Token mint (82 bytes): only whether it is initialized matters here.
pub fn check_mint(view: &AccountView) -> Result<(), ProgramError> {
    const LEN: usize = 82;
    const IS_INITIALIZED: usize = 45;
    // SAFETY: read-only borrow of a non-program account; the length is
    // checked before indexing.
    let ok = view.owned_by(&TOKEN_PROGRAM_ID)
        && view.data_len() == LEN
        && unsafe { view.borrow_unchecked() }[IS_INITIALIZED] == 1;
    if ok {
        Ok(())
    } else {
        Err(JobEscrowError::InvalidMint.into())
    }
}
