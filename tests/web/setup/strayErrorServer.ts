// A top-up server process with the serving commands' guard
// (keepServingOnStrayErrors, as `job-escrow serve-pay` installs it), which
// then throws and rejects outside any request. Bundled and run by
// tests/web/http.test.ts; prints "listening <port>".
import type { AddressInfo } from 'node:net';
import { keepServingOnStrayErrors } from '../../../sdk/src/http/index.js';
import { createTopUpServer } from '../../../sdk/src/server/index.js';
import { createTestWorld } from '../../../sdk/src/testing/index.js';
import { PROGRAM_PATH } from '../../shared/program.js';

const world = createTestWorld({ programPath: PROGRAM_PATH });
keepServingOnStrayErrors((line) => console.error(line));
const server = createTopUpServer({ client: world.client(world.operator), log: (line) => console.error(line) });
server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
  setTimeout(() => {
    throw new Error('stray throw');
  }, 20);
  void Promise.reject(new Error('stray rejection'));
});
