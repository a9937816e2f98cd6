// npm run fuzz -- --steps N --seed S: the randomized sequence checker at any
// size (CI runs tests/program/fuzz/fuzz.test.ts with its bounded defaults).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '5000' }, seed: { type: 'string', default: String(Date.now() % 1e9) } } });
for (const [name, v] of Object.entries(values)) {
  if (!/^\d+$/.test(v)) {
    console.error(`--${name} must be a whole number, got ${v}`);
    process.exit(2);
  }
}
console.log(`fuzz: --steps ${values.steps} --seed ${values.seed}`);
const r = spawnSync('npx', ['vitest', 'run', 'tests/program/fuzz/fuzz.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_STEPS: values.steps, FUZZ_SEED: values.seed },
});
process.exit(r.status ?? 1);
