#!/usr/bin/env node
// Counts the import circles among a folder's TypeScript modules (default
// sdk/src): every relative import, `import type` included (a type-only
// circle still ties two modules' designs together), as a directed graph;
// each strongly connected component of two or more modules (or a module
// importing itself) is one circle. Circles wholly inside a `generated/`
// folder (Codama's client: its barrels import the files that import them)
// are counted apart. Prints each circle's modules and the totals; exits 1
// when there is a circle in hand-written code (`--allow` to only report).
//   node scripts/import-cycles.mjs [dir] [--allow] [--json]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const args = process.argv.slice(2);
const root = resolve(args.find((a) => !a.startsWith('--')) ?? 'sdk/src');
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
})(root);

const known = new Set(files);
const target = (from, spec) => {
  const base = resolve(dirname(from), spec).replace(/\.(m?js)$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (known.has(candidate)) return candidate;
  return null;
};
const edges = new Map(files.map((f) => [f, new Set()]));
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
for (const f of files) {
  for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
    const t = target(f, m[1] ?? m[2]);
    if (t) edges.get(f).add(t);
  }
}

// Tarjan's strongly connected components.
let index = 0;
const stack = [];
const state = new Map();
const circles = [];
function connect(v) {
  const s = { index, low: index, onStack: true };
  state.set(v, s);
  index++;
  stack.push(v);
  for (const w of edges.get(v)) {
    if (!state.has(w)) {
      connect(w);
      s.low = Math.min(s.low, state.get(w).low);
    } else if (state.get(w).onStack) s.low = Math.min(s.low, state.get(w).index);
  }
  if (s.low === s.index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v).has(v)) circles.push(component.map((c) => relative(process.cwd(), c)).sort());
  }
}
for (const f of files) if (!state.has(f)) connect(f);

const generated = circles.filter((c) => c.every((f) => f.split(/[\\/]/).includes('generated')));
const ours = circles.filter((c) => !generated.includes(c));
if (args.includes('--json')) console.log(JSON.stringify({ modules: files.length, circles: ours, generated }));
else {
  for (const c of ours) console.log(`circle of ${c.length}: ${c.join(' ↔ ')}`);
  for (const c of generated) console.log(`generated, circle of ${c.length}: ${c[0]} …`);
  console.log(`${ours.length} import circle(s) in hand-written code, ${generated.length} in generated code, among ${files.length} modules of ${relative(process.cwd(), root) || '.'}`);
}
process.exit(ours.length && !args.includes('--allow') ? 1 : 0);
