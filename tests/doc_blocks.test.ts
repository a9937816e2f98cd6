// The README's and docs' TypeScript blocks marked `<!-- doc-test -->` run as
// a newcomer would paste them (scripts/run-doc-blocks.mjs): each exits 0.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './setup.js';

describe('documentation code blocks', () => {
  it('every block marked to run runs', async () => {
    const { stdout } = await promisify(execFile)('node', ['scripts/run-doc-blocks.mjs'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 22 }).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { blocks: number; passed: number; failed: string[] };
    if (summary.failed.length) console.log(stdout);
    expect(summary.failed).toEqual([]);
    expect(summary.blocks).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
