// An AI agent pays over x402 into its own credit account, against a real
// solana-test-validator, with the x402 packages' own client and facilitator
// and the SDK's credit paywall (./x402-world.ts). 402 → pay → 200, requests served from credits with
// no new payment, 402 again when low; wrong address, wrong asset, too
// little and a replayed payment are refused with x402's own reasons and
// credit nothing.
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { TOKEN_PROGRAM_ID, createAssociatedTokenAccount, createMint, mintTo } from '@solana/spl-token';
import { Keypair, Transaction, type PublicKey } from '@solana/web3.js';
import { x402Client } from '@x402/core/client';
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import { ExactSvmScheme as ExactSvmClientScheme } from '@x402/svm/exact/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEscrowClient, JobEscrowErrorCode, getInitializeConfigInstruction, getSetSpendingLimitInstruction, quote } from '../../sdk/src/index.js';
import { validateTopUp } from '../../sdk/src/pay/index.js';
import { replayKey, signAgentRequest, topUpMemo } from '../../sdk/src/x402/index.js';
import { startValidator, type LocalValidator } from './harness.js';
import { JOB, NETWORK, OUTPUT_TOKENS, TOP_UP, startX402World, type X402World } from './x402-world.js';

const RPC_PORT = 13899;

let v: LocalValidator;
const provider = (kp: Keypair) => new AnchorProvider(v.connection, new Wallet(kp), { commitment: 'confirmed' });

