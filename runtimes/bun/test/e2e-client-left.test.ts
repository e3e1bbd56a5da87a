// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
// A client that leaves before any response was sent (curl --max-time on a slow route). README
// ("Deno, Bun, Node", stated beside Node's adapter): such a request "ends its span without
// `http.response.status_code`, with `error.type` `connection_closed` and an ERROR status, on the
// span as on `http.server.request.duration`". Node's serve() does so. Bun's serve() records the
// 200 that was never sent: as a success without waitForBody, and with waitForBody as a 200 whose
// body was cut. Both `test.failing` (the fix belongs in runtimes/bun/src: read `request.signal.aborted`,
// which Bun sets without a warning, when the handler settles, and record no status then).
import { afterAll, expect, test } from 'bun:test';
import { get } from 'node:http';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { MemoryBackend } from '../../../src/index.js';
import { serve } from '../index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
afterAll(() => untraceGlobalFetch());

async function clientLeavesSlowRoute(waitForBody: boolean): Promise<Record<string, unknown>> {
  const memory = new MemoryBackend();
  let answered!: () => void;
  const done = new Promise<void>((r) => (answered = r));
  const server = serve(
    async () => {
      await sleep(300);
      answered();
      return new Response('too late');
    },
    { serviceName: 'slow', backends: [memory] },
    { port: 0, hostname: '127.0.0.1', instrumentation: { waitForBody, traceFetch: false, flushOnExit: false } },
  ) as any;
  try {
    const req = get(`http://127.0.0.1:${server.port}/slow`, () => undefined);
    req.on('error', () => undefined);
    await sleep(50);
    req.destroy(); // the client leaves while the handler still works
    await done;
    let span;
    for (let i = 0; i < 100 && !span; i++) {
      await sleep(20);
      span = memory.spans.find((s) => s.attributes['url.path'] === '/slow');
    }
    expect(span).toBeDefined();
    return { ...span!.attributes, status: span!.status.code };
  } finally {
    server.stop(true);
  }
}

for (const waitForBody of [false, true]) {
  test.failing(`bun: serve(${waitForBody ? '{ waitForBody: true }' : ''}): a client that left before any response was sent is connection_closed without a status code`, async () => {
    const a = await clientLeavesSlowRoute(waitForBody);
    expect([a['http.response.status_code'], a['error.type'], a.status]).toEqual([undefined, 'connection_closed', 2]);
  });
}
