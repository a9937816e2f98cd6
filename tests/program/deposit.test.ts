import { createTransferInstruction } from '@solana/spl-token';
import { describe, expect, it } from 'vitest';
import { Escrow } from '../shared/index.js';

describe('plain deposit (what a Solana Pay wallet sends)', () => {
  it('raises available as soon as an SPL transfer reaches the vault, with no program call', () => {
    // Given a user with an open credit account and no credits
    const env = new Escrow();
    const u = env.user();
    const payer = env.user({ open: false });
    expect(env.available(u)).toBe(0n);
    // When anyone transfers $2.345 of USDC straight into the vault
    const sent = env.send(createTransferInstruction(payer.usdc, u.vault, payer.wallet.publicKey, 2_345_000n), [payer.wallet]);
    // Then no job_escrow instruction ran, and 234 whole credits are available (dust stays in the vault)
    expect(sent.logs.some((l) => l.includes('JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp'))).toBe(false);
    expect(env.available(u)).toBe(234n);
    // And the credits can be locked right away
    const job = env.lock(u, { tier: 0, maxOutputTokens: 500 });
    expect(env.job(u, job)?.creditsLocked).toBe(2n);
  });
});
