// Runs under `deno test` (npm run test:deno).
import assert from 'node:assert/strict';
import { createMonitor, MemoryBackend } from '../../../src/index.ts';
import { instrument } from '../index.ts';

declare const Deno: any;

/** A port on 127.0.0.1 that nothing listens on: a connection there is refused. */
function closedPort(): number {
  const l = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  const port = l.addr.port;
  l.close();
  return port;
}

/** The `error.type` of the CLIENT span and of `http.client.request.duration` for a traced fetch of `target` made in a request. */
async function clientErrorType(target: string): Promise<{ span: unknown; metric: unknown }> {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'fetch-error', backends: [memory] });
  const h = instrument(async () => {
    await fetch(target).catch(() => {});
    return new Response('ok');
  }, monitor);
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, h);
  try {
    await (await fetch(`http://127.0.0.1:${server.addr.port}/`)).text();
    await h.flush();
  } finally {
    await server.shutdown();
    await monitor.shutdown();
  }
  const client = memory.spans.find((s) => s.kind === 3);
  assert.ok(client, 'a CLIENT span');
  return { span: client.attributes['error.type'], metric: memory.getMetric('http.client.request.duration')?.points[0]?.attributes['error.type'] };
}

Deno.test({
  name: 'deno: a refused fetch is error.type ECONNREFUSED on the CLIENT span and http.client.request.duration, as on Node and Bun (it was TypeError)',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    assert.deepEqual(await clientErrorType(`http://127.0.0.1:${closedPort()}/closed`), { span: 'ECONNREFUSED', metric: 'ECONNREFUSED' });
  },
});

Deno.test({
  name: 'deno: a name that does not resolve is error.type ENOTFOUND (EAI_AGAIN with no resolver reachable), as on Node and Bun',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { span, metric } = await clientErrorType('http://no-such-host.invalid/x');
    assert.ok(span === 'ENOTFOUND' || span === 'EAI_AGAIN', String(span));
    assert.equal(metric, span);
  },
});

Deno.test({
  name: 'deno: a server that closes the connection without answering is error.type ECONNRESET, as on Bun (it was TypeError)',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const l = Deno.listen({ hostname: '127.0.0.1', port: 0 });
    const accepting = (async () => {
      for await (const c of l) {
        await c.read(new Uint8Array(1024));
        c.close();
      }
    })().catch(() => {});
    try {
      assert.deepEqual(await clientErrorType(`http://127.0.0.1:${l.addr.port}/hangs-up`), { span: 'ECONNRESET', metric: 'ECONNRESET' });
    } finally {
      l.close();
      await accepting;
    }
  },
});
