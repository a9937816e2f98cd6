// The program's upgrade authority: the key the upgradeable BPF loader lets
// replace the program's code (and hand that power on). It is not the
// program's own admin (Config.admin, rotated with nominate_admin and
// accept_admin): initialize_config requires the two to be the same key once,
// and after that each moves on its own. Reading it, and handing it to
// another key (a Squads vault in practice) with the loader's SetAuthority or
// SetAuthorityChecked, refused before anything is sent when the signer is
// not the current authority, the program is immutable or the new key is the
// current one. The byte layouts are in ./core/upgradeable.ts; the CLI
// (`job-escrow upgrade-authority`, `set-upgrade-authority`) and
// migrations/deploy.ts use these functions.
import type { Provider } from '@coral-xyz/anchor';
import { Buffer } from 'buffer';
import { ComputeBudgetProgram, PublicKey, Transaction, TransactionInstruction, type Connection, type Signer } from '@solana/web3.js';
import { readAccountInfos, type AccountReader } from './accounts/index.js';
import { BPF_LOADER_UPGRADEABLE_ID, JOB_ESCROW_PROGRAM_ID } from './constants.js';
import { decodeProgramAccount, decodeProgramDataHeader, setAuthorityInstructionData } from './core/upgradeable.js';
import { findProgramDataAddress, type ProgramOptions } from './pdas.js';

/** Where a program's upgrade authority stands. */
export interface UpgradeAuthorityState {
  programId: PublicKey;
  /** The program's ProgramData account (the loader's PDA `[program id]`). */
  programData: PublicKey;
  /** The upgrade authority, or null when the program is immutable. */
  authority: PublicKey | null;
  /** The slot the program was last deployed or upgraded in. */
  slot: bigint;
}

/** Why a hand-over (or a read) was refused. */
export type UpgradeAuthorityRefusal = 'no-program' | 'not-upgradeable' | 'immutable' | 'not-authority' | 'same-authority';

/** A refusal of one line, before anything is sent; `reason` says which. */
export class UpgradeAuthorityError extends Error {
  constructor(
    readonly reason: UpgradeAuthorityRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'UpgradeAuthorityError';
  }
}

/**
 * The loader's SetAuthority instruction for `programId`'s ProgramData:
 * accounts ProgramData (writable), the current authority (signer), the new
 * authority (readonly). With `checked`, SetAuthorityChecked: the new
 * authority must sign the transaction too, so a key nobody holds cannot
 * receive it (a Squads vault, a PDA, cannot sign: hand it over unchecked).
 */
export function getSetUpgradeAuthorityInstruction(
  { currentAuthority, newAuthority }: { currentAuthority: PublicKey; newAuthority: PublicKey },
  { programId = JOB_ESCROW_PROGRAM_ID, checked = false }: ProgramOptions & { checked?: boolean } = {},
): TransactionInstruction {
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [
      { pubkey: findProgramDataAddress({ programId }), isSigner: false, isWritable: true },
      { pubkey: currentAuthority, isSigner: true, isWritable: false },
      { pubkey: newAuthority, isSigner: checked, isWritable: false },
    ],
    data: Buffer.from(setAuthorityInstructionData(checked)),
  });
}

/**
 * `programId`'s upgrade authority, read from its Program and ProgramData
 * accounts (one RPC call).
 * @throws UpgradeAuthorityError `no-program` when nothing is deployed there,
 *   `not-upgradeable` when it is not a program of the upgradeable loader.
 */
export async function fetchUpgradeAuthority(
  connection: AccountReader & Partial<Pick<Connection, 'getMultipleAccountsInfo'>>,
  { programId = JOB_ESCROW_PROGRAM_ID }: ProgramOptions = {},
): Promise<UpgradeAuthorityState> {
  const programData = findProgramDataAddress({ programId });
  const [program, data] = await readAccountInfos(connection, [programId, programData]);
  const id = programId.toBase58();
  if (!program || program.lamports === 0) throw new UpgradeAuthorityError('no-program', `no program at ${id}`);
  if (!program.owner.equals(BPF_LOADER_UPGRADEABLE_ID)) {
    throw new UpgradeAuthorityError('not-upgradeable', `${id} is not a program of the upgradeable loader (owner ${program.owner.toBase58()}): it has no upgrade authority`);
  }
  const named = decodeProgramAccount(program.data);
  if (!named || !new PublicKey(named).equals(programData)) throw new UpgradeAuthorityError('not-upgradeable', `${id} is not a deployed program of the upgradeable loader`);
  const header = data && data.owner.equals(BPF_LOADER_UPGRADEABLE_ID) ? decodeProgramDataHeader(data.data) : null;
  if (!header) throw new UpgradeAuthorityError('not-upgradeable', `${id}'s ProgramData ${programData.toBase58()} is missing or not the loader's`);
  return { programId, programData, authority: header.authority && new PublicKey(header.authority), slot: header.slot };
}

