// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
// Under waitForBody, a client that leaves a proxied stream (fetch with request.signal) mid-body is
// error.type connection_closed, its 200 kept, as any client that left mid-body; not the abort the
// upstream body failed with.
import { afterAll, expect, test } from 'bun:test';
import { get } from 'node:http';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { MemoryBackend } from '../../../src/index.js';
import { instrument } from '../index.js';

declare const Bun: any;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
afterAll(() => untraceGlobalFetch());

test('bun: waitForBody, a client that leaves a proxied stream mid-body is connection_closed, not the abort', async () => {
  const enc = new TextEncoder();
  const upstream = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: () =>
      new Response(
        new ReadableStream({
          start: (c) => c.enqueue(enc.encode('data: first\n\n')),
          pull: (c) => sleep(20).then(() => c.enqueue(enc.encode('data: more\n\n'))),
        }),
        { headers: { 'content-type': 'application/x-ndjson' } },
      ),
  });
  const memory = new MemoryBackend();
  const h = instrument((request: Request) => fetch(`http://127.0.0.1:${upstream.port}/`, { signal: request.signal }), { serviceName: 'proxy', backends: [memory] }, { waitForBody: true, traceFetch: false });
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h });
  try {
    await new Promise<void>((resolve, reject) => {
      const req = get(`http://127.0.0.1:${server.port}/feed`, (res) => res.once('data', () => (req.destroy(), resolve())));
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no first chunk')), 5000);
    });
    let span;
    for (let i = 0; i < 250 && !span; i++) {
      await h.flush();
      span = memory.spans.find((s) => s.attributes['url.path'] === '/feed');
      if (!span) await sleep(20);
    }
    expect(span).toBeDefined();
    expect([span!.attributes['http.response.status_code'], span!.attributes['http.response.body.incomplete'], span!.attributes['error.type'], span!.events.filter((e) => e.name === 'exception').length]).toEqual([200, true, 'connection_closed', 0]);
  } finally {
    server.stop(true);
    upstream.stop(true);
  }
});
