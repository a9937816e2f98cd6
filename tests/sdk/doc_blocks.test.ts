// Every shell and TypeScript block of README.md, docs/*.md and the packages'
// READMEs (sdk/README.md, sdk/kit/README.md) runs as a newcomer would paste
// it, or carries a skip marker with its reason (scripts/run-doc-blocks.mjs
// says how each kind runs and how to mark one).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Summary {
  files: Record<string, { run: number; skipped: { where: string; reason: string }[]; unmarked: string[]; commandsRun: number; commandsSkipped: { where: string; reason: string }[] }>;
  blocks: number;
  run: number;
  skipped: number;
  commandsRun: number;
  problems: { where: string; problem: string }[];
}

async function runner(...args: string[]): Promise<{ code: number; stdout: string; summary: Summary }> {
  const { code, stdout } = await promisify(execFile)('node', ['scripts/run-doc-blocks.mjs', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 })
    .then(({ stdout }) => ({ code: 0, stdout }))
    .catch((err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }));
  return { code, stdout, summary: JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary };
}

describe('documentation code blocks', () => {
  it('every block runs, or is marked with its reason', async () => {
    const { code, stdout, summary } = await runner();
    if (summary.problems.length) console.log(stdout);
    expect(summary.problems).toEqual([]);
    expect(code).toBe(0);
    // At least what runs today: a block newly marked instead of run shows up here.
    expect(summary.files['README.md'].commandsRun).toBeGreaterThanOrEqual(11);
    expect(summary.files['docs/sdk.md']).toMatchObject({ run: 5, skipped: [] });
    expect(summary.run).toBeGreaterThanOrEqual(14);
    expect(summary.commandsRun).toBeGreaterThanOrEqual(13);
    for (const s of Object.values(summary.files).flatMap((f) => [...f.skipped, ...f.commandsSkipped])) expect(s.reason.length).toBeGreaterThanOrEqual(15);
  }, 300_000);

  it('fails on a block that is neither run nor marked, and on a marker it does not know', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doc-blocks-'));
    const doc = join(dir, 'new.md');
    writeFileSync(
      doc,
      [
        '```sh',
        'npm run job-escrow -- --help',
        'cargo build-sbf',
        '```',
        '',
        '<!-- doc-test: skip `anchor deploy` — needs a cluster and the Anchor CLI -->',
        '```sh',
        'anchor deploy',
        '```',
        '',
        '<!-- doc-test -->',
        '```json',
        '{}',
        '```',
      ].join('\n'),
    );
    const { code, summary } = await runner('--check', doc);
    expect(code).toBe(1);
    expect(summary.problems.map((p) => p.where.replace(/.*new\.md/, 'new.md'))).toEqual(['new.md:11', 'new.md:3']);
    expect(summary.problems[1].problem).toMatch(/^neither run nor marked: `cargo build-sbf`/);
    expect(Object.values(summary.files)[0]).toMatchObject({ run: 1, skipped: [{ reason: 'needs a cluster and the Anchor CLI' }] });
  });

  it('runs CLI lines in document order against one world, with the exit code a comment promises, and fails a wrong one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doc-blocks-'));
    const doc = join(dir, 'cli.md');
    writeFileSync(
      doc,
      [
        '```console',
        '$ npx job-escrow lock --owner <wallet> --job-id 7 --tier lite --max-tokens 500 --url devnet --keypair operator.json',
        'locked job 7: …',
        '$ job-escrow refund --owner <wallet> --job-id 7',
        '$ job-escrow refund --owner <wallet> --job-id 7   # exits 1: it is no longer in flight',
        '$ npm run job-escrow -- lock --owner <wallet> --job-id 8 --tier gold --max-tokens 500',
        '```',
      ].join('\n'),
    );
    const { code, stdout, summary } = await runner(doc);
    expect(code).toBe(1);
    expect(stdout).toMatch(/ran +\S+cli\.md:4 `job-escrow refund --owner <wallet> --job-id 7` → refunded job 7/);
    expect(stdout).toMatch(/ran +\S+cli\.md:5 `job-escrow refund [^`]*` → error: no job with this id is in flight/);
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0]).toMatchObject({ where: expect.stringMatching(/cli\.md:6$/), problem: expect.stringMatching(/exit code 2, the doc expects 0: error: --tier must be lite, standard, pro or max, got gold/) });
  });
});
