// A validator set up for throughput work, shared by the batched-path test
// (tests/validator/throughput.test.ts) and the bench's validator section
// (bench/throughput.ts): the config, an operator, a funded payer pool,
// lookup tables, a worker's token account and `users` users each holding
// `credits` credits, set up through the batch sender itself.
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { createAssociatedTokenAccountIdempotentInstruction, createMintToInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { Keypair, Transaction, type PublicKey } from '@solana/web3.js';
import {
  COMPUTE_UNITS,
  JobEscrowClient,
  LookupTables,
  PayerPool,
  getInitializeConfigInstruction,
  getOpenCreditAccountInstruction,
  getPurchaseInstruction,
  sendBatched,
  type BatchItem,
} from '../../sdk/src/index.js';
import { startValidator, type LocalValidator } from './harness.js';

export interface BatchWorld {
  v: LocalValidator;
  operator: Keypair;
  client: JobEscrowClient;
  pool: PayerPool;
  tables: LookupTables;
  worker: PublicKey;
  users: Keypair[];
  /** More users with `credits` each (the same three phases). */
  addUsers(n: number): Promise<Keypair[]>;
}

export async function startBatchWorld({ rpcPort, users = 0, credits, jobTimeoutSecs = 600 }: { rpcPort: number; users?: number; credits: bigint; jobTimeoutSecs?: number }): Promise<BatchWorld> {
  const v = await startValidator({ rpcPort });
  const operator = (await v.wallet(500)).keypair;
  const client = new JobEscrowClient(new AnchorProvider(v.connection, new Wallet(operator), { commitment: 'confirmed' }));
  const treasury = getAssociatedTokenAddressSync(v.mint, v.admin.publicKey);
  await new AnchorProvider(v.connection, new Wallet(v.admin), { commitment: 'confirmed' }).sendAndConfirm(
    new Transaction().add(
      createAssociatedTokenAccountIdempotentInstruction(v.admin.publicKey, treasury, v.admin.publicKey, v.mint),
      getInitializeConfigInstruction({ admin: v.admin.publicKey, mint: v.mint, treasury }, { operator: operator.publicKey, jobTimeoutSecs }),
    ),
  );
  const pool = await PayerPool.create(v.connection, operator, { size: 8, sol: 5 });
  const workerWallet = Keypair.generate().publicKey;
  const worker = getAssociatedTokenAddressSync(v.mint, workerWallet);
  const send = async (items: BatchItem[]) => {
    const { outcomes } = await sendBatched(v.connection, items, { feePayer: () => pool.next(), maxInFlight: 8 });
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length) throw new Error(`setup: ${failed.length} instruction(s) failed: ${JSON.stringify(failed[0])}`);
  };
  // The ATA program's cost depends on the owner's address (each bump it skips costs 1,500 CU; 30,000 was too few for an unlucky one).
  await send([{ ix: createAssociatedTokenAccountIdempotentInstruction(operator.publicKey, worker, workerWallet, v.mint), units: 60_000, signers: [operator] }]);

  const addUsers = async (n: number) => {
    const added = Array.from({ length: n }, () => Keypair.generate());
    const usdc = (u: Keypair) => getAssociatedTokenAddressSync(v.mint, u.publicKey);
    // Items in flight together must not depend on each other: accounts first, then USDC, then purchases.
    await send(
      added.flatMap((u, i): BatchItem[] => [
        { ix: createAssociatedTokenAccountIdempotentInstruction(pool.at(i).publicKey, usdc(u), u.publicKey, v.mint), units: 60_000, signers: [pool.at(i)] },
        { ix: getOpenCreditAccountInstruction({ payer: pool.at(i).publicKey, owner: u.publicKey, mint: v.mint }), units: COMPUTE_UNITS.open_credit_account, signers: [pool.at(i)] },
      ]),
    );
    await send(added.map((u) => ({ ix: createMintToInstruction(v.mint, usdc(u), v.mintAuthority.publicKey, credits * 10_000n), units: 5_000, signers: [v.mintAuthority] })));
    await send(added.map((u) => ({ ix: getPurchaseInstruction({ owner: u.publicKey, mint: v.mint, source: usdc(u) }, { credits }), units: COMPUTE_UNITS.purchase, signers: [u] })));
    return added;
  };
  return { v, operator, client, pool, tables: new LookupTables(v.connection, operator), worker, users: await addUsers(users), addUsers };
}
