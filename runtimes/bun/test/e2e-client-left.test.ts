// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
// A client that leaves before any response was sent (curl --max-time on a slow route). README
// ("Deno, Bun, Node", stated beside Node's adapter): such a request "ends its span without
// `http.response.status_code`, with `error.type` `connection_closed` and an ERROR status, on the
// span as on `http.server.request.duration`". Node's serve() does so; Bun's serve() recorded the
// 200 that was never sent (as a success, and under waitForBody as a 200 whose body was cut).
import { afterAll, expect, test } from 'bun:test';
import { get } from 'node:http';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { MemoryBackend } from '../../../src/index.js';
import { instrument, serve } from '../index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
afterAll(() => untraceGlobalFetch());

/** The span of `path` and its duration point, as [status code, error.type, span status, exception messages]. */
async function recorded(memory: MemoryBackend, path: string, route?: string): Promise<{ span: unknown[]; point: unknown[] }> {
  let span;
  for (let i = 0; i < 100 && !span; i++) {
    await sleep(20);
    span = memory.spans.find((s) => s.attributes['url.path'] === path);
  }
  expect(span).toBeDefined();
  const a = span!.attributes;
  const points = memory.getMetric('http.server.request.duration')?.points.filter((p) => p.attributes['http.route'] === route) ?? [];
  expect(points).toHaveLength(1);
  const p = points[0]!.attributes;
  return {
    span: [a['http.response.status_code'], a['error.type'], span!.status.code, span!.events.map((e) => e.attributes['exception.message'])],
    point: [p['http.response.status_code'], p['error.type']],
  };
}

/** GETs `path` and leaves after 50 ms, while the handler still works. */
function leave(port: number, path: string): void {
  const req = get(`http://127.0.0.1:${port}${path}`, () => undefined);
  req.on('error', () => undefined);
  setTimeout(() => req.destroy(), 50);
}

async function clientLeavesSlowRoute(waitForBody: boolean): Promise<{ span: unknown[]; point: unknown[] }> {
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
    leave(server.port, '/slow');
    await done;
    return await recorded(memory, '/slow');
  } finally {
    server.stop(true);
  }
}

for (const waitForBody of [false, true]) {
  test(`bun: serve(${waitForBody ? '{ waitForBody: true }' : ''}): a client that left before any response was sent is connection_closed without a status code, on the span as on the duration`, async () => {
    const r = await clientLeavesSlowRoute(waitForBody);
    expect(r.span).toEqual([undefined, 'connection_closed', 2, []]);
    expect(r.point).toEqual([undefined, 'connection_closed']);
  });
}

test('bun: a routes handler whose client left, and one whose client stayed: only the first is connection_closed', async () => {
  const memory = new MemoryBackend();
  const server = serve(() => new Response('fallback'), { serviceName: 'slow-routes', backends: [memory] }, {
    port: 0,
    hostname: '127.0.0.1',
    instrumentation: { traceFetch: false, flushOnExit: false },
    routes: {
      '/left/:id': async () => {
        await sleep(300);
        return new Response('too late');
      },
      '/stayed/:id': async () => {
        await sleep(100);
        return new Response('in time');
      },
    },
  }) as any;
  try {
    leave(server.port, '/left/1');
    expect(await (await fetch(`http://127.0.0.1:${server.port}/stayed/1`)).text()).toBe('in time');
    await sleep(400);
    expect(await recorded(memory, '/left/1', '/left/:id')).toEqual({ span: [undefined, 'connection_closed', 2, []], point: [undefined, 'connection_closed'] });
    expect(await recorded(memory, '/stayed/1', '/stayed/:id')).toEqual({ span: [200, undefined, 0, []], point: [200, undefined] });
  } finally {
    server.stop(true);
  }
});

test("bun: a handler that fails after its client left is recorded with its exception and error.type, without the 500 it never sent (Bun.serve's own error option, and serve()'s, sync and async)", async () => {
  const failing = async (): Promise<Response> => {
    await sleep(300);
    throw new TypeError('failed late');
  };
  // Bun's own `error` answers after the span ended; serve()'s answers inside it.
  const memory = new MemoryBackend();
  const plain = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: instrument(failing, { serviceName: 'late', backends: [memory] }, { traceFetch: false }), error: () => new Response('sorry', { status: 500 }) });
  const served = [false, true].map((async) => {
    const backend = new MemoryBackend();
    const maintenance = (): Response => new Response('maintenance', { status: 503 });
    const server = serve(failing, { serviceName: 'late-served', backends: [backend] }, {
      port: 0,
      hostname: '127.0.0.1',
      instrumentation: { traceFetch: false, flushOnExit: false },
      error: async ? async () => maintenance() : maintenance,
    }) as any;
    return { backend, server };
  });
  try {
    leave(plain.port, '/plain');
    for (const { server } of served) leave(server.port, '/served');
    await sleep(400);
    expect((await recorded(memory, '/plain')).span).toEqual([undefined, 'TypeError', 2, ['failed late']]);
    // The error option's 503 never reached the client either.
    for (const { backend } of served) expect(await recorded(backend, '/served')).toEqual({ span: [undefined, 'connection_closed', 2, ['failed late']], point: [undefined, 'connection_closed'] });
  } finally {
    plain.stop(true);
    for (const { server } of served) server.stop(true);
  }
});
