// No import circle in the SDK's hand-written code (scripts/import-cycles.mjs,
// which anyone can run: `node scripts/import-cycles.mjs`).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../shared/index.js';

describe('sdk/src imports', () => {
  it('form no circle outside the generated Codama client', () => {
    const report = JSON.parse(execFileSync('node', ['scripts/import-cycles.mjs', 'sdk/src', '--json', '--allow'], { cwd: ROOT, encoding: 'utf8' })) as { modules: number; circles: string[][]; generated: string[][] };
    expect(report.modules).toBeGreaterThan(100);
    expect(report.circles).toEqual([]);
  });

  it('the script finds a circle when there is one', () => {
    const report = JSON.parse(execFileSync('node', ['scripts/import-cycles.mjs', 'tests/sdk/import-circle-fixture', '--json', '--allow'], { cwd: ROOT, encoding: 'utf8' })) as { circles: string[][] };
    expect(report.circles).toEqual([['tests/sdk/import-circle-fixture/a.ts', 'tests/sdk/import-circle-fixture/b.ts']]);
  });
});
