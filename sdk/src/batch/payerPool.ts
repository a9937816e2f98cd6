import { Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction, type Connection, type PublicKey, type Signer } from '@solana/web3.js';

/**
 * Keys that take turns paying transaction fees, so no single account is
 * written by every transaction (Solana caps the compute units that write one
 * account per block). Round-robin. A pool key only pays for a transaction
 * whose sole signer it can be (a refund of expired jobs, which anyone may
 * send); lock and settle transactions are paid and signed by the operator
 * alone.
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
    const pool = new PayerPool(Array.from({ length: size }, () => Keypair.generate()));
    await transferAll(connection, funder, pool.publicKeys.map((key) => ({ key, lamports: Math.round(sol * LAMPORTS_PER_SOL) })));
    return pool;
  }

  /**
   * `size` keys derived from `root`'s secret key (sha256 of it, a label and
   * the index): the same keys after every restart, so an operator needs no
   * second key file and never strands lamports in forgotten keys.
   */
  static async derive(root: Keypair, size: number): Promise<PayerPool> {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a payer pool needs a whole number of keys ≥ 1, not ${size}`);
    const seeds = await Promise.all(
      Array.from({ length: size }, (_, i) => globalThis.crypto.subtle.digest('SHA-256', new Uint8Array([...root.secretKey, ...new TextEncoder().encode(`job_escrow payer pool ${i}`)]))),
    );
    return new PayerPool(seeds.map((seed) => Keypair.fromSeed(new Uint8Array(seed))));
  }

  /**
   * Tops up every key holding less than `below` SOL to `to` SOL from
   * `funder`, in one transaction per 20 keys; returns the lamports sent.
   * An operator calls it on a timer so fees never run a key dry.
   */
  async topUp(connection: Connection, funder: Signer, { below, to }: { below: number; to: number }): Promise<number> {
    const infos = await connection.getMultipleAccountsInfo(this.publicKeys, 'confirmed');
    const low = this.keys
      .map((k, i) => ({ key: k.publicKey, lamports: infos[i]?.lamports ?? 0 }))
      .filter((k) => k.lamports < below * LAMPORTS_PER_SOL)
      .map((k) => ({ key: k.key, lamports: Math.round(to * LAMPORTS_PER_SOL) - k.lamports }));
    await transferAll(connection, funder, low);
    return low.reduce((n, k) => n + k.lamports, 0);
  }

  /** The key serving the `n`-th group of work (groups take turns). */
  at(n: number): Keypair {
    return this.keys[n % this.keys.length];
  }

  get publicKeys(): PublicKey[] {
    return this.keys.map((k) => k.publicKey);
  }
}

/** System transfers from `funder`, 20 per transaction, each confirmed. */
async function transferAll(connection: Connection, funder: Signer, to: { key: PublicKey; lamports: number }[]): Promise<void> {
  for (let i = 0; i < to.length; i += 20) {
    const tx = new Transaction().add(...to.slice(i, i + 20).map((t) => SystemProgram.transfer({ fromPubkey: funder.publicKey, toPubkey: t.key, lamports: t.lamports })));
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash('confirmed');
    tx.recentBlockhash = blockhash;
    tx.feePayer = funder.publicKey;
    tx.sign(funder);
    const signature = await connection.sendRawTransaction(tx.serialize());
    const { value } = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, 'confirmed');
    if (value.err) throw new Error(`funding the payer pool failed: ${JSON.stringify(value.err)}`);
  }
}
