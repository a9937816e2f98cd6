//! Read-only views of SPL Token and Token-2022 accounts and mints. The
//! program never trusts these bytes without first checking that the token
//! program it was given owns them.
//!
//! The config's mint may belong to either program (specification section 9);
//! the token program is the mint's owner, recorded in the Config at
//! initialize_config, and every later instruction passes exactly that one.
//! A Token-2022 account or mint starts with the classic layout; when it has
//! extensions it is longer than 165 bytes, byte 165 is its `AccountType`
//! and its extensions follow as TLV entries from byte 166.
use {
    crate::error::JobEscrowError,
    pinocchio::{address::address, error::ProgramError, AccountView, Address},
};

/// The classic SPL Token program.
pub const TOKEN_PROGRAM_ID: Address = address!("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
/// The Token-2022 (Token Extensions) program.
pub const TOKEN_2022_PROGRAM_ID: Address = address!("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
/// The Associated Token Account program.
pub const ATA_PROGRAM_ID: Address = address!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
/// The System program.
pub const SYSTEM_PROGRAM_ID: Address = address!("11111111111111111111111111111111");

/// Where a Token-2022 account with extensions keeps its `AccountType`.
const ACCOUNT_TYPE_OFFSET: usize = 165;
/// `AccountType::Mint`.
const ACCOUNT_TYPE_MINT: u8 = 1;
/// `AccountType::Account`.
const ACCOUNT_TYPE_ACCOUNT: u8 = 2;
/// The first TLV entry of a Token-2022 account with extensions.
const TLV_OFFSET: usize = 166;
/// A multisig's length, which Token-2022 never gives a mint or an account
/// with extensions (its bytes 45 and 165 are signer keys', anything).
const MULTISIG_LEN: usize = 355;

/// Is `data` shaped as a Token-2022 account with extensions of type
/// `account_type` (a mint or a token account)?
#[inline(always)]
fn extended(data: &[u8], account_type: u8) -> bool {
    data.len() > ACCOUNT_TYPE_OFFSET && data.len() != MULTISIG_LEN && data[ACCOUNT_TYPE_OFFSET] == account_type
}

/// An SPL Token account (165 bytes; a Token-2022 account starts with the
/// same bytes).
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
const _: () = assert!(TokenAccount::LEN == ACCOUNT_TYPE_OFFSET);

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

    /// Borrows `view` as an initialized token account of `mint` under
    /// `token_program` (the Config's: classic Token, or Token-2022 whose
    /// accounts may carry extensions after byte 165), or fails with `error`.
    #[inline]
    pub fn load<'a>(
        view: &'a AccountView,
        token_program: &Address,
        mint: &Address,
        error: JobEscrowError,
    ) -> Result<&'a TokenAccount, ProgramError> {
        if !view.owned_by(token_program) {
            return Err(error.into());
        }
        // SAFETY: read-only borrow of an account owned by a token program;
        // the borrow ends before any CPI (the caller keeps only the returned
        // view, which is read before the instruction's CPI).
        let data = unsafe { view.borrow_unchecked() };
        let shaped = data.len() == Self::LEN || (token_program == &TOKEN_2022_PROGRAM_ID && extended(data, ACCOUNT_TYPE_ACCOUNT));
        if !shaped {
            return Err(error.into());
        }
        // SAFETY: at least LEN bytes (checked above); repr(C) of byte arrays,
        // alignment 1, any bytes valid.
        let account = unsafe { &*(data.as_ptr() as *const TokenAccount) };
        if &account.mint != mint || account.state != INITIALIZED {
            return Err(error.into());
        }
        Ok(account)
    }
}

/// Borrows `view` as the vault of the CreditAccount at `credit_account`:
/// the address it recorded, a token account of `mint` under `token_program`
/// owned by the CreditAccount, with no delegate and no close authority
/// (either would let someone other than this program move or close the
/// escrowed funds).
#[inline]
pub fn load_vault<'a>(
    view: &'a AccountView,
    vault: &Address,
    credit_account: &Address,
    mint: &Address,
    token_program: &Address,
) -> Result<&'a TokenAccount, ProgramError> {
    if view.address() != vault {
        return Err(JobEscrowError::InvalidVault.into());
    }
    let account = TokenAccount::load(view, token_program, mint, JobEscrowError::InvalidVault)?;
    if &account.owner != credit_account || account.has_delegate() || account.has_close_authority() {
        return Err(JobEscrowError::InvalidVault.into());
    }
    Ok(account)
}

