import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../index.js';
import { instrumentFetch } from './instrument-fetch.js';
import { gcFn } from '../../test/reliability/helpers/scale.js';

// A server that never answers: only the caller's signal can end the fetch.
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer(() => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hang`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

it("a traced fetch stops when the caller's signal aborts, even after a garbage collection (Node's Request copy follows its source's signal only while the source lives)", async () => {
  const monitor = createMonitor({ serviceName: 'svc', backends: [new MemoryBackend()], onDiagnostic: () => {} });
  const tracedFetch = instrumentFetch(monitor, fetch, { requireParent: false });
  const gc = await gcFn();
  const controller = new AbortController();
  // The trace headers make a second Request from the first; the first was then dropped.
  const pending = tracedFetch(url, { signal: controller.signal }).then(
    () => 'answered',
    (err: unknown) => (err as Error).name,
  );
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  controller.abort(new DOMException('gave up', 'TimeoutError'));
  // Not a timing assertion: a fetch that ignores its signal never settles here, and the guard says so.
  const guard = new Promise((r) => setTimeout(() => r('still running after the abort'), 5000));
  expect(await Promise.race([pending, guard])).toBe('TimeoutError');
  await monitor.shutdown();
});
