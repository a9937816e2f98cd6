// The world every attack is tried against: a victim with 100 credits and a
// 12-credit job in flight, an attacker with its own funded credit account,
// and a worker. `attempt` sends the malicious transaction, expects the exact
// error, and checks that no watched account changed (lamports, owner, bytes).
import { expect } from 'vitest';
import { findConfigPda } from '../../../sdk/src/index.js';
import { Escrow, expectProgramError, type LockedJob, type MintOptions, type User } from '../../shared/index.js';

export interface Scenario {
  env: Escrow;
  victim: User;
  attacker: User;
  job: LockedJob;
  worker: { wallet: import('@solana/web3.js').PublicKey; usdc: import('@solana/web3.js').PublicKey };
  attempt(send: () => unknown, code: number): void;
}

/** The attack world, on the classic mint unless `mint` says otherwise (Token-2022, extensions). */
export function scenario(mint: MintOptions = {}): Scenario {
  const env = new Escrow({}, mint);
  const victim = env.funded(100n);
  const attacker = env.funded(100n);
  const job = env.lock(victim, { tier: 1, maxOutputTokens: 1_500 });
  const worker = env.worker();
  const watched = [
    findConfigPda()[0],
    env.treasury,
    worker.usdc,
    ...[victim, attacker].flatMap((u) => [u.credit, u.vault, u.usdc]),
  ];
  return {
    env,
    victim,
    attacker,
    job,
    worker,
    attempt(send, code) {
      const before = env.snapshot(watched);
      expectProgramError(send, code);
      expect(env.snapshot(watched)).toEqual(before);
    },
  };
}
