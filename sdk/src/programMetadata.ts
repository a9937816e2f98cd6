// The program's IDL on-chain through the Program Metadata program
// (ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S), the account explorers and
// Anchor 1.x read a program's IDL from: the canonical metadata account of
// seed "idl", a PDA of [program id, "idl" padded to 16 bytes], written by the
// program's upgrade authority. @solana-program/program-metadata's JS client
// plans the instructions (allocate, write in chunks, initialize; or set-data,
// with a buffer, for an update); they are sent through the Anchor provider,
// so the wallet signs as it does for every other command (a keypair file, a
// LiteSVM provider in tests). The CLI's `idl publish` and `idl fetch` load
// this module on demand (it brings in @solana/kit).
import type { Provider } from '@coral-xyz/anchor';
import {
  Compression,
  DataSource,
  Encoding,
  Format,
  PROGRAM_METADATA_PROGRAM_ADDRESS,
  findCanonicalPda,
  getMetadataDecoder,
  getProgramMetadataErrorMessage,
  getWriteMetadataInstructionPlan,
  packDirectData,
  unpackAndFetchData,
  unpackDirectData,
  type Metadata,
} from '@solana-program/program-metadata';
import {
  address,
  appendTransactionMessageInstructions,
  createNoopSigner,
  createSolanaRpc,
  createTransactionMessage,
  createTransactionPlanner,
  flattenTransactionPlan,
  getTransactionEncoder,
  lamports,
  partiallySignTransactionMessageWithSigners,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Blockhash,
  type Instruction,
  type MaybeAccount,
} from '@solana/kit';
import { PublicKey, VersionedTransaction, type Connection } from '@solana/web3.js';
import { errorCodeFromLogs, logsOf } from './errors.js';
import { fetchUpgradeAuthority } from './upgradeAuthority.js';

/** The Program Metadata program. */
export const PROGRAM_METADATA_PROGRAM_ID = new PublicKey(PROGRAM_METADATA_PROGRAM_ADDRESS);

/** The seed of the IDL's metadata account (the client pads it to 16 bytes). */
export const IDL_SEED = 'idl';

const COMPUTE_BUDGET = address('ComputeBudget111111111111111111111111111111');

/**
 * The compute-unit limit of each transaction publish sends. Measured on
 * solana-test-validator: a transaction of writes takes about 1,000 to 1,500
 * units, the first of a create (transfer, allocate, write) about 5,700, and
 * set-data from a buffer grows with the data (13,300 for 24 KB stored); the
 * limit leaves room for a larger IDL.
 */
export const IDL_PUBLISH_COMPUTE_UNITS = 100_000;

/** The canonical metadata account of `programId`'s IDL (seed "idl"). */
export async function findIdlMetadataAddress(programId: PublicKey): Promise<PublicKey> {
  const [pda] = await findCanonicalPda({ program: address(programId.toBase58()), seed: IDL_SEED });
  return new PublicKey(pda);
}

/** An IDL read back from its metadata account. */
export interface PublishedIdl {
  /** The metadata account. */
  address: PublicKey;
  /** The IDL text exactly as published (decompressed and decoded). */
  content: string;
  /** Whether the authority may still change it. */
  mutable: boolean;
  /** Who may change it: null for a canonical account (the program's upgrade authority). */
  authority: PublicKey | null;
  format: Format;
  encoding: Encoding;
  compression: Compression;
  dataSource: DataSource;
  /** Bytes stored in the account (compressed). */
  storedBytes: number;
}

/** The metadata account's fields, or null when it does not exist. @throws when another program owns the address. */
async function readMetadata(connection: Connection, metadata: PublicKey): Promise<Metadata | null> {
  const info = await connection.getAccountInfo(metadata, 'confirmed');
  if (!info) return null;
  if (!info.owner.equals(PROGRAM_METADATA_PROGRAM_ID)) throw new Error(`${metadata.toBase58()} is not a metadata account (owned by ${info.owner.toBase58()})`);
  const decoded = getMetadataDecoder().decode(info.data);
  return { ...decoded, data: decoded.data.slice(0, decoded.dataLength) };
}

