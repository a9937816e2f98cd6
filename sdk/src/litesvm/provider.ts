// An Anchor Provider backed by an in-process LiteSVM (0.x, web3.js 1.x), so
// JobEscrowClient runs unchanged on an embedded bank: the demo and the tests
// use it. It records every transaction it sends, which gives it the RPC
// reads the client needs and LiteSVM lacks: signatures per address,
// transactions with token balances, program accounts, account-change
// subscriptions.
//
// Node + LiteSVM 0.8 on x86-64 needs the x87 guard (tests/support/x87guard.cc,
// docs/toolchain.md) loaded before any transaction.
import { utils, type Provider, type Wallet } from '@coral-xyz/anchor';
import { AccountLayout, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import {
  Keypair,
  PublicKey,
  type Connection,
  SendTransactionError,
  Transaction,
  VersionedTransaction,
  type AccountInfo,
  type Commitment,
  type ConfirmOptions,
  type GetProgramAccountsFilter,
  type Signer,
  type TokenBalance,
} from '@solana/web3.js';
import { FailedTransactionMetadata, type LiteSVM } from 'litesvm';

const { bs58 } = utils.bytes;

interface Recorded {
  signature: string;
  slot: number;
  blockTime: number;
  keys: PublicKey[];
  message: Transaction['compileMessage'] extends () => infer M ? M : never;
  logs: string[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
}

/** The Connection methods JobEscrowClient uses, answered from a LiteSVM instance. */
export class LiteSVMConnection {
  readonly rpcEndpoint = 'litesvm://embedded';
  private readonly recorded: Recorded[] = [];
  private readonly known = new Map<string, PublicKey>();
  private readonly listeners = new Map<number, { key: PublicKey; callback: (info: AccountInfo<Buffer>, ctx: { slot: number }) => void; last: string }>();
  private nextListener = 1;

  constructor(readonly svm: LiteSVM) {}

  private toInfo(address: PublicKey): AccountInfo<Buffer> | null {
    const a = this.svm.getAccount(address);
    if (!a || a.lamports === 0) return null;
    return { data: Buffer.from(a.data), lamports: Number(a.lamports), owner: a.owner, executable: a.executable, rentEpoch: 0 };
  }

  async getAccountInfo(address: PublicKey, _commitment?: Commitment | object): Promise<AccountInfo<Buffer> | null> {
    return this.toInfo(address);
  }

  async getMultipleAccountsInfo(addresses: PublicKey[]): Promise<(AccountInfo<Buffer> | null)[]> {
    return addresses.map((a) => this.toInfo(a));
  }

  async getBalance(address: PublicKey): Promise<number> {
    return Number(this.svm.getBalance(address) ?? 0n);
  }

  async getMinimumBalanceForRentExemption(dataLength: number): Promise<number> {
    return Number(this.svm.minimumBalanceForRentExemption(BigInt(dataLength)));
  }

  async getLatestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: number }> {
    return { blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: Number.MAX_SAFE_INTEGER };
  }

  async getSlot(): Promise<number> {
    return Number(this.svm.getClock().slot);
  }

  /** Accounts of `programId` among every account a recorded transaction touched. */
  async getProgramAccounts(
    programId: PublicKey,
    config?: { filters?: GetProgramAccountsFilter[] },
  ): Promise<{ pubkey: PublicKey; account: AccountInfo<Buffer> }[]> {
    const out: { pubkey: PublicKey; account: AccountInfo<Buffer> }[] = [];
    for (const pubkey of this.known.values()) {
      const account = this.toInfo(pubkey);
      if (!account || !account.owner.equals(programId)) continue;
      const ok = (config?.filters ?? []).every((f) =>
        'dataSize' in f
          ? account.data.length === f.dataSize
          : Buffer.from(bs58.decode(f.memcmp.bytes)).equals(account.data.subarray(f.memcmp.offset, f.memcmp.offset + bs58.decode(f.memcmp.bytes).length)),
      );
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
      meta: { err: null, logMessages: r.logs, preTokenBalances: r.preTokenBalances, postTokenBalances: r.postTokenBalances },
    };
  }

  onAccountChange(address: PublicKey, callback: (info: AccountInfo<Buffer>, ctx: { slot: number }) => void): number {
    const id = this.nextListener++;
    this.listeners.set(id, { key: address, callback, last: this.fingerprint(address) });
    return id;
  }

  async removeAccountChangeListener(id: number): Promise<void> {
    this.listeners.delete(id);
  }

  private fingerprint(address: PublicKey): string {
    const a = this.svm.getAccount(address);
    return a ? `${a.lamports}:${Buffer.from(a.data).toString('hex')}` : 'none';
  }

  private tokenBalances(keys: PublicKey[]): TokenBalance[] {
    const out: TokenBalance[] = [];
    keys.forEach((key, accountIndex) => {
      const a = this.svm.getAccount(key);
      if (!a || !a.owner.equals(TOKEN_PROGRAM_ID) || a.data.length !== AccountLayout.span) return;
      const t = AccountLayout.decode(Buffer.from(a.data));
      out.push({ accountIndex, mint: t.mint.toBase58(), owner: t.owner.toBase58(), uiTokenAmount: { amount: t.amount.toString(), decimals: 6, uiAmount: null } });
    });
    return out;
  }

  /** Sends a signed transaction, records it and notifies subscribers. @throws SendTransactionError with the logs. */
  send(tx: Transaction | VersionedTransaction): string {
    const message = tx instanceof Transaction ? tx.compileMessage() : (tx.message as unknown as Recorded['message']);
    const keys = tx instanceof Transaction ? message.accountKeys : tx.message.staticAccountKeys;
    const preTokenBalances = this.tokenBalances(keys);
    const result = this.svm.sendTransaction(tx);
    // The next transaction lands in a later slot with a fresh blockhash, as on
    // a cluster (history orders transactions by slot).
    this.svm.expireBlockhash();
    this.svm.warpToSlot(this.svm.getClock().slot + 1n);
    if (result instanceof FailedTransactionMetadata) {
      const logs = result.meta().logs();
      throw new SendTransactionError({ action: 'send', signature: '', transactionMessage: result.toString(), logs });
    }
    const signature = bs58.encode(result.signature());
    for (const k of keys) this.known.set(k.toBase58(), k);
    const clock = this.svm.getClock();
    const slot = Number(clock.slot) - 1;
    this.recorded.push({
      signature,
      slot,
      blockTime: Number(clock.unixTimestamp),
      keys,
      message,
      logs: result.logs(),
      preTokenBalances,
      postTokenBalances: this.tokenBalances(keys),
    });
    for (const l of this.listeners.values()) {
      const now = this.fingerprint(l.key);
      if (now !== l.last) {
        l.last = now;
        const info = this.toInfo(l.key);
        if (info) l.callback(info, { slot });
      }
    }
    return signature;
  }
}

/** A Keypair as an Anchor Wallet. */
export function keypairWallet(payer: Keypair): Wallet {
  return {
    payer,
    publicKey: payer.publicKey,
    async signTransaction<T extends Transaction | VersionedTransaction>(tx: T): Promise<T> {
      if (tx instanceof Transaction) tx.partialSign(payer);
      else tx.sign([payer]);
      return tx;
    },
    async signAllTransactions<T extends Transaction | VersionedTransaction>(txs: T[]): Promise<T[]> {
      for (const tx of txs) await this.signTransaction(tx);
      return txs;
    },
  };
}

/** An Anchor Provider over LiteSVM: `new JobEscrowClient(new LiteSVMProvider(svm, keypair))`. */
export class LiteSVMProvider implements Provider {
  /** The bank, with the recording and test helpers. */
  readonly bank: LiteSVMConnection;
  /** `bank` typed as the web3.js Connection the client expects (it implements the methods the client calls). */
  readonly connection: Connection;
  readonly wallet: Wallet;
  readonly publicKey: PublicKey;

  constructor(svmOrConnection: LiteSVM | LiteSVMConnection, payer: Keypair) {
    this.bank = svmOrConnection instanceof LiteSVMConnection ? svmOrConnection : new LiteSVMConnection(svmOrConnection);
    this.connection = this.bank as unknown as Connection;
    this.wallet = keypairWallet(payer);
    this.publicKey = payer.publicKey;
  }

  /** The same bank seen by another wallet. */
  withWallet(payer: Keypair): LiteSVMProvider {
    return new LiteSVMProvider(this.bank, payer);
  }

  async sendAndConfirm(tx: Transaction | VersionedTransaction, signers?: Signer[], _opts?: ConfirmOptions): Promise<string> {
    if (tx instanceof Transaction) {
      tx.feePayer ??= this.publicKey;
      tx.recentBlockhash = this.bank.svm.latestBlockhash();
      if (signers?.length) tx.partialSign(...signers);
    } else if (signers?.length) {
      tx.sign(signers);
    }
    await this.wallet.signTransaction(tx);
    return this.bank.send(tx);
  }
}