/// What initialize_config records about the mint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MintInfo {
    /// The mint's owner: every transfer and every vault goes through it.
    pub token_program: Address,
    pub decimals: u8,
}

/// Checks `view` as the config's mint: an initialized mint of classic Token
/// (82 bytes) or of Token-2022 (82 bytes, or longer with `AccountType::Mint`
/// at byte 165 and extensions the policy accepts, [`check_mint_extensions`]).
pub fn load_mint(view: &AccountView) -> Result<MintInfo, ProgramError> {
    const LEN: usize = 82;
    const DECIMALS: usize = 44;
    const IS_INITIALIZED: usize = 45;
    let token_program = if view.owned_by(&TOKEN_PROGRAM_ID) {
        TOKEN_PROGRAM_ID
    } else if view.owned_by(&TOKEN_2022_PROGRAM_ID) {
        TOKEN_2022_PROGRAM_ID
    } else {
        return Err(JobEscrowError::InvalidMint.into());
    };
    // SAFETY: read-only borrow of an account owned by a token program, which
    // ends with this function; lengths are checked before indexing.
    let data = unsafe { view.borrow_unchecked() };
    let with_extensions = token_program == TOKEN_2022_PROGRAM_ID && extended(data, ACCOUNT_TYPE_MINT);
    if !(data.len() == LEN || with_extensions) || data[IS_INITIALIZED] != 1 {
        return Err(JobEscrowError::InvalidMint.into());
    }
    if with_extensions {
        check_mint_extensions(&data[TLV_OFFSET..])?;
    }
    Ok(MintInfo { token_program, decimals: data[DECIMALS] })
}

/// Token-2022 `ExtensionType` numbers the policy names
/// (spl-token-2022 `extension/mod.rs`).
pub mod extension {
    pub const UNINITIALIZED: u16 = 0;
    pub const TRANSFER_FEE_CONFIG: u16 = 1;
    pub const MINT_CLOSE_AUTHORITY: u16 = 3;
    pub const CONFIDENTIAL_TRANSFER_MINT: u16 = 4;
    pub const DEFAULT_ACCOUNT_STATE: u16 = 6;
    pub const NON_TRANSFERABLE: u16 = 9;
    pub const INTEREST_BEARING_CONFIG: u16 = 10;
    pub const PERMANENT_DELEGATE: u16 = 12;
    pub const TRANSFER_HOOK: u16 = 14;
    pub const CONFIDENTIAL_TRANSFER_FEE_CONFIG: u16 = 16;
    pub const METADATA_POINTER: u16 = 18;
    pub const TOKEN_METADATA: u16 = 19;
    pub const GROUP_POINTER: u16 = 20;
    pub const TOKEN_GROUP: u16 = 21;
    pub const GROUP_MEMBER_POINTER: u16 = 22;
    pub const TOKEN_GROUP_MEMBER: u16 = 23;
    pub const CONFIDENTIAL_MINT_BURN: u16 = 24;
    pub const SCALED_UI_AMOUNT: u16 = 25;
    pub const PAUSABLE: u16 = 26;
}

/// `AccountState::Frozen`, as DefaultAccountState stores it.
const FROZEN: u8 = 2;

/// Walks the TLV entries of a Token-2022 mint (`tlv`: its bytes from 166)
/// and applies the extension policy (docs/token-2022.md): an extension that
/// could take, freeze or change the funds the program holds is refused with
/// its own error; the harmless ones are accepted; any other type (an
/// account extension on a mint, or one newer than this program) is
/// `MintExtensionUnsupported`. The walk stops at type 0 (the zeroed rest
/// of the account) or at the end; an entry longer than what is left is
/// `InvalidMint`.
pub fn check_mint_extensions(tlv: &[u8]) -> Result<(), ProgramError> {
    use extension::*;
    let mut rest = tlv;
    // A header needs 4 bytes; fewer left (0 to 3) is the end.
    while let [t0, t1, l0, l1, after @ ..] = rest {
        let kind = u16::from_le_bytes([*t0, *t1]);
        if kind == UNINITIALIZED {
            break;
        }
        let len = usize::from(u16::from_le_bytes([*l0, *l1]));
        if len > after.len() {
            return Err(JobEscrowError::InvalidMint.into());
        }
        let (value, next) = after.split_at(len);
        check_mint_extension(kind, value)?;
        rest = next;
    }
    Ok(())
}

