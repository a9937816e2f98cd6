#!/usr/bin/env node
// `job-escrow-serve-pay [options]` is `job-escrow serve-pay [options]`: one home for its options.
import { runCli } from '../cli/index.js';

runCli(['serve-pay', ...process.argv.slice(2)]).then((code) => process.exit(code));
