// Re-initialization, upgrade authority, foreign PDAs, re-locking a job.
import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  findConfigPda,
  findCreditAccountPda,
  findProgramDataAddress,
  getAddJobSlotsInstruction,
  getInitializeConfigInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
} from '../../../sdk/src/index.js';
import { TestEnv, expectProgramError } from '../../shared/index.js';
import { scenario } from './scenario.js';

describe('attack: initialization and PDAs', () => {
  it('re-initializing the Config with the attacker as operator → AlreadyInitialized', () => {
    const { env, attacker, attempt } = scenario();
    attempt(() => env.initializeConfig({ operator: attacker.wallet.publicKey }), E.AlreadyInitialized);
  });

  it('initialize_config by someone who is not the upgrade authority → NotUpgradeAuthority', () => {
    // Given a fresh deployment (no config) whose upgrade authority is the admin
    const env = new TestEnv();
    const attacker = env.wallet();
    const ix = getInitializeConfigInstruction(
      { admin: attacker.publicKey, mint: env.mint, treasury: env.treasury },
      { operator: attacker.publicKey },
    );
    const before = env.snapshot([findConfigPda()[0], findProgramDataAddress()]);
    expectProgramError(() => env.send(ix, [attacker]), E.NotUpgradeAuthority);
    expect(env.snapshot([findConfigPda()[0], findProgramDataAddress()])).toEqual(before);
  });

  it('re-opening an existing credit account → AlreadyInitialized', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getOpenCreditAccountInstruction({ payer: attacker.wallet.publicKey, owner: victim.wallet.publicKey, mint: env.mint });
    attempt(() => env.send(ix, [attacker.wallet]), E.AlreadyInitialized);
  });

  it('a credit account PDA derived for another wallet → InvalidPda', () => {
    // Given two wallets without accounts, open A's with B's PDA
    const { env, attacker, attempt } = scenario();
    const [a, b] = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    const [pdaOfB] = findCreditAccountPda(b);
    const ix = getOpenCreditAccountInstruction({ payer: attacker.wallet.publicKey, owner: a, mint: env.mint, creditAccount: pdaOfB });
    attempt(() => env.send(ix, [attacker.wallet]), E.InvalidPda);
    expect(env.data(pdaOfB)).toBeNull();
  });

  it('the victim’s credit account used by the attacker to buy → Unauthorized', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getPurchaseInstruction(
      { owner: attacker.wallet.publicKey, mint: env.mint, source: attacker.usdc, creditAccount: victim.credit, vault: victim.vault },
      { credits: 100n },
    );
    attempt(() => env.send(ix, [attacker.wallet]), E.Unauthorized);
  });

  it('re-locking a job id in flight (a replayed lock, even at another tier) → JobAlreadyLocked', () => {
    const { env, victim, job, attempt } = scenario();
    attempt(() => env.lock(victim, { jobId: job.jobId, tier: 0, maxOutputTokens: 1 }), E.JobAlreadyLocked);
  });

  it('add_job_slots on the victim’s credit account signed by the attacker → Unauthorized', () => {
    const { env, victim, attacker, attempt } = scenario();
    const ix = getAddJobSlotsInstruction({ owner: attacker.wallet.publicKey, creditAccount: victim.credit }, { count: 1 });
    attempt(() => env.send(ix, [attacker.wallet]), E.Unauthorized);
  });
});