/// Is any byte of `value[range]` non-zero (a key or number that is set)?
/// A range past the value's end is a malformed extension.
#[inline]
fn any_set(value: &[u8], range: core::ops::Range<usize>) -> Result<bool, JobEscrowError> {
    if range.end > value.len() {
        return Err(JobEscrowError::InvalidMint);
    }
    Ok(value[range].iter().any(|b| *b != 0))
}

/// The policy for one extension of the mint (see [`check_mint_extensions`]).
fn check_mint_extension(kind: u16, value: &[u8]) -> Result<(), JobEscrowError> {
    use extension::*;
    match kind {
        // Config authority 32, withdraw authority 32, withheld 8, then the
        // older and newer fees {epoch 8, maximum 8, basis points 2}: a fee
        // that is not zero takes from every transfer, and an authority could
        // set one later.
        TRANSFER_FEE_CONFIG => {
            if any_set(value, 0..32)? || any_set(value, 88..90)? || any_set(value, 106..108)? {
                return Err(JobEscrowError::MintTransferFee);
            }
            Ok(())
        }
        // The delegate can move or burn tokens of any account, the vaults too.
        PERMANENT_DELEGATE => {
            if any_set(value, 0..32)? {
                return Err(JobEscrowError::MintPermanentDelegate);
            }
            Ok(())
        }
        NON_TRANSFERABLE => Err(JobEscrowError::MintNonTransferable),
        // Authority 32, program id 32: the program does not forward a hook's
        // extra accounts, so a hook (or an authority that could set one) is
        // refused.
        TRANSFER_HOOK => {
            if any_set(value, 0..64)? {
                return Err(JobEscrowError::MintTransferHook);
            }
            Ok(())
        }
        // New accounts (the vaults) would start frozen.
        DEFAULT_ACCOUNT_STATE => match value.first() {
            Some(&FROZEN) => Err(JobEscrowError::MintDefaultFrozen),
            Some(_) => Ok(()),
            None => Err(JobEscrowError::InvalidMint),
        },
        // The pause authority can stop every transfer, withdrawals included.
        PAUSABLE => Err(JobEscrowError::MintPausable),
        // Harmless: an authority that can close the mint only at zero supply;
        // confidential transfers, which need the account owner (the credit
        // PDA, which never configures its vault) to sign, so the vault's plain
        // balance is what moves; display-only interest and UI scaling (raw
        // amounts unchanged); metadata, groups and their pointers.
        MINT_CLOSE_AUTHORITY
        | CONFIDENTIAL_TRANSFER_MINT
        | INTEREST_BEARING_CONFIG
        | CONFIDENTIAL_TRANSFER_FEE_CONFIG
        | METADATA_POINTER
        | TOKEN_METADATA
        | GROUP_POINTER
        | TOKEN_GROUP
        | GROUP_MEMBER_POINTER
        | TOKEN_GROUP_MEMBER
        | CONFIDENTIAL_MINT_BURN
        | SCALED_UI_AMOUNT => Ok(()),
        _ => Err(JobEscrowError::MintExtensionUnsupported),
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::{check_mint_extensions, extension::*};
    use std::{vec, vec::Vec};
    use crate::error::JobEscrowError;
    use pinocchio::error::ProgramError;

    /// One TLV entry.
    fn entry(kind: u16, value: &[u8]) -> Vec<u8> {
        let mut out = kind.to_le_bytes().to_vec();
        out.extend_from_slice(&u16::try_from(value.len()).unwrap().to_le_bytes());
        out.extend_from_slice(value);
        out
    }

    fn check(entries: &[Vec<u8>]) -> Result<(), ProgramError> {
        check_mint_extensions(&entries.concat())
    }

    fn refused(e: JobEscrowError) -> Result<(), ProgramError> {
        Err(e.into())
    }

    /// A TransferFeeConfig value: authority, withdraw authority, withheld,
    /// older and newer fee basis points.
    fn transfer_fee(authority: u8, older_bps: u16, newer_bps: u16) -> Vec<u8> {
        let mut v = vec![0u8; 108];
        v[..32].fill(authority);
        v[32..64].fill(7); // the withdraw authority may be set: it can only take withheld fees
        v[64..72].copy_from_slice(&5u64.to_le_bytes());
        v[72..80].copy_from_slice(&1u64.to_le_bytes()); // older epoch
        v[80..88].copy_from_slice(&u64::MAX.to_le_bytes()); // older maximum fee
        v[88..90].copy_from_slice(&older_bps.to_le_bytes());
        v[90..98].copy_from_slice(&2u64.to_le_bytes()); // newer epoch
        v[98..106].copy_from_slice(&u64::MAX.to_le_bytes()); // newer maximum fee
        v[106..108].copy_from_slice(&newer_bps.to_le_bytes());
        v
    }

    #[test]
    fn no_extensions_and_zero_padding_are_accepted() {
        assert_eq!(check_mint_extensions(&[]), Ok(()));
        assert_eq!(check_mint_extensions(&[0; 40]), Ok(()));
        // Fewer than 4 bytes left cannot hold a header: the end.
        assert_eq!(check_mint_extensions(&[1, 0, 0]), Ok(()));
    }

    #[test]
    fn transfer_fee_is_accepted_only_at_zero_without_authority() {
        assert_eq!(check(&[entry(TRANSFER_FEE_CONFIG, &transfer_fee(0, 0, 0))]), Ok(()));
        let fee = refused(JobEscrowError::MintTransferFee);
        assert_eq!(check(&[entry(TRANSFER_FEE_CONFIG, &transfer_fee(0, 1, 0))]), fee);
        assert_eq!(check(&[entry(TRANSFER_FEE_CONFIG, &transfer_fee(0, 0, 1))]), fee);
        assert_eq!(check(&[entry(TRANSFER_FEE_CONFIG, &transfer_fee(0, 256, 0))]), fee);
        assert_eq!(check(&[entry(TRANSFER_FEE_CONFIG, &transfer_fee(0, 0, 256))]), fee);
        assert_eq!(check(&[entry(TRANSFER_FEE_CONFIG, &transfer_fee(9, 0, 0))]), fee);
        let mut last_byte = transfer_fee(0, 0, 0);
        last_byte[31] = 1;
        assert_eq!(check(&[entry(TRANSFER_FEE_CONFIG, &last_byte)]), fee);
        // Too short to hold the newer fee: malformed.
        assert_eq!(
            check(&[entry(TRANSFER_FEE_CONFIG, &[0; 100])]),
            refused(JobEscrowError::InvalidMint)
        );
    }

    #[test]
    fn permanent_delegate_is_refused_when_set() {
        assert_eq!(check(&[entry(PERMANENT_DELEGATE, &[0; 32])]), Ok(()));
        let mut key = [0u8; 32];
        key[31] = 1;
        assert_eq!(check(&[entry(PERMANENT_DELEGATE, &key)]), refused(JobEscrowError::MintPermanentDelegate));
        assert_eq!(check(&[entry(PERMANENT_DELEGATE, &[1; 31])]), refused(JobEscrowError::InvalidMint));
    }

    #[test]
    fn non_transferable_and_pausable_are_refused() {
        assert_eq!(check(&[entry(NON_TRANSFERABLE, &[])]), refused(JobEscrowError::MintNonTransferable));
        let mut pausable = [0u8; 33];
        assert_eq!(check(&[entry(PAUSABLE, &pausable)]), refused(JobEscrowError::MintPausable));
        pausable[..32].fill(3);
        assert_eq!(check(&[entry(PAUSABLE, &pausable)]), refused(JobEscrowError::MintPausable));
    }

    #[test]
    fn transfer_hook_is_refused_with_a_program_or_an_authority() {
        assert_eq!(check(&[entry(TRANSFER_HOOK, &[0; 64])]), Ok(()));
        let mut program = [0u8; 64];
        program[63] = 1;
        assert_eq!(check(&[entry(TRANSFER_HOOK, &program)]), refused(JobEscrowError::MintTransferHook));
        let mut authority = [0u8; 64];
        authority[0] = 1;
        assert_eq!(check(&[entry(TRANSFER_HOOK, &authority)]), refused(JobEscrowError::MintTransferHook));
    }

    #[test]
    fn default_account_state_is_refused_only_frozen() {
        assert_eq!(check(&[entry(DEFAULT_ACCOUNT_STATE, &[1])]), Ok(()));
        assert_eq!(check(&[entry(DEFAULT_ACCOUNT_STATE, &[2])]), refused(JobEscrowError::MintDefaultFrozen));
        assert_eq!(check(&[entry(DEFAULT_ACCOUNT_STATE, &[])]), refused(JobEscrowError::InvalidMint));
    }

    #[test]
    fn harmless_extensions_are_accepted() {
        for kind in [
            MINT_CLOSE_AUTHORITY,
            CONFIDENTIAL_TRANSFER_MINT,
            INTEREST_BEARING_CONFIG,
            CONFIDENTIAL_TRANSFER_FEE_CONFIG,
            METADATA_POINTER,
            TOKEN_METADATA,
            GROUP_POINTER,
            TOKEN_GROUP,
            GROUP_MEMBER_POINTER,
            TOKEN_GROUP_MEMBER,
            CONFIDENTIAL_MINT_BURN,
            SCALED_UI_AMOUNT,
        ] {
            assert_eq!(check(&[entry(kind, &[9; 64])]), Ok(()), "type {kind}");
        }
        // Several in a row, then the zeroed rest of the account.
        let all = [
            entry(MINT_CLOSE_AUTHORITY, &[1; 32]),
            entry(TRANSFER_FEE_CONFIG, &transfer_fee(0, 0, 0)),
            entry(METADATA_POINTER, &[2; 64]),
            entry(TOKEN_METADATA, &[3; 200]),
            vec![0; 12],
        ];
        assert_eq!(check(&all), Ok(()));
    }

    #[test]
    fn other_types_are_unsupported() {
        // Account extensions (TransferFeeAmount 2, ConfidentialTransferAccount
        // 5, ImmutableOwner 7, MemoTransfer 8, CpiGuard 11,
        // NonTransferableAccount 13, TransferHookAccount 15,
        // ConfidentialTransferFeeAmount 17, PausableAccount 27) and types
        // newer than this program.
        for kind in [2, 5, 7, 8, 11, 13, 15, 17, 27, 28, 29, 100, u16::MAX] {
            assert_eq!(
                check(&[entry(kind, &[0; 8])]),
                refused(JobEscrowError::MintExtensionUnsupported),
                "type {kind}"
            );
        }
    }

    #[test]
    fn a_refused_extension_after_harmless_ones_is_found() {
        let entries = [
            entry(METADATA_POINTER, &[2; 64]),
            entry(MINT_CLOSE_AUTHORITY, &[1; 32]),
            entry(PERMANENT_DELEGATE, &[4; 32]),
        ];
        assert_eq!(check(&entries), refused(JobEscrowError::MintPermanentDelegate));
        // After the end marker nothing is read.
        let hidden = [entry(METADATA_POINTER, &[2; 64]), vec![0; 4], entry(PERMANENT_DELEGATE, &[4; 32])];
        assert_eq!(check(&hidden), Ok(()));
    }

    #[test]
    fn truncated_entries_are_invalid() {
        let mut short = entry(METADATA_POINTER, &[2; 64]);
        short.truncate(40);
        assert_eq!(check_mint_extensions(&short), Err(JobEscrowError::InvalidMint.into()));
        // A refused type whose length runs past the end is malformed first.
        let mut header_only = entry(PERMANENT_DELEGATE, &[4; 32]);
        header_only.truncate(4);
        assert_eq!(check_mint_extensions(&header_only), Err(JobEscrowError::InvalidMint.into()));
        // One byte short is malformed (an error, not a panic); exactly at the end is fine.
        let mut one_short = entry(MINT_CLOSE_AUTHORITY, &[1; 32]);
        one_short.pop();
        assert_eq!(check_mint_extensions(&one_short), Err(JobEscrowError::InvalidMint.into()));
        assert_eq!(check_mint_extensions(&entry(MINT_CLOSE_AUTHORITY, &[1; 32])), Ok(()));
    }
}
