// Debian's Chromium, headless, installed on first use (scripts/setup-chromium.sh).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../../shared/index.js';

export async function launchChromium(): Promise<Browser> {
  // Not execFileSync: the first install (apt) can block a test worker past vitest's worker RPC deadline (60 s).
  const executablePath = (await promisify(execFile)('bash', ['scripts/setup-chromium.sh'], { cwd: ROOT, encoding: 'utf8' })).stdout.trim();
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
