// The web3.js 1.x face of an in-process LiteSVM 1.x (the @solana/kit line).
// LiteSVM 1.x speaks Kit types; the SDK speaks web3.js 1.x. They meet here
// and only here: transactions cross as wire bytes (message bytes plus the
// signatures in signer order), addresses as base58 strings, accounts as
// AccountInfo<Buffer>.
//
// One bank per LiteSVM instance (`LiteSVMBank.of(svm)`): every provider and
// wallet on the same svm records into one history, so getSignaturesForAddress
// and getTransaction see every transaction, whoever sent it.
import { AccountLayout, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  PublicKey,
  SendTransactionError,
  Transaction,
  VersionedTransaction,
  type AccountInfo,
  type Commitment,
  type GetProgramAccountsFilter,
  type TokenBalance,
} from '@solana/web3.js';
import bs58 from 'bs58';
import { FailedTransactionMetadata, type LiteSVM } from 'litesvm';
import { instructionFailure } from './failure.js';
import { accountKeysOf, type LoadedAddresses } from '../transactions.js';

type KitAddress = Parameters<LiteSVM['getAccount']>[0];
type KitTransaction = Parameters<LiteSVM['sendTransaction']>[0];
type KitAccount = Parameters<LiteSVM['setAccount']>[0];

/** A web3.js public key as LiteSVM's (Kit) address. */
export function toAddress(key: PublicKey): KitAddress {
  return key.toBase58() as KitAddress;
}

/**
 * A signed web3.js transaction (legacy or v0) as the Kit `Transaction` LiteSVM
 * 1.x takes: the message bytes and the signatures keyed by signer, in the
 * message's signer order (the order Kit encodes them in).
 */
export function toKitTransaction(tx: Transaction | VersionedTransaction): KitTransaction {
  if (tx instanceof Transaction) {
    const messageBytes = tx.serializeMessage();
    const signatures = Object.fromEntries(tx.signatures.map((s) => [s.publicKey.toBase58(), s.signature ? new Uint8Array(s.signature) : null]));
    return { messageBytes, signatures } as unknown as KitTransaction;
  }
  const signers = tx.message.staticAccountKeys.slice(0, tx.message.header.numRequiredSignatures);
  const signatures = Object.fromEntries(signers.map((k, i) => [k.toBase58(), tx.signatures[i]]));
  return { messageBytes: tx.message.serialize(), signatures } as unknown as KitTransaction;
}

/** What a successful transaction reports. */
export interface Processed {
  signature: string;
  slot: number;
  logs: string[];
  computeUnits: number;
}

interface Recorded extends Processed {
  blockTime: number;
  /** Every account key, lookup-table ones included (what getSignaturesForAddress matches). */
  keys: PublicKey[];
  loadedAddresses: LoadedAddresses;
  message: Transaction['compileMessage'] extends () => infer M ? M : never;
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
}

type AccountListener = { key: PublicKey; callback: (info: AccountInfo<Buffer>, ctx: { slot: number }) => void; last: string };

/** A failure worded as the RPC's preflight check words it ("Error processing Instruction 1: custom program error: 0x1770"). */
function preflightMessage(result: FailedTransactionMetadata): string {
  const failure = instructionFailure(result);
  return `Transaction simulation failed: ${failure ? `Error processing Instruction ${failure.index}: ${failure.detail}` : result.toString()}`;
}

const banks = new WeakMap<LiteSVM, LiteSVMBank>();

/**
 * The Connection methods the SDK uses, answered from a LiteSVM instance, plus
 * what LiteSVM lacks and the client needs: signatures per address,
 * transactions with token balances, program accounts, account subscriptions.
 */
export class LiteSVMBank {
  readonly rpcEndpoint = 'litesvm://embedded';
  private readonly recorded: Recorded[] = [];
  private readonly listeners = new Map<number, AccountListener>();
  private nextListener = 1;

