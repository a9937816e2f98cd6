// Address lookup tables for the operator's batches: the accounts jobs share
// (program ids, Config, the users' credit accounts and vaults, workers' token
// accounts, the payer pool's rent payers) go into tables the operator owns,
// so a v0 transaction names each with one byte instead of 32. Tables are
// created and extended on demand, reused across batches and across restarts
// (LookupTables.load finds the authority's tables on the cluster), and
// deactivated when idle and closed after the cooldown (rent back) by
// maintain(), which a long-running operator calls on a timer.
import bs58 from 'bs58';
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  Transaction,
  type Connection,
  type PublicKey,
  type Signer,
  type TransactionInstruction,
} from '@solana/web3.js';

/** Addresses a table holds at most. */
const TABLE_CAPACITY = 256;
/** Addresses one extend instruction carries (keeps the transaction under 1,232 bytes). */
const EXTEND_CHUNK = 20;
/**
 * Slots after its deactivation before a table may be closed: the program
 * refuses while the deactivation slot is still in the SlotHashes sysvar,
 * which holds the last 512 slots.
 */
export const LOOKUP_TABLE_COOLDOWN_SLOTS = 513;
/** maintain()'s default: a table unused this many slots (about an hour) is deactivated. */
export const LOOKUP_TABLE_IDLE_SLOTS = 9_000;
/** Where a table account holds its authority: an Option<Pubkey> after type (u32), deactivation slot, last extended slot (u64 each) and start index (u8). */
const AUTHORITY_OPTION_OFFSET = 21;

export interface MaintainResult {
  /** Tables deactivated this call (idle too long). */
  deactivated: PublicKey[];
  /** Tables closed this call (cooldown over); their rent went back to the authority. */
  closed: PublicKey[];
  /** Lamports those closes returned. */
  reclaimed: number;
}

export class LookupTables {
  private tables: PublicKey[] = [];
  private cached = new Map<string, AddressLookupTableAccount>();
  /** Addresses each table holds, counted here (a fetch right after an extend may not show it yet). */
  private sizes = new Map<string, number>();
  /** Each table's extensions: its size after each, and the slot it landed in (0: found at load, long rooted). */
  private extensions = new Map<string, { size: number; slot: number }[]>();
  private lastSlot = Number.MAX_SAFE_INTEGER;
  /** Slot at which each active table was last handed out by ensure(). */
  private lastUsed = new Map<string, number>();
  /** Deactivated tables awaiting close, with their deactivation slot. */
  private retiring = new Map<string, { address: PublicKey; since: number }>();

  constructor(
    private readonly connection: Connection,
    /** Owns the tables and pays for them. */
    private readonly authority: Signer,
  ) {}

  /**
   * The authority's tables as the cluster has them (after a restart):
   * active ones are reused by ensure(), deactivated ones are closed by
   * maintain() once their cooldown is over.
   */
  static async load(connection: Connection, authority: Signer): Promise<LookupTables> {
    const tables = new LookupTables(connection, authority);
    const found = await connection.getProgramAccounts(AddressLookupTableProgram.programId, {
      commitment: 'confirmed',
      filters: [{ memcmp: { offset: AUTHORITY_OPTION_OFFSET, bytes: bs58.encode(Buffer.concat([Buffer.from([1]), authority.publicKey.toBuffer()])) } }],
    });
    const slot = await connection.getSlot('confirmed');
    for (const { pubkey, account } of found) {
      const state = AddressLookupTableAccount.deserialize(account.data);
      const key = pubkey.toBase58();
      if (state.deactivationSlot === BigInt('0xffffffffffffffff')) {
        tables.tables.push(pubkey);
        tables.sizes.set(key, state.addresses.length);
        tables.extensions.set(key, [{ size: state.addresses.length, slot: 0 }]);
        tables.cached.set(key, new AddressLookupTableAccount({ key: pubkey, state }));
        tables.lastUsed.set(key, slot);
      } else {
        tables.retiring.set(key, { address: pubkey, since: Number(state.deactivationSlot) });
      }
    }
    return tables;
  }

