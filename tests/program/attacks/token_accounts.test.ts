// Fake vaults, someone else's money, fake token programs, duplicate accounts,
// credit laundering.
import { AccountLayout, TOKEN_2022_PROGRAM_ID } from '@solana/spl-token';
import { Keypair, PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  findCreditAccountPda,
  findVaultAddress,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  getSettleInstruction,
  getWithdrawInstruction,
} from '../../../sdk/src/index.js';
import { Escrow, expectProgramError, type User } from '../../shared/index.js';
import { scenario } from './scenario.js';

const MEMO_PROGRAM_ID = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');

/** Rewrites the victim's real vault with `patch` applied to its decoded fields. */
function tamperVault(env: Escrow, u: User, patch: Partial<ReturnType<typeof AccountLayout.decode>>) {
  const fields = { ...AccountLayout.decode(env.data(u.vault)!), ...patch };
  const data = Buffer.alloc(AccountLayout.span);
  AccountLayout.encode(fields, data);
  env.setRaw(u.vault, data, new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'));
}

const withdraw = (env: Escrow, u: User, over: { vault?: PublicKey; destination?: PublicKey } = {}) =>
  env.send(
    getWithdrawInstruction(
      { owner: u.wallet.publicKey, mint: env.mint, destination: over.destination ?? u.usdc, vault: over.vault ?? u.vault },
      { credits: 10n },
    ),
    [u.wallet],
  );

describe('attack: token accounts and programs', () => {
  it('the attacker’s own token account passed as the victim’s vault → InvalidVault', () => {
    const { env, victim, attacker, job, attempt } = scenario();
    const ix = getSettleInstruction(
      { operator: env.operator.publicKey, creditAccount: victim.credit, mint: env.mint, vault: attacker.usdc, providerTokenAccount: env.worker().usdc },
      { jobId: job.jobId, outputTokens: 1_500, providerShareBps: 8_000 },
    );
    attempt(() => env.send(ix, [env.operator]), E.InvalidVault);
  });

  it('a vault whose mint is not the configured mint → InvalidVault', () => {
    const { env, victim, attempt } = scenario();
    tamperVault(env, victim, { mint: Keypair.generate().publicKey });
    attempt(() => withdraw(env, victim), E.InvalidVault);
  });

  it('a vault with a delegate → InvalidVault', () => {
    const { env, victim, attacker, attempt } = scenario();
    tamperVault(env, victim, { delegateOption: 1, delegate: attacker.wallet.publicKey, delegatedAmount: 1_000_000n });
    attempt(() => withdraw(env, victim), E.InvalidVault);
  });

  it('a vault with a close authority → InvalidVault', () => {
    const { env, victim, attacker, attempt } = scenario();
    tamperVault(env, victim, { closeAuthorityOption: 1, closeAuthority: attacker.wallet.publicKey });
    attempt(() => withdraw(env, victim), E.InvalidVault);
  });

  it('purchase paid from another user’s token account (the attacker is its delegate) → InvalidTokenAccount', () => {
    const { env, victim, attacker, attempt } = scenario();
    tamperVault(env, { ...victim, vault: victim.usdc }, { delegateOption: 1, delegate: attacker.wallet.publicKey, delegatedAmount: 10_000_000n });
    const ix = getPurchaseInstruction({ owner: attacker.wallet.publicKey, mint: env.mint, source: victim.usdc }, { credits: 100n });
    attempt(() => env.send(ix, [attacker.wallet]), E.InvalidTokenAccount);
  });

  it('a fake token program (Memo, which succeeds without moving tokens) → InvalidTokenProgram', () => {
    const { env, attacker, attempt } = scenario();
    const ix = getPurchaseInstruction({ owner: attacker.wallet.publicKey, mint: env.mint, source: attacker.usdc }, { credits: 1_000n });
    ix.keys[6].pubkey = MEMO_PROGRAM_ID; // token_program, after mint
    attempt(() => env.send(ix, [attacker.wallet]), E.InvalidTokenProgram);
  });

  it('Token-2022 as the token program of a classic mint → InvalidTokenProgram (token_2022.test.ts: every instruction, both ways)', () => {
    const { env, victim, attempt } = scenario();
    const ix = getWithdrawInstruction({ owner: victim.wallet.publicKey, mint: env.mint, destination: victim.usdc }, { credits: 10n });
    ix.keys[6].pubkey = TOKEN_2022_PROGRAM_ID; // token_program, after mint
    attempt(() => env.send(ix, [victim.wallet]), E.InvalidTokenProgram);
  });

  it('duplicate mutable accounts: the worker account is the vault → DuplicateAccount', () => {
    const { env, victim, job, attempt } = scenario();
    attempt(() => env.settle(victim, job, { provider: victim.vault }), E.DuplicateAccount);
  });

  it('duplicate mutable accounts: withdraw into the vault itself → DuplicateAccount', () => {
    const { env, victim, attempt } = scenario();
    attempt(() => withdraw(env, victim, { destination: victim.vault }), E.DuplicateAccount);
  });

  it('credit laundering: settling the victim’s job into the attacker’s vault → InvalidTokenAccount', () => {
    const { env, victim, attacker, job, attempt } = scenario();
    attempt(() => env.settle(victim, job, { provider: attacker.vault }), E.InvalidTokenAccount);
  });

  it('a worker account of another mint → InvalidTokenAccount', () => {
    const { env, victim, job, attempt } = scenario();
    const otherMint = Keypair.generate().publicKey;
    env.createMint(otherMint, 6);
    const foreign = env.createTokenAccount(Keypair.generate().publicKey, 0n, { mint: otherMint });
    attempt(() => env.settle(victim, job, { provider: foreign }), E.InvalidTokenAccount);
  });
});

describe('attack: a vault planted before the credit account opens', () => {
  it('a token account at the vault address with a delegate (written by hand) → InvalidVault, nothing opened', () => {
    const env = new Escrow();
    const owner = env.wallet();
    const attacker = env.wallet();
    const [credit] = findCreditAccountPda(owner.publicKey);
    const vault = findVaultAddress(credit, env.mint);
    env.createTokenAccount(credit, 0n, { address: vault, delegate: attacker.publicKey });
    const open = getOpenCreditAccountInstruction({ payer: owner.publicKey, owner: owner.publicKey, mint: env.mint });
    expectProgramError(() => env.send(open, [owner]), E.InvalidVault);
    expect(env.data(credit)).toBeNull();
  });
});