  private constructor(readonly svm: LiteSVM) {}

  /** The one bank of `svm` (created on first use). */
  static of(svm: LiteSVM): LiteSVMBank {
    let bank = banks.get(svm);
    if (!bank) banks.set(svm, (bank = new LiteSVMBank(svm)));
    return bank;
  }

  /** The account at `address` as web3.js reports it (null when missing or without lamports). */
  account(address: PublicKey): AccountInfo<Buffer> | null {
    const a = this.svm.getAccount(toAddress(address));
    if (!a.exists || a.lamports === 0n) return null;
    return { data: Buffer.from(a.data), lamports: Number(a.lamports), owner: new PublicKey(a.programAddress), executable: a.executable, rentEpoch: 0 };
  }

  /** Writes an account as it is, bypassing the runtime (test set-up). */
  setAccount(address: PublicKey, account: { lamports: number | bigint; data: Uint8Array; owner: PublicKey; executable?: boolean }): void {
    this.svm.setAccount({
      address: toAddress(address),
      lamports: BigInt(account.lamports),
      data: Uint8Array.from(account.data),
      programAddress: toAddress(account.owner),
      executable: account.executable ?? false,
      space: BigInt(account.data.length),
    } as unknown as KitAccount);
  }

  /** Lamports at `address` (0 when missing). */
  lamports(address: PublicKey): bigint {
    return BigInt(this.svm.getBalance(toAddress(address)) ?? 0n);
  }

  airdrop(to: PublicKey, lamports: bigint): void {
    const result = this.svm.airdrop(toAddress(to), lamports as Parameters<LiteSVM['airdrop']>[1]);
    if (result instanceof FailedTransactionMetadata) throw new Error(`airdrop failed: ${result.toString()}`);
  }

  rentExemptMinimum(dataLength: number | bigint): bigint {
    return this.svm.minimumBalanceForRentExemption(BigInt(dataLength));
  }

  async getAccountInfo(address: PublicKey, _commitment?: Commitment | object): Promise<AccountInfo<Buffer> | null> {
    return this.account(address);
  }

  async getMultipleAccountsInfo(addresses: PublicKey[]): Promise<(AccountInfo<Buffer> | null)[]> {
    return addresses.map((a) => this.account(a));
  }

  async getBalance(address: PublicKey): Promise<number> {
    return Number(this.lamports(address));
  }

  async getMinimumBalanceForRentExemption(dataLength: number): Promise<number> {
    return Number(this.rentExemptMinimum(dataLength));
  }