  /**
   * Makes the tables hold every address in `addresses` (created or extended
   * as needed) and returns them as a transaction may use them now: each cut
   * to the addresses added in a finalized slot. A leader resolves a v0
   * transaction's lookups against its rooted bank, so an address added
   * since is refused there (the RPC's preflight, on a confirmed bank, passes
   * it) and the transaction lands only once the extension is rooted, about
   * 13 s later (measured on the local validator: 17 s against 1.5 s). Until
   * then the new addresses go into transactions as plain keys.
   */
  async ensure(addresses: PublicKey[]): Promise<AddressLookupTableAccount[]> {
    const held = new Set([...this.cached.values()].flatMap((t) => t.state.addresses.map((a) => a.toBase58())));
    const missing = [...new Map(addresses.map((a) => [a.toBase58(), a])).values()].filter((a) => !held.has(a.toBase58()));
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
      const slot = await this.send([AddressLookupTableProgram.extendLookupTable({ lookupTable: table, authority: this.authority.publicKey, payer: this.authority.publicKey, addresses: chunk })]);
      const size = (this.sizes.get(table.toBase58()) ?? 0) + chunk.length;
      this.sizes.set(table.toBase58(), size);
      this.extensions.set(table.toBase58(), [...(this.extensions.get(table.toBase58()) ?? []), { size, slot }]);
    }
    // Fetch each table extended since it was last fetched until it shows every address counted.
    const shows = (table: PublicKey) => (this.cached.get(table.toBase58())?.state.addresses.length ?? -1) >= (this.sizes.get(table.toBase58()) ?? 0);
    for (const table of this.tables) {
      while (!shows(table)) {
        await this.refresh(table);
        if (!shows(table)) await new Promise((r) => setTimeout(r, 200));
      }
    }
    const slot = await this.connection.getSlot('confirmed');
    for (const table of this.tables) this.lastUsed.set(table.toBase58(), slot);
    // Addresses added in slot S are usable from slot S + 1, once S is rooted.
    const rooted = await this.connection.getSlot('finalized');
    return [...this.cached.entries()].flatMap(([key, account]) => {
      const usable = Math.max(0, ...(this.extensions.get(key) ?? []).filter((e) => e.slot < rooted).map((e) => e.size));
      if (!usable) return [];
      return [new AddressLookupTableAccount({ key: account.key, state: { ...account.state, addresses: account.state.addresses.slice(0, usable) } })];
    });
  }

  /** The tables as last fetched. */
  get accounts(): AddressLookupTableAccount[] {
    return [...this.cached.values()];
  }

  /** Tables deactivated and not yet closed. */
  get retired(): PublicKey[] {
    return [...this.retiring.values()].map((r) => r.address);
  }

  /** Deactivates every active table (they can no longer be extended; ensure() creates new ones); maintain() closes them later. */
  async deactivate(tables: PublicKey[] = [...this.tables]): Promise<void> {
    for (const lookupTable of tables) {
      const since = await this.send([AddressLookupTableProgram.deactivateLookupTable({ lookupTable, authority: this.authority.publicKey })]);
      const key = lookupTable.toBase58();
      this.retiring.set(key, { address: lookupTable, since });
      this.tables = this.tables.filter((t) => !t.equals(lookupTable));
      this.cached.delete(key);
      this.sizes.delete(key);
      this.extensions.delete(key);
      this.lastUsed.delete(key);
    }
  }

  /**
   * The idle-table housekeeping a long-running operator runs on a timer:
   * deactivates tables ensure() has not handed out for `idleSlots`, and
   * closes deactivated tables whose cooldown is over, reclaiming their rent.
   * A close the cluster still refuses is tried again on the next call.
   */
  async maintain({ idleSlots = LOOKUP_TABLE_IDLE_SLOTS }: { idleSlots?: number } = {}): Promise<MaintainResult> {
    const slot = await this.connection.getSlot('confirmed');
    const idle = this.tables.filter((t) => slot - (this.lastUsed.get(t.toBase58()) ?? slot) >= idleSlots);
    await this.deactivate(idle);
    const closed: PublicKey[] = [];
    let reclaimed = 0;
    for (const [key, { address, since }] of this.retiring) {
      if (slot < since + LOOKUP_TABLE_COOLDOWN_SLOTS) continue;
      const lamports = (await this.connection.getAccountInfo(address, 'confirmed'))?.lamports ?? 0;
      try {
        if (lamports > 0) await this.send([AddressLookupTableProgram.closeLookupTable({ lookupTable: address, authority: this.authority.publicKey, recipient: this.authority.publicKey })]);
      } catch {
        continue; // still cooling down on this cluster's clock: the next call tries again
      }
      this.retiring.delete(key);
      closed.push(address);
      reclaimed += lamports;
    }
    return { deactivated: idle, closed, reclaimed };
  }

  private async refresh(table: PublicKey): Promise<void> {
    const { value } = await this.connection.getAddressLookupTable(table, { commitment: 'confirmed' });
    if (!value) throw new Error(`lookup table ${table.toBase58()} not found`);
    this.cached.set(table.toBase58(), value);
  }

  /** Sends and confirms; returns the slot the transaction landed in. */
  private async send(ixs: TransactionInstruction[]): Promise<number> {
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash('confirmed');
    const tx = new Transaction({ feePayer: this.authority.publicKey, blockhash, lastValidBlockHeight }).add(...ixs);
    tx.sign(this.authority);
    const signature = await this.connection.sendRawTransaction(tx.serialize());
    const { value } = await this.connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, 'confirmed');
    if (value.err) throw new Error(`lookup table transaction failed: ${JSON.stringify(value.err)}`);
    const landed = (await this.connection.getSignatureStatus(signature)).value?.slot;
    return landed ?? (await this.connection.getSlot('confirmed'));
  }
}
