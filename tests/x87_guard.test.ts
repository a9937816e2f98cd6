// Regression test for the LiteSVM 0.8 x87 leak: after transactions that run
// the ATA program (an indirect call in the JIT), the FPU must be clean and
// double arithmetic right.
import BN from 'bn.js';
import { describe, expect, it } from 'vitest';
import { Escrow } from './setup.js';
import { x87 } from './support/x87-guard.js';

const mod = (a: number, b: number) => a % b;

describe('x87 guard around LiteSVM', () => {
  it('leaves the x87 stack empty and `%` correct after ATA-creating transactions', () => {
    const env = new Escrow();
    for (let i = 0; i < 5; i++) {
      env.user(); // open_credit_account: CPI into the ATA program
      expect(x87.tagWord()).toBe(0);
      expect(mod(7.5, 2)).toBe(1.5);
      expect(new BN('4611686018427387904').toString()).toBe('4611686018427387904');
    }
  });
});
