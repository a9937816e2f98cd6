//! Cross-program invocations: System (create a program account), the
//! Config's token program, classic SPL Token or Token-2022 (transfer,
//! close), and the Associated Token Account program.
//!
//! Every CPI has one shape, pinocchio-system's: a struct of the
//! instruction's accounts and arguments with its `DISCRIMINATOR` (the tag
//! the callee dispatches on) and `invoke` / `invoke_signed`. The System
//! instructions are pinocchio-system's own (`CreateAccount`, `Transfer`,
//! `Allocate`, `Assign`). pinocchio-token does not compile for
//! `target_arch = "bpf"` (its program id is a `static` there), so the Token
//! and ATA instructions are defined here, in that shape, each sent through
//! `invoke_program`.
use {
    crate::state::{ATA_PROGRAM_ID, CREDIT_SEED},
    pinocchio::{
        cpi::{invoke_signed, Seed, Signer},
        instruction::{InstructionAccount, InstructionView},
        AccountView, Address, ProgramResult,
    },
    pinocchio_system::instructions::{Allocate, Assign, CreateAccount, Transfer},
};

/// Runs `f` with the signer seeds of the CreditAccount PDA of `owner`
/// (`["credits", owner, bump]`). The seed array is built on the stack.
#[inline]
pub fn with_credit_signer<R>(owner: &Address, bump: u8, f: impl FnOnce(&[Signer]) -> R) -> R {
    let bump = [bump];
    let seeds = [Seed::from(CREDIT_SEED), Seed::from(owner.as_ref()), Seed::from(&bump)];
    f(&[Signer::from(&seeds)])
}

/// A program account to create: `account` (a PDA whose seeds are in the
/// signers) with `space` bytes holding `lamports` (its rent-exempt minimum),
/// owned by this program, paid by `payer`.
pub struct NewAccount<'a> {
    pub payer: &'a AccountView,
    pub account: &'a AccountView,
    pub space: u64,
    pub lamports: u64,
}

impl NewAccount<'_> {
    /// Creates the account. An address that already holds lamports (anyone
    /// can send SOL to a PDA before it exists) cannot take CreateAccount, so
    /// that case tops it up and uses Allocate and Assign instead: a donation
    /// cannot block an address.
    #[inline]
    pub fn create(&self, signers: &[Signer]) -> ProgramResult {
        let Self { payer, account, space, lamports } = *self;
        let owner = &crate::ID;
        if account.lamports() == 0 {
            return CreateAccount { from: payer, to: account, lamports, space, owner }.invoke_signed(signers);
        }
        let top_up = lamports.saturating_sub(account.lamports());
        if top_up > 0 {
            Transfer { from: payer, to: account, lamports: top_up }.invoke()?;
        }
        Allocate { account, space }.invoke_signed(signers)?;
        Assign { account, owner }.invoke_signed(signers)
    }
}

/// SPL Token `TransferChecked` of `amount` (with the mint's `decimals`)
/// from `from` to `to`, authorized by `authority` (a transaction signer, or
/// a PDA whose seeds are passed), sent to `token_program`: the Config's, the
/// mint's owner. Checked, not plain `Transfer`: Token-2022 refuses a plain
/// transfer of a mint with a transfer fee, and the decimals pin the mint.
pub struct TokenTransferChecked<'a> {
    pub from: &'a AccountView,
    pub mint: &'a AccountView,
    pub to: &'a AccountView,
    pub authority: &'a AccountView,
    pub amount: u64,
    pub decimals: u8,
    pub token_program: &'a Address,
}