/**
 * The rule a hand-over must pass, on a state just read: the program has an
 * upgrade authority, `signer` is it, and `newAuthority` is another key.
 * @throws UpgradeAuthorityError `immutable`, `not-authority` or `same-authority`, one line each.
 */
export function checkUpgradeAuthorityTransfer(state: UpgradeAuthorityState, signer: PublicKey, newAuthority: PublicKey): void {
  const id = state.programId.toBase58();
  if (!state.authority) throw new UpgradeAuthorityError('immutable', `${id} is immutable: it has no upgrade authority to hand over`);
  if (!state.authority.equals(signer)) {
    throw new UpgradeAuthorityError('not-authority', `${signer.toBase58()} is not the upgrade authority of ${id} (${state.authority.toBase58()} is)`);
  }
  if (newAuthority.equals(state.authority)) throw new UpgradeAuthorityError('same-authority', `${newAuthority.toBase58()} is already the upgrade authority of ${id}`);
}

export interface TransferUpgradeAuthorityOptions extends ProgramOptions {
  /** The key that takes over: a public key, or its keypair when it signs too (required with `checked`). */
  newAuthority: PublicKey | Signer;
  /** SetAuthorityChecked: the new authority signs too (`newAuthority` must be a Signer). Default false. */
  checked?: boolean;
  /** A compute-unit price for the transaction (micro-lamports), as the client's `priorityFeeMicroLamports`. */
  priorityFeeMicroLamports?: number;
}

/** What a hand-over changed. */
export interface UpgradeAuthorityTransfer {
  signature: string;
  programData: PublicKey;
  previousAuthority: PublicKey;
  newAuthority: PublicKey;
}

/** A Signer has its secret key (a PublicKey of another copy of web3.js fails instanceof, so this asks the other way). */
const isSigner = (k: PublicKey | Signer): k is Signer => 'secretKey' in k;

/**
 * Hands `programId`'s upgrade authority from the provider's wallet (which
 * signs and pays) to `newAuthority`: reads the ProgramData, applies
 * {@link checkUpgradeAuthorityTransfer}, then sends SetAuthority (or
 * SetAuthorityChecked with `checked`) and waits for its confirmation.
 * @throws UpgradeAuthorityError before sending when refused; the RPC's error when the loader rejects it.
 */
export async function transferUpgradeAuthority(provider: Provider, options: TransferUpgradeAuthorityOptions): Promise<UpgradeAuthorityTransfer> {
  const { programId = JOB_ESCROW_PROGRAM_ID, checked = false, priorityFeeMicroLamports } = options;
  const signer = provider.publicKey;
  if (!signer) throw new Error('the provider has no wallet to sign with');
  const newAuthority = isSigner(options.newAuthority) ? options.newAuthority.publicKey : options.newAuthority;
  if (checked && !isSigner(options.newAuthority)) throw new TypeError('checked: the new authority signs too, so pass its keypair (a Signer), not its public key');
  const state = await fetchUpgradeAuthority(provider.connection, { programId });
  checkUpgradeAuthorityTransfer(state, signer, newAuthority);
  const tx = new Transaction();
  if (priorityFeeMicroLamports) tx.add(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: priorityFeeMicroLamports }));
  tx.add(getSetUpgradeAuthorityInstruction({ currentAuthority: signer, newAuthority }, { programId, checked }));
  const signers = checked && isSigner(options.newAuthority) ? [options.newAuthority] : [];
  const signature = await provider.sendAndConfirm!(tx, signers);
  return { signature, programData: state.programData, previousAuthority: signer, newAuthority };
}
