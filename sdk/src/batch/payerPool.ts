import { Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction, type Connection, type PublicKey, type Signer } from '@solana/web3.js';

/**
 * Keys that take turns paying transaction fees and Job rent, so no single
 * account is written by every job (Solana caps the compute units that write
 * one account per block). Round-robin; the operator key stays the authority.
 */
export class PayerPool {
  private i = 0;

  constructor(readonly keys: Keypair[]) {
    if (keys.length === 0) throw new RangeError('a payer pool needs at least one key');
  }

  /** The next key in turn. */
  next(): Keypair {
    const key = this.keys[this.i % this.keys.length];
    this.i++;
    return key;
  }

  /**
   * `size` fresh keys, each funded with `sol` from `funder` (one transfer
   * transaction for all; the caller keeps the keys to reuse or sweep them).
   */
  static async create(connection: Connection, funder: Signer, { size, sol = 1 }: { size: number; sol?: number }): Promise<PayerPool> {
    const keys = Array.from({ length: size }, () => Keypair.generate());
    for (let i = 0; i < keys.length; i += 20) {
      const tx = new Transaction().add(
        ...keys.slice(i, i + 20).map((k) => SystemProgram.transfer({ fromPubkey: funder.publicKey, toPubkey: k.publicKey, lamports: Math.round(sol * LAMPORTS_PER_SOL) })),
      );
      const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash('confirmed');
      tx.recentBlockhash = blockhash;
      tx.feePayer = funder.publicKey;
      tx.sign(funder);
      const signature = await connection.sendRawTransaction(tx.serialize());
      await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, 'confirmed');
    }
    return new PayerPool(keys);
  }

  /** The key serving the `n`-th group of work (groups take turns). */
  at(n: number): Keypair {
    return this.keys[n % this.keys.length];
  }

  get publicKeys(): PublicKey[] {
    return this.keys.map((k) => k.publicKey);
  }
}
