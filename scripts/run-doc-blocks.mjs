#!/usr/bin/env node
// Runs the TypeScript blocks of the README and docs/*.md that are marked to
// run: a ```ts block right after the line `<!-- doc-test -->`. Each block is
// bundled with esbuild, `@job-escrow/sdk[/entry]` resolved to this
// checkout's sources (what the packed SDK is built from), and run by node
// in the embedded LiteSVM world the block makes itself; it passes when it
// exits 0 within 2 minutes. Prints one line per block and a JSON summary.
//   node scripts/run-doc-blocks.mjs [file.md ...]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

// The package's entries (sdk/package.json exports) → their sources.
const ENTRIES = { '': 'index', pay: 'pay/index', server: 'server/index', litesvm: 'litesvm/index', testing: 'testing/index', kit: 'kit/index', 'kit/testing': 'kit/testing', operator: 'operator/index', x402: 'x402/index' };
const sdkPlugin = {
  name: 'job-escrow-sdk',
  setup(b) {
    b.onResolve({ filter: /^@job-escrow\/sdk(\/.*)?$/ }, (args) => {
      const entry = args.path.replace(/^@job-escrow\/sdk\/?/, '');
      if (!(entry in ENTRIES)) return { errors: [{ text: `@job-escrow/sdk has no entry ${entry}` }] };
      return { path: join(root, 'sdk/src', `${ENTRIES[entry]}.ts`) };
    });
  },
};

const blocks = [];
for (const file of files) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() !== '<!-- doc-test -->' || !/^```ts\b/.test(lines[i + 1] ?? '')) return;
    const end = lines.findIndex((l, j) => j > i + 1 && l.startsWith('```'));
    blocks.push({ file, line: i + 3, code: lines.slice(i + 2, end).join('\n') });
  });
}

const dir = join(root, 'target/doc-blocks');
mkdirSync(dir, { recursive: true });
// The test kit finds the program next to its module, as the packed SDK ships it.
copyFileSync(join(root, 'target/deploy/job_escrow.so'), join(dir, 'job_escrow.so'));
const results = [];
for (const [n, block] of blocks.entries()) {
  const where = `${block.file}:${block.line}`;
  const source = join(dir, `block-${n}.ts`);
  const out = join(dir, `block-${n}.mjs`);
  writeFileSync(source, block.code);
  let ok = true;
  let error = '';
  try {
    await build({
      entryPoints: [source],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      plugins: [sdkPlugin],
      packages: 'external',
      logLevel: 'silent',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    execFileSync('node', [out], { cwd: root, timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    ok = false;
    const text = String(err.stderr?.toString() || err.message || err).trim().split('\n');
    error = text.find((l) => /^\w*Error\b/.test(l)) ?? text.slice(-6).join('\n');
  }
  results.push({ where, ok, error });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${where}${ok ? '' : `\n${error}`}`);
}
console.log(JSON.stringify({ blocks: results.length, passed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).map((r) => r.where) }));
process.exit(results.every((r) => r.ok) ? 0 : 1);