/**
 * `programId`'s IDL from its canonical metadata account, or null when none
 * is published. Direct data is read from the account itself (any provider,
 * LiteSVM too); URL and external data are followed over the connection's RPC.
 */
export async function fetchPublishedIdl(connection: Connection, { programId }: { programId: PublicKey }): Promise<PublishedIdl | null> {
  const metadataAddress = await findIdlMetadataAddress(programId);
  const m = await readMetadata(connection, metadataAddress);
  if (!m) return null;
  const content = m.dataSource === DataSource.Direct ? unpackDirectData(m) : await unpackAndFetchData({ rpc: createSolanaRpc(connection.rpcEndpoint), ...m });
  return {
    address: metadataAddress,
    content,
    mutable: m.mutable,
    authority: m.authority.__option === 'Some' ? new PublicKey(m.authority.value) : null,
    format: m.format,
    encoding: m.encoding,
    compression: m.compression,
    dataSource: m.dataSource,
    storedBytes: m.data.length,
  };
}


export interface PublishIdlResult {
  /** The metadata account. */
  address: PublicKey;
  /** Created, updated, or left as it was (the same content is already published; nothing sent). */
  action: 'created' | 'updated' | 'unchanged';
  /** Signatures of the transactions sent, in order. */
  signatures: string[];
  /** Bytes of the IDL text. */
  idlBytes: number;
  /** Bytes stored (zlib-compressed). */
  storedBytes: number;
}