impl TokenTransferChecked<'_> {
    /// SPL Token `TokenInstruction::TransferChecked`.
    pub const DISCRIMINATOR: u8 = 12;

    #[inline(always)]
    pub fn invoke(&self) -> ProgramResult {
        self.invoke_signed(&[])
    }

    #[inline]
    pub fn invoke_signed(&self, signers: &[Signer]) -> ProgramResult {
        let Self { from, mint, to, authority, amount, decimals, token_program } = *self;
        // The discriminator, the amount (u64 LE) over bytes 1..9, the decimals.
        let mut data = [Self::DISCRIMINATOR; 10];
        data[1..9].copy_from_slice(&amount.to_le_bytes());
        data[9] = decimals;
        let metas = [
            InstructionAccount::writable(from.address()),
            InstructionAccount::readonly(mint.address()),
            InstructionAccount::writable(to.address()),
            InstructionAccount::readonly_signer(authority.address()),
        ];
        invoke_program(token_program, &data, &metas, &[from, mint, to, authority], signers)
    }
}

/// SPL Token `CloseAccount`: `account`'s lamports go to `destination`,
/// authorized by `authority` (its owner or close authority), sent to
/// `token_program` (the Config's).
pub struct TokenCloseAccount<'a> {
    pub account: &'a AccountView,
    pub destination: &'a AccountView,
    pub authority: &'a AccountView,
    pub token_program: &'a Address,
}

impl TokenCloseAccount<'_> {
    /// SPL Token `TokenInstruction::CloseAccount`.
    pub const DISCRIMINATOR: u8 = 9;

    #[inline(always)]
    pub fn invoke(&self) -> ProgramResult {
        self.invoke_signed(&[])
    }

    #[inline]
    pub fn invoke_signed(&self, signers: &[Signer]) -> ProgramResult {
        let Self { account, destination, authority, token_program } = *self;
        let data = [Self::DISCRIMINATOR];
        let metas = [
            InstructionAccount::writable(account.address()),
            InstructionAccount::writable(destination.address()),
            InstructionAccount::readonly_signer(authority.address()),
        ];
        invoke_program(token_program, &data, &metas, &[account, destination, authority], signers)
    }
}

/// Associated Token Account `CreateIdempotent`: creates the ATA of (wallet,
/// mint) under `token_program` (the mint's owner), or does nothing if it
/// exists. The ATA program checks the address.
pub struct CreateAta<'a> {
    pub payer: &'a AccountView,
    pub ata: &'a AccountView,
    pub wallet: &'a AccountView,
    pub mint: &'a AccountView,
    pub system_program: &'a AccountView,
    pub token_program: &'a AccountView,
}

impl CreateAta<'_> {
    /// ATA `AssociatedTokenAccountInstruction::CreateIdempotent`.
    pub const DISCRIMINATOR: u8 = 1;

    #[inline(always)]
    pub fn invoke(&self) -> ProgramResult {
        self.invoke_signed(&[])
    }

    #[inline]
    pub fn invoke_signed(&self, signers: &[Signer]) -> ProgramResult {
        let Self { payer, ata, wallet, mint, system_program, token_program } = *self;
        let data = [Self::DISCRIMINATOR];
        let metas = [
            InstructionAccount::writable_signer(payer.address()),
            InstructionAccount::writable(ata.address()),
            InstructionAccount::readonly(wallet.address()),
            InstructionAccount::readonly(mint.address()),
            InstructionAccount::readonly(system_program.address()),
            InstructionAccount::readonly(token_program.address()),
        ];
        let views = [payer, ata, wallet, mint, system_program, token_program];
        invoke_program(&ATA_PROGRAM_ID, &data, &metas, &views, signers)
    }
}

/// Sends `data` to `program_id` with `metas` and their views in the same
/// order (both of length `N`: a meta without its view does not compile),
/// signed by `signers`: how every CPI defined here is made.
#[inline(always)]
fn invoke_program<const N: usize>(
    program_id: &Address,
    data: &[u8],
    metas: &[InstructionAccount; N],
    views: &[&AccountView; N],
    signers: &[Signer],
) -> ProgramResult {
    let ix = InstructionView { program_id, data, accounts: metas };
    invoke_signed(&ix, views, signers)
}
