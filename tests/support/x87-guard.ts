// Loaded by vitest before every test file (setupFiles). Every call into
// LiteSVM 0.8's native binding is followed by EMMS, and every V8 garbage
// collection starts with one, so the x87 state its JIT leaks never reaches
// JavaScript (tests/support/x87guard.cc explains the bug).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export interface X87Guard {
  emms(): void;
  /** The x87 abridged tag word: 0 when the register stack is empty (clean). */
  tagWord(): number;
  call<T>(fn: (...args: unknown[]) => T, self: unknown, args: unknown[]): T;
  installGcHook(): void;
}

/** target/x87guard/x87guard.node, found from this file upwards (it may run bundled from target/). */
function addonPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'target/x87guard/x87guard.node');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('target/x87guard/x87guard.node not found: run scripts/build-x87guard.sh');
}

export const x87 = require(addonPath()) as X87Guard;

const { LiteSvm } = require('litesvm/dist/internal') as { LiteSvm: { prototype: Record<string, unknown> } };
const proto = LiteSvm.prototype;
if (!(proto as { __x87Guarded?: boolean }).__x87Guarded) {
  x87.installGcHook();
  for (const name of Object.getOwnPropertyNames(proto)) {
    const original = proto[name];
    if (name === 'constructor' || typeof original !== 'function') continue;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      return x87.call(original as (...a: unknown[]) => unknown, this, args);
    };
  }
  Object.defineProperty(proto, '__x87Guarded', { value: true });
}
