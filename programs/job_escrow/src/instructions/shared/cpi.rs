//! Cross-program invocations: System (create a program account), classic
//! SPL Token (transfer, close) and the Associated Token Account program.
//!
//! pinocchio-token does not compile for `target_arch = "bpf"` (its program
//! id is a `static` there), so the token instructions are encoded here:
//! Transfer = tag 3 + u64 amount, CloseAccount = tag 9.
use {
    crate::state::{ATA_PROGRAM_ID, CREDIT_SEED, TOKEN_PROGRAM_ID},
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

/// Classic SPL Token `Transfer` of `amount` from `from` to `to`, authorized
/// by `authority` (a transaction signer, or a PDA whose seeds are passed).
pub struct TokenTransfer<'a> {
    pub from: &'a AccountView,
    pub to: &'a AccountView,
    pub authority: &'a AccountView,
    pub amount: u64,
}

impl TokenTransfer<'_> {
    #[inline]
    pub fn invoke(&self, signers: &[Signer]) -> ProgramResult {
        let Self { from, to, authority, amount } = *self;
        let mut data = [3u8; 9];
        data[1..].copy_from_slice(&amount.to_le_bytes());
        let metas = [
            InstructionAccount::writable(from.address()),
            InstructionAccount::writable(to.address()),
            InstructionAccount::readonly_signer(authority.address()),
        ];
        let ix = InstructionView { program_id: &TOKEN_PROGRAM_ID, data: &data, accounts: &metas };
        invoke_signed(&ix, &[from, to, authority], signers)
    }
}

/// Classic SPL Token `CloseAccount`: `account`'s lamports go to `destination`.
#[inline]
pub fn token_close(
    account: &AccountView,
    destination: &AccountView,
    authority: &AccountView,
    signers: &[Signer],
) -> ProgramResult {
    let data = [9u8];
    let metas = [
        InstructionAccount::writable(account.address()),
        InstructionAccount::writable(destination.address()),
        InstructionAccount::readonly_signer(authority.address()),
    ];
    let ix = InstructionView { program_id: &TOKEN_PROGRAM_ID, data: &data, accounts: &metas };
    invoke_signed(&ix, &[account, destination, authority], signers)
}

/// The accounts of an Associated Token Account `CreateIdempotent`.
pub struct CreateAta<'a> {
    pub payer: &'a AccountView,
    pub ata: &'a AccountView,
    pub wallet: &'a AccountView,
    pub mint: &'a AccountView,
    pub system_program: &'a AccountView,
    pub token_program: &'a AccountView,
}

impl CreateAta<'_> {
    /// Creates the ATA of (wallet, mint) under the classic Token program, or
    /// does nothing if it exists. The ATA program checks the address.
    #[inline]
    pub fn invoke(&self) -> ProgramResult {
        let data = [1u8];
        let metas = [
            InstructionAccount::writable_signer(self.payer.address()),
            InstructionAccount::writable(self.ata.address()),
            InstructionAccount::readonly(self.wallet.address()),
            InstructionAccount::readonly(self.mint.address()),
            InstructionAccount::readonly(self.system_program.address()),
            InstructionAccount::readonly(self.token_program.address()),
        ];
        let ix = InstructionView { program_id: &ATA_PROGRAM_ID, data: &data, accounts: &metas };
        invoke_signed(
            &ix,
            &[self.payer, self.ata, self.wallet, self.mint, self.system_program, self.token_program],
            &[],
        )
    }
}