describe('x402 top-ups of an agent’s own credit account (solana-test-validator)', () => {
  let operator: JobEscrowClient;
  let operatorKey: Keypair;
  let world: X402World;

  beforeAll(async () => {
    v = await startValidator({ rpcPort: RPC_PORT });
    const op = await v.wallet(100);
    operatorKey = op.keypair;
    operator = new JobEscrowClient(provider(op.keypair));
    const treasury = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, v.admin.publicKey);
    await provider(v.admin).sendAndConfirm(new Transaction().add(getInitializeConfigInstruction({ admin: v.admin.publicKey, mint: v.mint, treasury }, { operator: op.keypair.publicKey })));
    const worker = await createAssociatedTokenAccount(v.connection, v.admin, v.mint, Keypair.generate().publicKey);
    world = await startX402World(v, { operator, mint: v.mint, tokenProgram: TOKEN_PROGRAM_ID, worker });
  }, 240_000);
  afterAll(async () => {
    world?.close();
    await v?.stop();
  });

  const agent = () => world.agent();
  const vaultOf = async (owner: PublicKey) => BigInt((await v.connection.getTokenAccountBalance((await operator.addresses({ owner })).vault)).value.amount);
  const usdcOf = async (ata: PublicKey) => BigInt((await v.connection.getTokenAccountBalance(ata)).value.amount);

  it('402 → pay → 200; then served from credits with no new payment; 402 again when low, paid again', async () => {
    const a = await agent();
    const { pricePerCredit } = await operator.config();
    const lock = quote(JOB.tier, JOB.maxOutputTokens);
    const charge = quote(JOB.tier, OUTPUT_TOKENS);

    // Unsigned: 401. Signed, no credits: 402 naming the agent's own credit account.
    expect((await fetch(`${world.api}/v1/infer`)).status).toBe(401);
    const first = await a.signed(`${world.api}/v1/infer`);
    expect(first.status).toBe(402);
    const required = decodePaymentRequiredHeader(first.headers.get('payment-required')!);
    const { creditAccount, vault } = await operator.addresses({ owner: a.owner });
    expect(required.accepts).toHaveLength(1);
    expect(required.accepts[0]).toMatchObject({
      scheme: 'exact',
      network: NETWORK,
      payTo: creditAccount.toBase58(),
      asset: v.mint.toBase58(),
      amount: String(TOP_UP * pricePerCredit),
      extra: { feePayer: world.facilitatorKey.address, memo: topUpMemo(creditAccount) },
    });
    expect(await first.json()).toMatchObject({ error: 'credits_low' });
    expect(await v.connection.getAccountInfo(creditAccount)).not.toBeNull(); // opened by the operator, who paid the rent
    expect(await v.connection.getBalance(a.owner)).toBe(0); // the agent holds no SOL at all

    // The x402 fetch pays and retries: 200, the vault up by exactly the top-up.
    const paid = await a.paying(`${world.api}/v1/infer`);
    expect(paid.status).toBe(200);
    const body = (await paid.json()) as { topUp: string | null };
    expect(body.topUp).toMatch(/^\w{80,90}$/);
    expect(paid.headers.get('payment-response')).toBeTruthy();
    expect(world.calls).toMatchObject({ verify: 1, settle: 1 });
    // The top-up transaction itself moved exactly the top-up into the vault (read from its token balances).
    expect(await validateTopUp(v.connection, body.topUp!, { owner: a.owner, amount: TOP_UP * pricePerCredit, config: await operator.config() })).toEqual({ amount: TOP_UP * pricePerCredit, credits: TOP_UP });
    expect(await usdcOf(a.ata)).toBe(10_000_000n - TOP_UP * pricePerCredit);
    let model = TOP_UP - charge;
    expect((await operator.getBalance({ owner: a.owner })).available).toBe(model);

    // Served from credits: no payment, no facilitator call, until a job no longer fits.
    let served = 0;
    while (model >= lock) {
      const r = await a.paying(`${world.api}/v1/infer`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { topUp: string | null }).topUp).toBeNull();
      expect(r.headers.get('payment-response')).toBeNull();
      model -= charge;
      served++;
    }
    expect(world.calls).toMatchObject({ verify: 1, settle: 1 });
    expect((await operator.getBalance({ owner: a.owner })).available).toBe(model);

    // Low: a fresh 402; the x402 fetch pays again on its own.
    expect((await a.signed(`${world.api}/v1/infer`)).status).toBe(402);
    const again = await a.paying(`${world.api}/v1/infer`);
    expect(again.status).toBe(200);
    const secondTopUp = ((await again.json()) as { topUp: string | null }).topUp;
    expect(secondTopUp).toMatch(/^\w{80,90}$/);
    expect(world.calls).toMatchObject({ verify: 2, settle: 2 });
    model += TOP_UP - charge;
    expect((await operator.getBalance({ owner: a.owner })).available).toBe(model);
    expect(await usdcOf(a.ata)).toBe(10_000_000n - 2n * TOP_UP * pricePerCredit);
    // Both top-ups are held as credited: the store refuses them again.
    for (const t of [body.topUp!, secondTopUp!]) expect(await world.replayStore.claim(replayKey.settlement(t), Date.now() + 60_000)).toBe(false);

    // On-chain cost per served request: every transaction that touched the vault, with its fee.
    const signatures = await v.connection.getSignaturesForAddress(vault, {}, 'confirmed');
    const txs = await Promise.all(signatures.map((s) => v.connection.getTransaction(s.signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 })));
    const fees = txs.reduce((n, t) => n + (t?.meta?.fee ?? 0), 0);
    const requests = served + 2;
    const topUpFees = txs.filter((t) => t && body.topUp && t.transaction.signatures.includes(body.topUp)).map((t) => t!.meta!.fee);
    console.log(
      `x402 flow: ${requests} requests served on 2 top-ups; ${signatures.length} transactions touched the vault (${(signatures.length / requests).toFixed(2)} per request; 2 x402 transfers, the rest lock and settle), ${fees} lamports of fees (${Math.round(fees / requests)} per request); one x402 top-up transfer costs ${topUpFees[0]} lamports, which per-request exact payments would pay on every request`,
    );
  }, 180_000);

  it('refuses a payment to another address, of another asset, of too little, or replayed, with x402’s reasons, crediting nothing', async () => {
    const a = await agent();
    const other = await agent();
    await operator.openCreditAccount({ owner: other.owner }); // a real credit account, not the payer's
    // Another mint the agent holds, for the wrong-asset case.
    const fake = await createMint(v.connection, v.admin, v.mintAuthority.publicKey, null, 6);
    const fakeAta = await createAssociatedTokenAccount(v.connection, v.admin, fake, a.owner);
    await mintTo(v.connection, v.admin, fake, fakeAta, v.mintAuthority, 10_000_000n);
    await createAssociatedTokenAccount(v.connection, v.admin, fake, (await operator.addresses({ owner: a.owner })).creditAccount, undefined, undefined, undefined, true).catch(() => undefined);

    const required = decodePaymentRequiredHeader((await a.signed(`${world.api}/v1/infer`)).headers.get('payment-required')!);
    const good = required.accepts[0];
    const { creditAccount: otherCredit } = await operator.addresses({ owner: other.owner });
    /** Sends a payment the agent signed for `requirements`, with a fresh request signature. */
    const send = async (payment: string) => {
      const res = await fetch(`${world.api}/v1/infer`, { headers: { ...(await signAgentRequest(a.signer, 'GET', '/v1/infer')), 'payment-signature': payment } });
      return { status: res.status, reason: res.status === 402 ? decodePaymentRequiredHeader(res.headers.get('payment-required')!).error : undefined };
    };
    /** A transaction paying `changes` instead, presented as a payment of the requirements asked (what a tampering client sends). */
    const payFor = async (changes: Partial<typeof good>) => {
      const payload = await new x402Client().register(NETWORK, new ExactSvmClientScheme(a.signer, { rpcUrl: v.url })).setSpendControls(false).createPaymentPayload({ ...required, accepts: [{ ...good, ...changes }] });
      return encodePaymentSignatureHeader({ ...payload, accepted: good });
    };
    const before = { vault: await vaultOf(a.owner), usdc: await usdcOf(a.ata), settle: world.calls.settle };

    expect(await send(await payFor({ payTo: otherCredit.toBase58() }))).toEqual({ status: 402, reason: 'invalid_exact_svm_payload_recipient_mismatch' });
    expect(await send(await payFor({ asset: fake.toBase58() }))).toEqual({ status: 402, reason: 'invalid_exact_svm_payload_mint_mismatch' });
    expect(await send(await payFor({ amount: String(BigInt(good.amount) - 1n) }))).toEqual({ status: 402, reason: 'invalid_exact_svm_payload_amount_mismatch' });
    // Requirements other than those asked (an honest client paying something else) do not even reach the facilitator.
    const other402 = encodePaymentSignatureHeader(await new x402Client().register(NETWORK, new ExactSvmClientScheme(a.signer, { rpcUrl: v.url })).setSpendControls(false).createPaymentPayload({ ...required, accepts: [{ ...good, amount: '1' }] }));
    expect(await send(other402)).toEqual({ status: 402, reason: 'No matching payment requirements' });
    expect({ vault: await vaultOf(a.owner), usdc: await usdcOf(a.ata), settle: world.calls.settle }).toEqual(before);

    // A good payment once: credited; the same payment again: refused, nothing moves twice.
    const payment = await payFor({});
    expect((await send(payment)).status).toBe(200);
    const after = { vault: await vaultOf(a.owner), usdc: await usdcOf(a.ata) };
    expect(after.usdc).toBe(before.usdc - BigInt(good.amount));
    const replay = await send(payment);
    expect(replay.status).toBe(402);
    expect(replay.reason).toMatch(/^invalid_exact_svm_|^duplicate_settlement$/);
    expect({ vault: await vaultOf(a.owner), usdc: await usdcOf(a.ata) }).toEqual(after);
    console.log(`x402 refusals: recipient_mismatch, mint_mismatch, amount_mismatch; replay refused as ${replay.reason}`);

    // An agent whose own spending limit is below the job's price: paid, not served (403 with the program's code), the credits kept.
    const capped = await agent();
    expect((await capped.signed(`${world.api}/v1/infer`)).status).toBe(402);
    await provider(operatorKey).sendAndConfirm(new Transaction().add(getSetSpendingLimitInstruction({ owner: capped.owner }, { maxCreditsPerJob: 5n })), [capped.keypair]);
    const refused = await capped.paying(`${world.api}/v1/infer`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'lock_refused', code: JobEscrowErrorCode.SpendingLimitExceeded });
    expect((await operator.getBalance({ owner: capped.owner })).available).toBe(TOP_UP);

    // A replayed request signature is refused before anything else.
    const headers = await signAgentRequest(a.signer, 'GET', '/v1/infer');
    expect((await fetch(`${world.api}/v1/infer`, { headers })).status).toBe(200); // served from the credits the good payment bought
    expect((await fetch(`${world.api}/v1/infer`, { headers })).status).toBe(401);
  }, 180_000);
});
