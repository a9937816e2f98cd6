// The build writes two files from the same sources (scripts/build-program.sh):
// SBPF v3 to deploy, which the LiteSVM suites run, and SBPF v0 for the
// runtimes that refuse v3, which the bankrun suite and the validator run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROGRAM_PATH, PROGRAM_V0_PATH } from '../shared/index.js';

/** ELF64 header facts: type (16), machine (18), flags (48). */
function elf(path: string) {
  const b = readFileSync(path);
  expect(b.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return { type: b.readUInt16LE(16), machine: b.readUInt16LE(18), flags: b.readUInt32LE(48), bytes: b.length };
}

describe('program build', () => {
  it('target/deploy/job_escrow.so is SBPF v3 (e_flags 3) and target/sbpf-v0/job_escrow.so is SBPF v0', () => {
    const v3 = elf(PROGRAM_PATH);
    const v0 = elf(PROGRAM_V0_PATH);
    console.log(`v3 ${v3.bytes} bytes, v0 ${v0.bytes} bytes`);
    expect(v3).toMatchObject({ type: 3, machine: 247, flags: 3 }); // ET_DYN, EM_BPF
    expect(v0).toMatchObject({ type: 3, machine: 247, flags: 0 });
  });
});
