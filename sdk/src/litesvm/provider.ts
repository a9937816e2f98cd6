// An Anchor Provider backed by an in-process LiteSVM 1.x, so JobEscrowClient
// runs unchanged on an embedded bank (the demo, the tests and the SDK's test
// kit use it). Every provider on one LiteSVM shares its bank's history.
import type { Provider, Wallet } from '@coral-xyz/anchor';
import { Keypair, PublicKey, Transaction, VersionedTransaction, type ConfirmOptions, type Connection, type Signer } from '@solana/web3.js';
import type { LiteSVM } from 'litesvm';
import { LiteSVMBank } from './bank.js';

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
  /** The bank of the LiteSVM instance, shared by every provider on it. */
  readonly bank: LiteSVMBank;
  /** `bank` typed as the web3.js Connection the client expects (it implements the methods the client calls). */
  readonly connection: Connection;
  readonly wallet: Wallet;
  readonly publicKey: PublicKey;

  constructor(svm: LiteSVM | LiteSVMBank, payer: Keypair) {
    this.bank = svm instanceof LiteSVMBank ? svm : LiteSVMBank.of(svm);
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
    return this.bank.process(tx).signature;
  }
}
