#!/usr/bin/env node
import { main } from '../server/serve.js';

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
