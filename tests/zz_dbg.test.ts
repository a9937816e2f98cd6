import { it } from 'vitest';
import { EventParser } from '@coral-xyz/anchor';
import { Escrow } from './setup.js';
import { DEFAULTS, getUpdateConfigInstruction, coder, JOB_ESCROW_PROGRAM_ID } from '../sdk/src/index.js';
it('dbg', () => {
  const env = new Escrow();
  const tiers = DEFAULTS.tiers.map((t, i) => (i === 3 ? { ...t, per1kCredits: 1n << 62n } : t));
  const ix = getUpdateConfigInstruction({ admin: env.admin.publicKey }, { tiers });
  const s = env.send(ix, [env.admin]); console.log("SENT", JSON.stringify(s.events, (k, v) => typeof v === "bigint" ? v.toString() : v).slice(0, 600));
  const tx = new (require('@solana/web3.js').Transaction)().add(ix);
  tx.recentBlockhash = env.svm.latestBlockhash(); tx.feePayer = env.admin.publicKey; tx.sign(env.admin);
  const r: any = env.svm.sendTransaction(tx);
  const logs = r.logs();
  const line = logs.find((l: string) => l.startsWith('Program data:'));
  console.log(line);
  const ev = [...new EventParser(JOB_ESCROW_PROGRAM_ID, coder).parseLogs(logs)][0];
  console.log(ev.data.tiers[3].per_1k_credits.toString(), ev.data.tiers[3].per_1k_credits.words, ev.data.tiers[3].per_1k_credits.length);
});
