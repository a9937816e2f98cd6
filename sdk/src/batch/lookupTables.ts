// Address lookup tables for the operator's batches: the accounts jobs share
// (program ids, Config, the users' credit accounts and vaults, workers' token
// accounts, the payer pool's rent payers) go into tables the operator owns,
// so a v0 transaction names each with one byte instead of 32. Tables are
// created and extended on demand, reused across batches, and deactivated and
// closed (rent back) when the operator is done with them.
import {
  AddressLookupTableProgram,
  Transaction,
  type AddressLookupTableAccount,
  type Connection,
  type PublicKey,
  type Signer,
  type TransactionInstruction,
} from '@solana/web3.js';

/** Addresses a table holds at most. */
const TABLE_CAPACITY = 256;
/** Addresses one extend instruction carries (keeps the transaction under 1,232 bytes). */
const EXTEND_CHUNK = 20;

export class LookupTables {
  private tables: PublicKey[] = [];
  private cached = new Map<string, AddressLookupTableAccount>();
  /** Addresses each table holds, counted here (a fetch right after an extend may not show it yet). */
  private sizes = new Map<string, number>();
  private lastSlot = Number.MAX_SAFE_INTEGER;

  constructor(
    private readonly connection: Connection,
    /** Owns the tables and pays for them. */
    private readonly authority: Signer,
  ) {}

  /** The tables, current, holding every address in `addresses` (created or extended as needed; waits until usable). */
  async ensure(addresses: PublicKey[]): Promise<AddressLookupTableAccount[]> {
    const held = new Set([...this.cached.values()].flatMap((t) => t.state.addresses.map((a) => a.toBase58())));
    const missing = [...new Map(addresses.map((a) => [a.toBase58(), a])).values()].filter((a) => !held.has(a.toBase58()));
    let extendedAt = 0;
    while (missing.length) {
      let table = this.tables.at(-1);
      let room = table ? TABLE_CAPACITY - (this.sizes.get(table.toBase58()) ?? 0) : 0;
      if (!table || room === 0) {
        // A table's address comes from (authority, recent slot): never the same slot twice.
        const slot = Math.min(await this.connection.getSlot('finalized'), this.lastSlot - 1);
        this.lastSlot = slot;
        const [create, address] = AddressLookupTableProgram.createLookupTable({ authority: this.authority.publicKey, payer: this.authority.publicKey, recentSlot: slot });
        await this.send([create]);
        this.tables.push(address);
        table = address;
        room = TABLE_CAPACITY;
      }
      const chunk = missing.splice(0, Math.min(EXTEND_CHUNK, room));
      await this.send([AddressLookupTableProgram.extendLookupTable({ lookupTable: table, authority: this.authority.publicKey, payer: this.authority.publicKey, addresses: chunk })]);
      this.sizes.set(table.toBase58(), (this.sizes.get(table.toBase58()) ?? 0) + chunk.length);
      extendedAt = await this.connection.getSlot('confirmed');
    }
    // Fetch each table until it shows every address counted.
    for (const table of this.tables) {
      for (;;) {
        await this.refresh(table);
        if (this.cached.get(table.toBase58())!.state.addresses.length >= (this.sizes.get(table.toBase58()) ?? 0)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // Addresses added in slot S are usable from slot S + 1.
    while (extendedAt && (await this.connection.getSlot('confirmed')) <= extendedAt) await new Promise((r) => setTimeout(r, 200));
    return [...this.cached.values()];
  }

  /** The tables as last fetched. */
  get accounts(): AddressLookupTableAccount[] {
    return [...this.cached.values()];
  }

  /** Deactivates every table; `close()` reclaims the rent once the cluster allows it (about 513 slots later). */
  async deactivate(): Promise<void> {
    for (const lookupTable of this.tables) await this.send([AddressLookupTableProgram.deactivateLookupTable({ lookupTable, authority: this.authority.publicKey })]);
  }

  /** Closes deactivated tables, returning their rent to the authority. @throws while a table is still cooling down. */
  async close(): Promise<void> {
    for (const lookupTable of this.tables) {
      await this.send([AddressLookupTableProgram.closeLookupTable({ lookupTable, authority: this.authority.publicKey, recipient: this.authority.publicKey })]);
    }
    this.tables = [];
    this.cached.clear();
    this.sizes.clear();
  }

  private async refresh(table: PublicKey): Promise<void> {
    const { value } = await this.connection.getAddressLookupTable(table, { commitment: 'confirmed' });
    if (!value) throw new Error(`lookup table ${table.toBase58()} not found`);
    this.cached.set(table.toBase58(), value);
  }

  private async send(ixs: TransactionInstruction[]): Promise<void> {
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash('confirmed');
    const tx = new Transaction({ feePayer: this.authority.publicKey, blockhash, lastValidBlockHeight }).add(...ixs);
    tx.sign(this.authority);
    const signature = await this.connection.sendRawTransaction(tx.serialize());
    const { value } = await this.connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, 'confirmed');
    if (value.err) throw new Error(`lookup table transaction failed: ${JSON.stringify(value.err)}`);
  }
}