/** The Program Metadata program's error named in a failed transaction's logs or message, as one line; else the error itself. */
function explain(err: unknown): Error {
  const lines = [...logsOf(err), ...String((err as { message?: unknown })?.message ?? '').split('\n')];
  const code = errorCodeFromLogs(lines, PROGRAM_METADATA_PROGRAM_ID);
  if (code !== undefined) {
    return new Error(`the Program Metadata program refused: ${getProgramMetadataErrorMessage(code as Parameters<typeof getProgramMetadataErrorMessage>[0]) ?? 'unknown error'} (${code})`);
  }
  // Another failure (the System program's, in a CPI, say): the first program that failed and why.
  const other = /Program (\w+) failed: ([^"\n]+)/.exec(lines.join('\n'));
  if (other) return new Error(`the transaction failed: program ${other[1]}: ${other[2]}`);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Writes `idl` (the IDL's text, stored exactly: zlib-compressed UTF-8, format
 * JSON, data in the account) as `programId`'s canonical IDL metadata. The
 * provider's wallet signs and pays, and must be the program's upgrade
 * authority. Creates the account, or updates it when it exists; sends
 * nothing when it already holds the same text.
 * @throws when the Program Metadata program is not on the cluster, the
 * wallet is not the upgrade authority, the account is immutable, or a
 * transaction fails (one line).
 */
export async function publishIdl(provider: Provider, { programId, idl, priorityFeeMicroLamports }: { programId: PublicKey; idl: string; priorityFeeMicroLamports?: number }): Promise<PublishIdlResult> {
  const { connection } = provider;
  const wallet = provider.wallet?.publicKey ?? provider.publicKey;
  if (!wallet || !provider.sendAndConfirm) throw new Error('publishing needs a provider with a wallet that signs');
  const pmProgram = await connection.getAccountInfo(PROGRAM_METADATA_PROGRAM_ID, 'confirmed');
  if (!pmProgram?.executable) throw new Error(`the Program Metadata program (${PROGRAM_METADATA_PROGRAM_ID.toBase58()}) is not deployed on this cluster`);
  const { programData, authority } = await fetchUpgradeAuthority(connection, { programId });
  if (!authority) throw new Error(`program ${programId.toBase58()} is immutable: nobody can write its canonical metadata`);
  if (!authority.equals(wallet)) throw new Error(`the wallet ${wallet.toBase58()} is not the upgrade authority of ${programId.toBase58()} (${authority.toBase58()} is): only it writes the canonical IDL`);

  const metadataAddress = await findIdlMetadataAddress(programId);
  const existing = await readMetadata(connection, metadataAddress);
  const packed = packDirectData({ content: idl, compression: Compression.Zlib, encoding: Encoding.Utf8 });
  const idlBytes = new TextEncoder().encode(idl).length;
  const result = (action: PublishIdlResult['action'], signatures: string[]): PublishIdlResult => ({ address: metadataAddress, action, signatures, idlBytes, storedBytes: packed.data.length });
  if (existing) {
    if (!existing.mutable) throw new Error(`the IDL metadata account ${metadataAddress.toBase58()} is immutable`);
    const same =
      existing.format === Format.Json &&
      existing.dataSource === DataSource.Direct &&
      existing.encoding === packed.encoding &&
      existing.compression === packed.compression &&
      unpackDirectData(existing) === idl;
    if (same) return result('unchanged', []);
  }

  // The wallet signs through the provider when each transaction is sent; the
  // client's instructions name it through a signer that signs nothing.
  const signer = createNoopSigner(address(wallet.toBase58()));
  const budget: Instruction[] = [computeUnitLimit(IDL_PUBLISH_COMPUTE_UNITS)];
  if (priorityFeeMicroLamports) budget.push(computeUnitPrice(priorityFeeMicroLamports));
  const planner = createTransactionPlanner({
    createTransactionMessage: () =>
      pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(signer, m),
        (m) => appendTransactionMessageInstructions(budget, m),
      ),
  });
  const client = {
    getMinimumBalance: async (space: number) => lamports(BigInt(await connection.getMinimumBalanceForRentExemption(space, 'confirmed'))),
    planTransactions: planner,
    planTransaction: async (input: Parameters<typeof planner>[0]) => {
      const plan = await planner(input);
      if (plan.kind !== 'single') throw new Error('does not fit one transaction');
      return plan.message;
    },
  };
  const metadataAccount: MaybeAccount<Metadata> = existing
    ? { exists: true, address: address(metadataAddress.toBase58()), data: existing, executable: false, lamports: lamports(0n), programAddress: PROGRAM_METADATA_PROGRAM_ADDRESS, space: 0n }
    : { exists: false, address: address(metadataAddress.toBase58()) };
  const instructionPlan = await getWriteMetadataInstructionPlan(client as unknown as Parameters<typeof getWriteMetadataInstructionPlan>[0], {
    payer: signer,
    authority: signer,
    program: address(programId.toBase58()) as Address,
    programData: address(programData.toBase58()),
    seed: IDL_SEED,
    encoding: packed.encoding,
    compression: packed.compression,
    format: Format.Json,
    dataSource: packed.dataSource,
    data: packed.data,
    metadata: metadataAccount,
    closeBuffer: true,
  });
  const transactions = flattenTransactionPlan(await planner(instructionPlan));
  const signatures: string[] = [];
  try {
    for (const { message } of transactions) {
      const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash('confirmed');
      const withLifetime = setTransactionMessageLifetimeUsingBlockhash({ blockhash: blockhash as Blockhash, lastValidBlockHeight: BigInt(lastValidBlockHeight) }, message);
      // A buffer for an update is a fresh keypair of the client's: it signs here; the wallet's signature is added by the provider.
      const partlySigned = await partiallySignTransactionMessageWithSigners(withLifetime);
      const tx = VersionedTransaction.deserialize(Uint8Array.from(getTransactionEncoder().encode(partlySigned)));
      signatures.push(await provider.sendAndConfirm(tx, [], { commitment: 'confirmed' }));
    }
  } catch (err) {
    throw explain(err);
  }
  return result(existing ? 'updated' : 'created', signatures);
}

function computeUnitLimit(units: number): Instruction {
  const data = new Uint8Array(5);
  data[0] = 2; // SetComputeUnitLimit
  new DataView(data.buffer).setUint32(1, units, true);
  return { programAddress: COMPUTE_BUDGET, data };
}

function computeUnitPrice(microLamports: number): Instruction {
  const data = new Uint8Array(9);
  data[0] = 3; // SetComputeUnitPrice
  new DataView(data.buffer).setBigUint64(1, BigInt(microLamports), true);
  return { programAddress: COMPUTE_BUDGET, data };
}
