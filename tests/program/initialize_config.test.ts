import { Keypair, PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  BPF_LOADER_UPGRADEABLE_ID,
  DEFAULTS,
  JobEscrowErrorCode as E,
  decodeConfig,
  findConfigPda,
  findProgramDataAddress,
  getInitializeConfigInstruction,
} from '../../sdk/src/index.js';
import { TestEnv, expectProgramError } from '../shared/index.js';

const [CONFIG] = findConfigPda();

describe('initialize_config', () => {
  it('creates the Config PDA with the given parameters and emits ConfigUpdated', () => {
    // Given a fresh program whose upgrade authority is the admin
    const env = new TestEnv();
    // When the admin initializes the config with the defaults
    const sent = env.initializeConfig();
    // Then Anchor's coder decodes the account as the arguments
    const config = decodeConfig(env.data(CONFIG)!);
    expect(config.admin).toEqual(env.admin.publicKey);
    expect(config.pendingAdmin).toEqual(PublicKey.default);
    expect(config.operator).toEqual(env.operator.publicKey);
    expect(config.mint).toEqual(env.mint);
    expect(config.treasury).toEqual(env.treasury);
    expect(config.pricePerCredit).toBe(10_000n);
    expect(config.minPurchaseCredits).toBe(100n);
    expect(config.jobTimeoutSecs).toBe(120);
    expect(config.providerShareBpsMin).toBe(7_500);
    expect(config.providerShareBpsMax).toBe(8_500);
    expect(config.tiers).toEqual(DEFAULTS.tiers);
    expect(config.paused).toBe(false);
    expect(config.bump).toBe(findConfigPda()[1]);
    // The mint's owner and decimals, recorded for every later transfer (docs/token-2022.md)
    expect(config.tokenProgram).toEqual(env.tokenProgram);
    expect(config.decimals).toBe(6);
    expect(env.data(CONFIG)!.length).toBe(311);
    expect(env.account(CONFIG)!.owner).toEqual(new PublicKey('JobhhA5HoGYXSMtC8aKaYFY2n3QPp4WDEwCipynkXbp'));
    // And the event carries the same configuration
    expect(sent.events).toHaveLength(1);
    expect(sent.events[0].name).toBe('ConfigUpdated');
    const { bump: _bump, ...body } = config;
    expect(sent.events[0].data).toEqual(body);
    // Compute units are deterministic (two find_program_address calls, one
    // CreateAccount CPI, two Rent reads, every tier priced at the token
    // ceiling by the bounds check): measured 7,339 (SBPF v3).
    expect(sent.computeUnits).toBeLessThanOrEqual(7_360);
  });

  it('rejects a second call and leaves the config unchanged', () => {
    // Given an initialized config
    const env = new TestEnv();
    env.initializeConfig();
    const before = env.data(CONFIG);
    // When the admin initializes again with another operator
    expectProgramError(() => env.initializeConfig({ operator: Keypair.generate().publicKey }), E.AlreadyInitialized);
    // Then nothing changed
    expect(env.data(CONFIG)).toEqual(before);
  });

  it('rejects an admin that is not the upgrade authority', () => {
    // Given a program whose upgrade authority is someone else
    const env = new TestEnv();
    env.setUpgradeAuthority(Keypair.generate().publicKey);
    // When the admin initializes, Then NotUpgradeAuthority and no config exists
    expectProgramError(() => env.initializeConfig(), E.NotUpgradeAuthority);
    expect(env.data(CONFIG)).toBeNull();
  });

  it('rejects initialization of an immutable program (no upgrade authority)', () => {
    const env = new TestEnv();
    env.setUpgradeAuthority(null);
    expectProgramError(() => env.initializeConfig(), E.NotUpgradeAuthority);
    expect(env.data(CONFIG)).toBeNull();
  });

  it('rejects a ProgramData account that is not this program’s', () => {
    // Given a look-alike ProgramData naming the attacker as authority
    const env = new TestEnv();
    const attacker = env.wallet();
    const fake = Keypair.generate().publicKey;
    const data = Buffer.alloc(45);
    data[0] = 3;
    data[12] = 1;
    attacker.publicKey.toBuffer().copy(data, 13);
    env.setRaw(fake, data, new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111'));
    // When the attacker initializes with it, Then InvalidProgramData
    const ix = getInitializeConfigInstruction(
      { admin: attacker.publicKey, mint: env.mint, treasury: env.treasury, programData: fake },
      { operator: attacker.publicKey },
    );
    expectProgramError(() => env.send(ix, [attacker]), E.InvalidProgramData);
    expect(env.data(CONFIG)).toBeNull();
  });

  it('rejects this program’s ProgramData cut short of its authority key (44 bytes) → InvalidProgramData', () => {
    // Given the program's own ProgramData account, its first 44 bytes only (the key's last byte missing)
    const env = new TestEnv();
    const programData = findProgramDataAddress();
    env.setRaw(programData, Buffer.from(env.data(programData)!.subarray(0, 44)), BPF_LOADER_UPGRADEABLE_ID);
    // When the admin initializes, Then InvalidProgramData (an error, not a read past the end) and no config exists
    expectProgramError(() => env.initializeConfig(), E.InvalidProgramData);
    expect(env.data(CONFIG)).toBeNull();
  });

  it('rejects a mint that is not a classic-Token mint and a treasury of another mint', () => {
    const env = new TestEnv();
    // A token account is not a mint
    let ix = getInitializeConfigInstruction(
      { admin: env.admin.publicKey, mint: env.treasury, treasury: env.treasury },
      { operator: env.operator.publicKey },
    );
    expectProgramError(() => env.send(ix, [env.admin]), E.InvalidMint);
    // A treasury of another mint
    const otherMint = Keypair.generate().publicKey;
    env.createMint(otherMint, 6);
    const otherTreasury = env.createTokenAccount(Keypair.generate().publicKey, 0n, { mint: otherMint });
    ix = getInitializeConfigInstruction(
      { admin: env.admin.publicKey, mint: env.mint, treasury: otherTreasury },
      { operator: env.operator.publicKey },
    );
    expectProgramError(() => env.send(ix, [env.admin]), E.InvalidTreasury);
    expect(env.data(CONFIG)).toBeNull();
  });

  it('rejects out-of-range parameters', () => {
    const env = new TestEnv();
    for (const bad of [
      { providerShareBpsMin: 9_000, providerShareBpsMax: 8_000 },
      { providerShareBpsMax: 10_001 },
      { pricePerCredit: 0 },
      { minPurchaseCredits: 0 },
      { jobTimeoutSecs: 0 },
    ]) {
      expectProgramError(() => env.initializeConfig(bad), E.InvalidConfigValue);
    }
    expect(env.data(CONFIG)).toBeNull();
  });

  it('rejects a config address that is not the PDA', () => {
    const env = new TestEnv();
    const notPda = Keypair.generate().publicKey;
    const ix = getInitializeConfigInstruction(
      { admin: env.admin.publicKey, mint: env.mint, treasury: env.treasury, config: notPda },
      { operator: env.operator.publicKey },
    );
    expectProgramError(() => env.send(ix, [env.admin]), E.InvalidPda);
    expect(env.data(CONFIG)).toBeNull();
  });

  it('rejects an admin that did not sign', () => {
    // Given the instruction with the admin's signer flag cleared, paid by someone else
    const env = new TestEnv();
    const payer = env.wallet();
    const ix = getInitializeConfigInstruction(
      { admin: env.admin.publicKey, mint: env.mint, treasury: env.treasury },
      { operator: env.operator.publicKey },
    );
    ix.keys[0].isSigner = false;
    expectProgramError(() => env.send(ix, [payer]), E.MissingSignature);
    expect(env.data(CONFIG)).toBeNull();
  });
});
