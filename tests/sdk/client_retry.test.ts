// The client's send path when a blockhash expires before confirmation: it asks
// for the signature's status before signing again.
import type { Provider } from '@coral-xyz/anchor';
import { Keypair, TransactionExpiredBlockheightExceededError, type Connection, type Transaction } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { JobEscrowClient } from '../../sdk/src/index.js';

function provider(outcomes: ('expired' | 'ok')[], status: 'confirmed' | null) {
  const sent: Transaction[] = [];
  const statusCalls: string[] = [];
  const p = {
    publicKey: Keypair.generate().publicKey,
    connection: {
      async getSignatureStatus(signature: string) {
        statusCalls.push(signature);
        return { context: { slot: 1 }, value: status ? { confirmationStatus: status, err: null, slot: 1, confirmations: 1 } : null };
      },
    } as unknown as Connection,
    async sendAndConfirm(tx: Transaction) {
      sent.push(tx);
      if (outcomes.shift() === 'expired') throw new TransactionExpiredBlockheightExceededError(`sig-${sent.length}`);
      return `sig-${sent.length}`;
    },
  };
  return { p: p as unknown as Provider, sent, statusCalls };
}

describe('JobEscrowClient.send after a blockhash expiry', () => {
  it('returns the signature without re-sending when the transaction had landed', async () => {
    const { p, sent, statusCalls } = provider(['expired'], 'confirmed');
    expect(await new JobEscrowClient(p).send([], 1_000)).toBe('sig-1');
    expect(sent).toHaveLength(1);
    expect(statusCalls).toEqual(['sig-1']);
  });

  it('signs again with a fresh blockhash when it had not landed, up to three attempts', async () => {
    const { p, sent } = provider(['expired', 'ok'], null);
    expect(await new JobEscrowClient(p).send([], 1_000)).toBe('sig-2');
    expect(sent).toHaveLength(2);
    const { p: p3, sent: sent3 } = provider(['expired', 'expired', 'expired'], null);
    await expect(new JobEscrowClient(p3).send([], 1_000)).rejects.toBeInstanceOf(TransactionExpiredBlockheightExceededError);
    expect(sent3).toHaveLength(3);
  });
});
