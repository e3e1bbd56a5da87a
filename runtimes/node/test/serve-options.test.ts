import { createServer } from 'node:net';
import { expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, instrumentListener, serve } from '../index.js';

const ours = (): number => process.listeners('SIGTERM').length + process.listeners('SIGINT').length;

test("node: serve()'s misspelled option (the runtime's or the library's) throws, listing the known ones; nothing is started", async () => {
  const { monitor } = createTestMonitor();
  const before = ours();
  await expect(serve(() => new Response('x'), monitor, { port: 0, wairForBody: true } as never)).rejects.toThrow(
    /^serve: unknown option `wairForBody`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest, port, hostname, server, flushOnExit, traceFetch, trustProxy\.$/,
  );
  await expect(serve(() => new Response('x'), monitor, { port: 0, flushOnExit: { timeoutMS: 5 } } as never)).rejects.toThrow(/^flushOnExit: unknown option `timeoutMS`/);
  expect(ours()).toBe(before);
  const ok = await serve(() => new Response('x'), monitor, { port: 0, hostname: '127.0.0.1', server: {}, flushOnExit: { timeoutMs: 1000 }, traceFetch: false, waitForBody: true });
  expect(await (await fetch(ok.url)).text()).toBe('x');
  await ok.close();
});

test("node: serve()'s port that is no port number throws, nothing started ('3000x' listened on a Unix socket file named 3000x); PORT's digits are read as the number", async () => {
  const { monitor } = createTestMonitor();
  const before = ours();
  for (const bad of ['3000x', -1, 65536, 1.5, Number.NaN, null]) {
    await expect(serve(() => new Response('x'), monitor, { port: bad as never })).rejects.toThrow(/^serve: `port` must be a port number, 0 to 65535 \(0 picks a free one\), got /);
  }
  await expect(serve(() => new Response('x'), monitor, { port: '3000x' })).rejects.toThrow(/, got "3000x"\.$/);
  expect(ours()).toBe(before);
  const ok = await serve(() => new Response('y'), monitor, { port: '0', hostname: '127.0.0.1' });
  expect(await (await fetch(ok.url)).text()).toBe('y');
  await ok.close();
});

test("node: instrument()'s and instrumentListener()'s misspelled option throws, listing the known ones", () => {
  const { monitor } = createTestMonitor();
  expect(() => instrument(() => new Response('x'), monitor, { traceFech: false } as never)).toThrow(
    /^instrument: unknown option `traceFech`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest, traceFetch\.$/,
  );
  expect(() => instrumentListener((_req, res) => res.end(), monitor, { wairForBody: true } as never)).toThrow(
    /^instrumentListener: unknown option `wairForBody`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest, traceFetch, trustProxy\.$/,
  );
});

test("node: serve() without a hostname gives a URL on localhost (it was http://[::]:port), one with a hostname that address", async () => {
  const { monitor } = createTestMonitor();
  // A machine without IPv6 (a Docker container's default) has no ::1 to listen on: that case is left out there.
  const v6 = await new Promise<boolean>((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
  const cases = [[undefined, 'localhost'], ['0.0.0.0', 'localhost'], ['127.0.0.1', '127.0.0.1'], ['::1', '[::1]']] as const;
  for (const [hostname, host] of cases.filter(([h]) => v6 || h !== '::1')) {
    const s = await serve(() => new Response('here'), monitor, { port: 0, flushOnExit: false, traceFetch: false, ...(hostname ? { hostname } : {}) });
    try {
      expect(s.url).toBe(`http://${host}:${s.port}`);
      expect(await (await fetch(s.url)).text()).toBe('here');
    } finally {
      // Not s.close(): it would shut the shared monitor down.
      s.server.closeAllConnections();
      await new Promise((r) => s.server.close(r));
    }
  }
});
