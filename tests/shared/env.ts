// The tests' world: the SDK's test kit (the same one a dApp developer gets)
// on the freshly built program, with the tests' send (events and compute
// units; the program's error or TransactionFailed) and account snapshots.
import { Keypair, SendTransactionError, type PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { JobEscrowError, parseEvents, type InitializeConfigArgs, type JobEscrowEvent } from '../../sdk/src/index.js';
import { TestWorld, mintExtension, type MintExtension, type Processed, type TestWorldOptions } from '../../sdk/src/testing/index.js';
import { PROGRAM_PATH, assertProgramIsFresh } from './program.js';

/** A transaction that failed for a reason other than a job_escrow custom error. */
export class TransactionFailed extends Error {
  constructor(
    message: string,
    readonly logs: string[],
  ) {
    super(message);
  }
}

export interface Sent extends Processed {
  events: JobEscrowEvent[];
}

/** The world's mint: classic SPL Token by default, or Token-2022 (with extensions). */
export type MintOptions = Pick<TestWorldOptions, 'tokenProgram' | 'mintExtensions'>;

const someKey = () => Keypair.generate().publicKey.toBytes();
/** What a PYUSD-like Token-2022 mint carries: a metadata pointer, a close authority, a zero transfer fee nobody can raise (the tests' and the bench's Token-2022 mint). */
export const HARMLESS_EXTENSIONS: MintExtension[] = [
  mintExtension.metadataPointer(someKey(), someKey()),
  mintExtension.mintCloseAuthority(someKey()),
  mintExtension.transferFeeConfig({ withdrawAuthority: someKey() }),
];

/** A world without a config (TestWorld with `config: false`). */
export class TestEnv extends TestWorld {
  /** `programPath`: the SBPF v3 build by default (PROGRAM_V0_PATH for the v0 one); `mint`: the world's mint's program and extensions. */
  constructor(config: Partial<InitializeConfigArgs> | false = false, programPath = PROGRAM_PATH, mint: MintOptions = {}) {
    assertProgramIsFresh(programPath);
    super({ programPath, config, ...mint });
  }

  /**
   * Signs and sends; the first signer pays. Throws JobEscrowError (with the
   * logs) for the program's custom errors, TransactionFailed otherwise.
   */
  override send(ixs: TransactionInstruction | TransactionInstruction[], signers: Keypair[]): Sent {
    try {
      const processed = super.send(ixs, signers);
      return { ...processed, events: parseEvents(processed.logs) };
    } catch (err) {
      if (err instanceof JobEscrowError) throw err;
      if (err instanceof SendTransactionError) throw new TransactionFailed(err.message, err.logs ?? []);
      throw err;
    }
  }

  /** Initializes the config; the events come with it (`send` is this class's). */
  override initializeConfig(args: Partial<InitializeConfigArgs> = {}): Sent {
    return super.initializeConfig(args) as Sent;
  }

  /** A funded wallet. */
  override wallet(opts: number | { sol?: number; usdc?: bigint } = {}): Keypair {
    return super.wallet(typeof opts === 'number' ? { sol: opts } : opts);
  }

  /** The account's bytes, or null when it does not exist. */
  data(address: PublicKey): Buffer | null {
    return this.account(address)?.data ?? null;
  }

  /**
   * Lamports, owner and bytes of each account, to prove a rejected
   * transaction changed nothing: `expect(env.snapshot(keys)).toEqual(before)`.
   */
  snapshot(addresses: PublicKey[]): unknown[] {
    return addresses.map((a) => {
      const acc = this.account(a);
      return acc ? { lamports: acc.lamports, owner: acc.owner.toBase58(), data: acc.data.toString('hex') } : null;
    });
  }
}

/** Runs `fn`, expecting the program to reject with `code`; returns the error. */
export function expectProgramError(fn: () => unknown, code: number): JobEscrowError {
  try {
    fn();
  } catch (err) {
    if (err instanceof JobEscrowError) {
      if (err.code !== code) throw new Error(`expected error ${code}, got ${err.message}\n${err.logs.join('\n')}`);
      return err;
    }
    throw err;
  }
  throw new Error(`expected error ${code}, but the transaction succeeded`);
}
