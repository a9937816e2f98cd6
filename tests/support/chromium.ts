// Debian's Chromium, headless, installed on first use (scripts/setup-chromium.sh).
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../setup.js';

export async function launchChromium(): Promise<Browser> {
  const executablePath = execFileSync('bash', ['scripts/setup-chromium.sh'], { cwd: ROOT, encoding: 'utf8' }).trim();
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
