import { PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  JobEscrowErrorCode as E,
  decodeConfig,
  findConfigPda,
  getAcceptAdminInstruction,
  getNominateAdminInstruction,
  getUpdateConfigInstruction,
} from '../../sdk/src/index.js';
import { Escrow, expectProgramError } from '../shared/index.js';

const [CONFIG] = findConfigPda();

describe('nominate_admin / accept_admin', () => {
  it('hands the admin role over in two steps', () => {
    const env = new Escrow();
    const next = env.wallet();
    // When the admin nominates, Then the nominee is pending and the admin unchanged
    const nominated = env.send(getNominateAdminInstruction({ admin: env.admin.publicKey }, { newAdmin: next.publicKey }), [env.admin]);
    expect(decodeConfig(env.data(CONFIG)!)).toMatchObject({ admin: env.admin.publicKey, pendingAdmin: next.publicKey });
    expect(nominated.events[0].name).toBe('ConfigUpdated');
    // When the nominee accepts, Then it is the admin and nobody is pending
    env.send(getAcceptAdminInstruction({ newAdmin: next.publicKey }), [next]);
    expect(decodeConfig(env.data(CONFIG)!)).toMatchObject({ admin: next.publicKey, pendingAdmin: PublicKey.default });
    // And the old admin has lost its powers
    expectProgramError(() => env.send(getUpdateConfigInstruction({ admin: env.admin.publicKey }, { paused: true }), [env.admin]), E.Unauthorized);
    env.send(getUpdateConfigInstruction({ admin: next.publicKey }, { paused: true }), [next]);
  });

  it('rejects an accept by anyone but the nominee, and with nobody nominated', () => {
    const env = new Escrow();
    const stranger = env.wallet();
    const before = env.snapshot([CONFIG]);
    expectProgramError(() => env.send(getAcceptAdminInstruction({ newAdmin: stranger.publicKey }), [stranger]), E.NoPendingAdmin);
    env.send(getNominateAdminInstruction({ admin: env.admin.publicKey }, { newAdmin: env.wallet().publicKey }), [env.admin]);
    const nominated = env.snapshot([CONFIG]);
    expectProgramError(() => env.send(getAcceptAdminInstruction({ newAdmin: stranger.publicKey }), [stranger]), E.NoPendingAdmin);
    expect(env.snapshot([CONFIG])).toEqual(nominated);
    expect(nominated).not.toEqual(before);
  });

  it('rejects a nomination by anyone but the admin', () => {
    const env = new Escrow();
    const stranger = env.wallet();
    expectProgramError(() => env.send(getNominateAdminInstruction({ admin: stranger.publicKey }, { newAdmin: stranger.publicKey }), [stranger]), E.Unauthorized);
    expect(decodeConfig(env.data(CONFIG)!).pendingAdmin).toEqual(PublicKey.default);
  });
});
