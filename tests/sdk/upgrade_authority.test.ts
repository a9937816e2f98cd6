// The upgrade authority's SDK functions (sdk/src/upgradeAuthority.ts, layouts
// in sdk/src/core/upgradeable.ts): the SetAuthority / SetAuthorityChecked
// bytes and account metas against the upgradeable loader's documented
// layout, the ProgramData header codec, and the hand-over and its refusals
// on LiteSVM (whose upgradeable loader executes the real instructions) in
// the SDK and through the CLI in-process.
import { Keypair, PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../sdk/src/cli/index.js';
import {
  BPF_LOADER_UPGRADEABLE_ID,
  JOB_ESCROW_PROGRAM_ID,
  UpgradeAuthorityError,
  checkUpgradeAuthorityTransfer,
  fetchUpgradeAuthority,
  findProgramDataAddress,
  getSetUpgradeAuthorityInstruction,
  transferUpgradeAuthority,
} from '../../sdk/src/index.js';
import { decodeProgramDataHeader, setAuthorityInstructionData, withUpgradeAuthority } from '../../sdk/src/core/upgradeable.js';
import type { LiteSVMProvider } from '../../sdk/src/litesvm/provider.js';
import { TestEnv } from '../shared/index.js';

async function cli(provider: LiteSVMProvider, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { provider, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The ProgramData account's authority bytes: option byte 12, key 13..45. */
function authorityBytes(env: TestEnv): { option: number; key: string } {
  const data = env.bank.account(findProgramDataAddress())!.data;
  return { option: data[12], key: new PublicKey(data.subarray(13, 45)).toBase58() };
}

describe('the loader instructions, as documented (solana-loader-v3-interface)', () => {
  const programId = new PublicKey('9kECjtPQqx5fyRHg9J3fLJ9ukVbanx4ufbTia7zXGS8j');
  const current = Keypair.generate().publicKey;
  const next = Keypair.generate().publicKey;
  // ProgramData = the loader's PDA of seeds [program id]
  const programData = PublicKey.findProgramAddressSync([programId.toBytes()], new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111'))[0];

  it('SetAuthority: data is the u32 LE variant tag 4; ProgramData writable, current authority signer, new authority readonly', () => {
    const ix = getSetUpgradeAuthorityInstruction({ currentAuthority: current, newAuthority: next }, { programId });
    expect(ix.programId.toBase58()).toBe('BPFLoaderUpgradeab1e11111111111111111111111');
    expect([...ix.data]).toEqual([4, 0, 0, 0]);
    expect(ix.keys).toEqual([
      { pubkey: programData, isSigner: false, isWritable: true },
      { pubkey: current, isSigner: true, isWritable: false },
      { pubkey: next, isSigner: false, isWritable: false },
    ]);
  });

  it('SetAuthorityChecked: data is the tag 7; the new authority signs too', () => {
    const ix = getSetUpgradeAuthorityInstruction({ currentAuthority: current, newAuthority: next }, { programId, checked: true });
    expect([...ix.data]).toEqual([7, 0, 0, 0]);
    expect(ix.keys).toEqual([
      { pubkey: programData, isSigner: false, isWritable: true },
      { pubkey: current, isSigner: true, isWritable: false },
      { pubkey: next, isSigner: true, isWritable: false },
    ]);
    expect([...setAuthorityInstructionData()]).toEqual([4, 0, 0, 0]);
  });

  it('the ProgramData header: u32 tag 3, u64 slot, option byte 12, key 13..45', () => {
    const data = new Uint8Array(45 + 3);
    data.set([3, 0, 0, 0, 0x39, 0x30, 0, 0, 0, 0, 0, 0]); // slot 12345
    expect(decodeProgramDataHeader(data)).toEqual({ slot: 12_345n, authority: null });
    const withKey = withUpgradeAuthority(data, next.toBytes());
    expect(withKey[12]).toBe(1);
    expect(new PublicKey(withKey.subarray(13, 45))).toEqual(next);
    expect(data[12]).toBe(0); // a copy
    expect(decodeProgramDataHeader(withKey)).toEqual({ slot: 12_345n, authority: next.toBytes() });
    expect(decodeProgramDataHeader(withUpgradeAuthority(withKey, null))).toEqual({ slot: 12_345n, authority: null });
    expect(decodeProgramDataHeader(withKey.subarray(0, 44))).toBeNull(); // too short
    expect(decodeProgramDataHeader(Uint8Array.of(2, 0, 0, 0, ...withKey.subarray(4)))).toBeNull(); // a Program account's tag
    expect(decodeProgramDataHeader(Uint8Array.from(withKey, (b, i) => (i === 12 ? 2 : b)))).toBeNull(); // not an Option
  });
});

describe('handing the upgrade authority over on LiteSVM', () => {
  it('reads it, refuses a stranger, the immutable program and the same key, then hands it over plainly and checked', async () => {
    const env = new TestEnv();
    const state = await fetchUpgradeAuthority(env.provider(env.admin).connection);
    expect(state).toMatchObject({ programId: JOB_ESCROW_PROGRAM_ID, programData: findProgramDataAddress(), authority: env.admin.publicKey });

    const stranger = env.wallet();
    const next = Keypair.generate();
    const refusal = (p: Promise<unknown>) => p.then(() => 'sent', (e: unknown) => (e instanceof UpgradeAuthorityError ? `${e.reason}: ${e.message}` : `other: ${String(e)}`));
    const id = JOB_ESCROW_PROGRAM_ID.toBase58();
    expect(await refusal(transferUpgradeAuthority(env.provider(stranger), { newAuthority: next.publicKey }))).toBe(
      `not-authority: ${stranger.publicKey.toBase58()} is not the upgrade authority of ${id} (${env.admin.publicKey.toBase58()} is)`,
    );
    expect(await refusal(transferUpgradeAuthority(env.provider(env.admin), { newAuthority: env.admin.publicKey }))).toBe(
      `same-authority: ${env.admin.publicKey.toBase58()} is already the upgrade authority of ${id}`,
    );
    expect(() => checkUpgradeAuthorityTransfer({ ...state, authority: null }, env.admin.publicKey, next.publicKey)).toThrow(`${id} is immutable: it has no upgrade authority to hand over`);
    await expect(transferUpgradeAuthority(env.provider(env.admin), { newAuthority: next.publicKey, checked: true })).rejects.toThrow(/pass its keypair/);
    expect(authorityBytes(env)).toEqual({ option: 1, key: env.admin.publicKey.toBase58() });

    // The loader itself refuses a stranger's SetAuthority (the check above only spares the fee).
    expect(() => env.send(getSetUpgradeAuthorityInstruction({ currentAuthority: stranger.publicKey, newAuthority: stranger.publicKey }), [stranger])).toThrow(/IncorrectAuthority/);

    const plain = await transferUpgradeAuthority(env.provider(env.admin), { newAuthority: next.publicKey });
    expect(plain).toMatchObject({ programData: findProgramDataAddress(), previousAuthority: env.admin.publicKey, newAuthority: next.publicKey });
    expect(authorityBytes(env)).toEqual({ option: 1, key: next.publicKey.toBase58() });

    // Checked without the new key's signature: the loader refuses it.
    const third = Keypair.generate();
    env.airdrop(next.publicKey);
    const unsigned = getSetUpgradeAuthorityInstruction({ currentAuthority: next.publicKey, newAuthority: third.publicKey }, { checked: true });
    unsigned.keys[2].isSigner = false;
    expect(() => env.send(unsigned, [next])).toThrow(/MissingRequiredSignature/);
    await transferUpgradeAuthority(env.provider(next), { newAuthority: third, checked: true });
    expect((await fetchUpgradeAuthority(env.provider(next).connection)).authority).toEqual(third.publicKey);
    // The old authority can no longer hand it on.
    expect(await refusal(transferUpgradeAuthority(env.provider(next), { newAuthority: next.publicKey }))).toMatch(/^not-authority: /);
  });

  it('refuses a program that is not the upgradeable loader\'s, and an empty address', async () => {
    const env = new TestEnv();
    const connection = env.provider(env.admin).connection;
    await expect(fetchUpgradeAuthority(connection, { programId: Keypair.generate().publicKey })).rejects.toMatchObject({ reason: 'no-program' });
    // The system program: a builtin, not the upgradeable loader's.
    await expect(fetchUpgradeAuthority(connection, { programId: new PublicKey('11111111111111111111111111111111') })).rejects.toMatchObject({ reason: 'not-upgradeable' });
    expect(BPF_LOADER_UPGRADEABLE_ID.toBase58()).toBe('BPFLoaderUpgradeab1e11111111111111111111111');
  });

  it('an immutable program: the CLI reads "none" and refuses the hand-over', async () => {
    const env = new TestEnv();
    env.setUpgradeAuthority(null);
    const admin = env.provider(env.admin);
    expect(await cli(admin, 'upgrade-authority')).toEqual({ code: 0, out: 'none: the program is immutable', err: '' });
    expect(await cli(admin, 'set-upgrade-authority', '--new-authority', Keypair.generate().publicKey.toBase58(), '--yes')).toEqual({
      code: 1,
      out: '',
      err: `error: ${JOB_ESCROW_PROGRAM_ID.toBase58()} is immutable: it has no upgrade authority to hand over`,
    });
  });
});

describe('job-escrow upgrade-authority / set-upgrade-authority (in-process on LiteSVM)', () => {
  it('reads, previews without --yes, refuses in one line, hands over with --yes', async () => {
    const env = new TestEnv({});
    const admin = env.provider(env.admin);
    const stranger = env.provider(env.wallet());
    const next = Keypair.generate().publicKey.toBase58();
    const adminKey = env.admin.publicKey.toBase58();
    const id = JOB_ESCROW_PROGRAM_ID.toBase58();

    expect(await cli(stranger, 'upgrade-authority')).toEqual({ code: 0, out: adminKey, err: '' });
    expect(await cli(stranger, 'set-upgrade-authority', '--new-authority', next, '--yes')).toMatchObject({
      code: 1,
      err: `error: ${stranger.publicKey.toBase58()} is not the upgrade authority of ${id} (${adminKey} is)`,
    });
    expect(await cli(admin, 'set-upgrade-authority', '--new-authority', adminKey)).toMatchObject({ code: 1, err: `error: ${adminKey} is already the upgrade authority of ${id}` });
    expect(await cli(admin, 'set-upgrade-authority', '--new-authority', 'nope')).toMatchObject({ code: 2, err: 'error: --new-authority is neither a public key nor a keypair file: nope' });
    expect(await cli(admin, 'set-upgrade-authority', '--new-authority', next, '--checked', '--yes')).toMatchObject({
      code: 2,
      err: 'error: --checked has the new authority sign too: give --new-authority as its keypair file',
    });

    // Without --yes: checked and told, nothing sent.
    const preview = await cli(admin, 'set-upgrade-authority', '--new-authority', next);
    expect(preview).toEqual({ code: 0, out: `would hand the upgrade authority of ${id} from ${adminKey} to ${next} (SetAuthority); nothing sent: run again with --yes`, err: '' });
    expect(authorityBytes(env).key).toBe(adminKey);

    const done = await cli(admin, 'set-upgrade-authority', '--new-authority', next, '--yes');
    expect(done.code).toBe(0);
    expect(done.out).toMatch(new RegExp(`^handed the upgrade authority of ${id} from ${adminKey} to ${next} \\(\\w+\\)$`));
    expect(authorityBytes(env)).toEqual({ option: 1, key: next });
    expect((await cli(admin, 'upgrade-authority')).out).toBe(next);
    // The program's admin is another role: the config still names the old admin.
    expect((await env.client(env.admin).config()).admin).toEqual(env.admin.publicKey);
  });

  it('the help says what the role is, and that the admin is another', async () => {
    const env = new TestEnv();
    const p = env.provider(env.admin);
    const help = (await cli(p, 'set-upgrade-authority', '--help')).out;
    expect(help).toMatch(/^job-escrow set-upgrade-authority --new-authority <pk\|keypair> \[--checked\] \[--yes\]\n/);
    expect(help).toMatch(/not the program's admin/);
    expect((await cli(p, 'upgrade-authority', '--help')).out).toMatch(/^job-escrow upgrade-authority\n\n.*\n\nread-only: /);
  });
});
