// The agent's request signature (sdk/src/x402/agentAuth.ts): what the
// credit paywall accepts as "this wallet is asking", and every way it is
// refused. Signed with a Kit signer, checked with node:crypto; each signed
// request is claimed once in a replay store (tests/operator/x402_replay.test.ts: on
// the operator's SQLite file, across a restart and a second process).
import { generateKeyPairSigner } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import {
  AGENT_NONCE_HEADER,
  AGENT_SIGNATURE_HEADER,
  AGENT_TIMESTAMP_HEADER,
  AGENT_WALLET_HEADER,
  AgentAuthError,
  signAgentRequest,
  verifyAgentRequest,
  verifyAgentSignature,
  withAgentAuth,
} from '../../sdk/src/x402/agentAuth.js';
import { createMemoryReplayStore } from '../../sdk/src/x402/replayStore.js';

describe('agent request signatures', () => {
  it('accepts a fresh signature of this method and path, once', async () => {
    const signer = await generateKeyPairSigner();
    const headers = await signAgentRequest(signer, 'POST', '/v1/infer?model=a');
    const replayStore = createMemoryReplayStore();
    await expect(verifyAgentRequest(headers, 'POST', '/v1/infer?model=a', { replayStore })).resolves.toBe(signer.address);
    await expect(verifyAgentRequest(headers, 'POST', '/v1/infer?model=a', { replayStore })).rejects.toThrow(/already used/);
    await expect(verifyAgentRequest(headers, 'POST', '/v1/infer?model=a', { replayStore })).rejects.toThrow(AgentAuthError);
    // The signature check alone records nothing: it passes again.
    expect(verifyAgentSignature(headers, 'POST', '/v1/infer?model=a')).toMatchObject({ wallet: signer.address, signature: headers[AGENT_SIGNATURE_HEADER] });
    // Another store (another process with its own memory) accepts the replay: what the SQLite store is for.
    await expect(verifyAgentRequest(headers, 'POST', '/v1/infer?model=a', { replayStore: createMemoryReplayStore() })).resolves.toBe(signer.address);
    // Two requests in the same second differ (the nonce)
    expect((await signAgentRequest(signer, 'POST', '/v1/infer?model=a'))[AGENT_SIGNATURE_HEADER]).not.toBe(headers[AGENT_SIGNATURE_HEADER]);
  });

  it('refuses another path, method, wallet, a tampered nonce, a stale or future time, and missing headers', async () => {
    const signer = await generateKeyPairSigner();
    const other = await generateKeyPairSigner();
    const headers = await signAgentRequest(signer, 'GET', '/v1/infer');
    const refuses = (h: Record<string, string | undefined>, method = 'GET', path = '/v1/infer', now?: number) => () => verifyAgentSignature(h, method, path, { now });
    expect(refuses(headers, 'GET', '/v1/other')).toThrow(/does not match/);
    expect(refuses(headers, 'POST')).toThrow(/does not match/);
    expect(refuses({ ...headers, [AGENT_WALLET_HEADER]: other.address })).toThrow(/does not match/);
    expect(refuses({ ...headers, [AGENT_NONCE_HEADER]: '11111111111111111111' })).toThrow(/does not match/);
    expect(refuses(headers, 'GET', '/v1/infer', Date.now() + 61_000)).toThrow(/more than 60 s/);
    expect(refuses(headers, 'GET', '/v1/infer', Date.now() - 61_000)).toThrow(/more than 60 s/);
    for (const name of [AGENT_WALLET_HEADER, AGENT_TIMESTAMP_HEADER, AGENT_NONCE_HEADER, AGENT_SIGNATURE_HEADER]) {
      expect(refuses({ ...headers, [name]: undefined })).toThrow(AgentAuthError);
    }
    expect(refuses({ ...headers, [AGENT_SIGNATURE_HEADER]: '0OIl' })).toThrow(/base58/);
    expect(refuses({ ...headers, [AGENT_SIGNATURE_HEADER]: '1111' })).toThrow(/wrong length/);
    // verifyAgentRequest refuses the same way, before claiming anything.
    const replayStore = createMemoryReplayStore();
    await expect(verifyAgentRequest(headers, 'GET', '/v1/other', { replayStore })).rejects.toThrow(/does not match/);
    expect(replayStore.size).toBe(0);
  });

  it('withAgentAuth signs each request the fetch sends', async () => {
    const signer = await generateKeyPairSigner();
    const sent: Request[] = [];
    const signed = withAgentAuth(signer, async (input) => {
      sent.push(input as Request);
      return new Response('ok');
    });
    await signed('http://api.test/v1/infer?x=1', { method: 'POST', body: '{}' });
    const h = Object.fromEntries(sent[0].headers);
    await expect(verifyAgentRequest(h, 'POST', '/v1/infer?x=1', { replayStore: createMemoryReplayStore() })).resolves.toBe(signer.address);
    expect(await sent[0].text()).toBe('{}');
  });
});