  async getLatestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: number }> {
    return { blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: Number.MAX_SAFE_INTEGER };
  }

  async getSlot(): Promise<number> {
    return Number(this.svm.getClock().slot);
  }

  async getProgramAccounts(
    programId: PublicKey,
    config?: { filters?: GetProgramAccountsFilter[] },
  ): Promise<{ pubkey: PublicKey; account: AccountInfo<Buffer> }[]> {
    const out: { pubkey: PublicKey; account: AccountInfo<Buffer> }[] = [];
    for (const found of this.svm.getProgramAccounts(toAddress(programId))) {
      const pubkey = new PublicKey(found.address);
      const account = this.account(pubkey);
      if (!account) continue;
      const ok = (config?.filters ?? []).every((f) => {
        if ('dataSize' in f) return account.data.length === f.dataSize;
        const bytes = bs58.decode(f.memcmp.bytes);
        return Buffer.from(bytes).equals(account.data.subarray(f.memcmp.offset, f.memcmp.offset + bytes.length));
      });
      if (ok) out.push({ pubkey, account });
    }
    return out;
  }

  /** Newest first, like the RPC method. */
  async getSignaturesForAddress(address: PublicKey, options?: { limit?: number; before?: string }) {
    let list = this.recorded.filter((r) => r.keys.some((k) => k.equals(address))).reverse();
    if (options?.before) list = list.slice(list.findIndex((r) => r.signature === options.before) + 1);
    return list.slice(0, options?.limit ?? 1000).map((r) => ({ signature: r.signature, slot: r.slot, blockTime: r.blockTime, err: null, memo: null }));
  }

  async getTransaction(signature: string, _options?: object) {
    const r = this.recorded.find((x) => x.signature === signature);
    if (!r) return null;
    return {
      slot: r.slot,
      blockTime: r.blockTime,
      transaction: { message: r.message, signatures: [signature] },
      meta: { err: null, logMessages: r.logs, preTokenBalances: r.preTokenBalances, postTokenBalances: r.postTokenBalances, computeUnitsConsumed: r.computeUnits, loadedAddresses: r.loadedAddresses },
    };
  }

  /** Like getTransaction, for many (one batched request on a real node). */
  async getTransactions(signatures: string[], options?: object) {
    return Promise.all(signatures.map((s) => this.getTransaction(s, options)));
  }

  async getSignatureStatus(signature: string) {
    const r = this.recorded.find((x) => x.signature === signature);
    return { context: { slot: Number(this.svm.getClock().slot) }, value: r ? { slot: r.slot, confirmations: null, err: null, confirmationStatus: 'finalized' as const } : null };
  }

  /** Like getSignatureStatus, for many (the batch sender's poll). */
  async getSignatureStatuses(signatures: string[], _config?: object) {
    const value = await Promise.all(signatures.map(async (s) => (await this.getSignatureStatus(s)).value));
    return { context: { slot: Number(this.svm.getClock().slot) }, value };
  }

  /** One block per slot here. */
  async getBlockHeight(): Promise<number> {
    return Number(this.svm.getClock().slot);
  }

  /** Executes wire bytes at once (no preflight distinction: a failure throws the RPC's preflight message). */
  async sendRawTransaction(bytes: Uint8Array | Buffer | number[], _options?: object): Promise<string> {
    return this.process(VersionedTransaction.deserialize(Uint8Array.from(bytes))).signature;
  }

  /** Transactions are final when sendRawTransaction returns. */
  async confirmTransaction(strategy: string | { signature: string }, _commitment?: Commitment) {
    const signature = typeof strategy === 'string' ? strategy : strategy.signature;
    return { context: { slot: Number(this.svm.getClock().slot) }, value: { err: (await this.getSignatureStatus(signature)).value ? null : 'not found' } };
  }

  async getAddressLookupTable(address: PublicKey, _config?: object) {
    const account = this.account(address);
    const value = account ? new AddressLookupTableAccount({ key: address, state: AddressLookupTableAccount.deserialize(account.data) }) : null;
    return { context: { slot: Number(this.svm.getClock().slot) }, value };
  }

  onAccountChange(address: PublicKey, callback: AccountListener['callback']): number {
    const id = this.nextListener++;
    this.listeners.set(id, { key: address, callback, last: this.fingerprint(address) });
    return id;
  }

  async removeAccountChangeListener(id: number): Promise<void> {
    this.listeners.delete(id);
  }

  private fingerprint(address: PublicKey): string {
    const a = this.account(address);
    return a ? `${a.lamports}:${a.data.toString('hex')}` : 'none';
  }

  /**
   * Gives the SlotHashes sysvar the last 512 slots up to the current one, as
   * a cluster's would be (LiteSVM leaves it as it is): the lookup-table
   * program reads it to create tables and to time their close.
   */
  refreshSlotHashes(): void {
    const now = this.svm.getClock().slot;
    const hash = this.svm.latestBlockhash();
    this.svm.setSlotHashes(Array.from({ length: 512 }, (_, i) => ({ slot: now - BigInt(i), hash })).filter((h) => h.slot >= 0n) as never);
  }

  /** The addresses a v0 transaction loads from its lookup tables, as they stand before it runs. */
  private loadedAddresses(tx: VersionedTransaction): LoadedAddresses {
    const loaded: LoadedAddresses = { writable: [], readonly: [] };
    for (const lookup of tx.message.addressTableLookups) {
      const account = this.account(lookup.accountKey);
      if (!account) continue; // the runtime refuses the transaction
      const { addresses } = AddressLookupTableAccount.deserialize(account.data);
      loaded.writable.push(...lookup.writableIndexes.map((i) => addresses[i]));
      loaded.readonly.push(...lookup.readonlyIndexes.map((i) => addresses[i]));
    }
    return loaded;
  }

  private tokenBalances(keys: PublicKey[]): TokenBalance[] {
    const out: TokenBalance[] = [];
    keys.forEach((key, accountIndex) => {
      const a = this.account(key);
      if (!a || !isTokenAccount(a.owner, a.data)) return;
      const t = AccountLayout.decode(a.data.subarray(0, AccountLayout.span));
      // The mint's decimals (byte 44 of a mint of either program), as an RPC node reports them.
      const decimals = this.account(t.mint)?.data[44] ?? 0;
      out.push({
        accountIndex,
        mint: t.mint.toBase58(),
        owner: t.owner.toBase58(),
        programId: a.owner.toBase58(),
        uiTokenAmount: { amount: t.amount.toString(), decimals, uiAmount: null },
      });
    });
    return out;
  }

  /**
   * Executes a signed transaction, records it and notifies subscribers. The
   * next transaction lands in a later slot with a fresh blockhash, as on a
   * cluster (history orders transactions by slot).
   * @throws SendTransactionError with the logs when it fails.
   */
  process(tx: Transaction | VersionedTransaction): Processed {
    const message = tx instanceof Transaction ? tx.compileMessage() : (tx.message as unknown as Recorded['message']);
    const loadedAddresses = tx instanceof Transaction ? { writable: [], readonly: [] } : this.loadedAddresses(tx);
    const keys = accountKeysOf(message, { loadedAddresses });
    const preTokenBalances = this.tokenBalances(keys);
    // The lookup-table program reads SlotHashes (to create a table, to time
    // its close): keep it current for the transactions that reach it.
    if (keys.some((k) => k.equals(AddressLookupTableProgram.programId))) this.refreshSlotHashes();
    const result = this.svm.sendTransaction(toKitTransaction(tx));
    this.svm.expireBlockhash();
    const slot = Number(this.svm.getClock().slot);
    this.svm.warpToSlot(BigInt(slot + 1));
    if (result instanceof FailedTransactionMetadata) {
      const logs = result.meta().logs();
      throw new SendTransactionError({ action: 'send', signature: '', transactionMessage: preflightMessage(result), logs });
    }
    const processed: Processed = { signature: bs58.encode(result.signature()), slot, logs: result.logs(), computeUnits: Number(result.computeUnitsConsumed()) };
    this.recorded.push({
      ...processed,
      blockTime: Number(this.svm.getClock().unixTimestamp),
      keys,
      loadedAddresses,
      message,
      preTokenBalances,
      postTokenBalances: this.tokenBalances(keys),
    });
    for (const l of this.listeners.values()) {
      const now = this.fingerprint(l.key);
      if (now === l.last) continue;
      l.last = now;
      const info = this.account(l.key);
      if (info) l.callback(info, { slot });
    }
    return processed;
  }
}

/**
 * A token account of either token program: classic SPL Token (165 bytes), or
 * Token-2022 (165 bytes, or longer with `AccountType::Account`, 2, at byte
 * 165 before its extensions).
 */
function isTokenAccount(owner: PublicKey, data: Uint8Array): boolean {
  if (owner.equals(TOKEN_PROGRAM_ID)) return data.length === AccountLayout.span;
  if (!owner.equals(TOKEN_2022_PROGRAM_ID)) return false;
  return data.length === AccountLayout.span || (data.length > AccountLayout.span && data[AccountLayout.span] === 2);
}
