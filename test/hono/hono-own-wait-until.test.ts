import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { SpanKind } from '../../src/model/span-data.js';
import { createTestMonitor } from '../../src/testing/index.js';

/** A Workers execution context as workerd gives it: waitUntil keeps the invocation alive, nothing more. */
function workerCtx() {
  const pending: Promise<unknown>[] = [];
  const waitUntil = (p: Promise<unknown>) => void pending.push(p);
  const ctx = { waitUntil, passThroughOnException() {}, props: undefined };
  /** What workerd does before the isolate may go: waits for every promise handed to waitUntil. */
  const drain = async () => {
    for (let seen = -1; seen !== pending.length; ) {
      seen = pending.length;
      await Promise.allSettled(pending.slice());
    }
  };
  return { ctx, waitUntil, drain };
}

describe('monitorMiddleware alone on Workers (export default app)', () => {
  test("work the handler hands to c.executionCtx.waitUntil leaves with the request's export, not with a later one that may never come", async () => {
    const { monitor, memory } = createTestMonitor();
    const app = new Hono();
    app.use(monitorMiddleware(monitor));
    app.get('/w', (c) => {
      c.executionCtx.waitUntil(
        (async () => {
          await new Promise((r) => setTimeout(r, 2));
          monitor.tracer.startSpan('late work').end();
          monitor.logger.info('late log');
        })(),
      );
      return c.text('ok');
    });
    const { ctx, waitUntil, drain } = workerCtx();
    const res = await app.fetch(new Request('http://x/w'), {}, ctx as never);
    expect(await res.text()).toBe('ok');
    await drain();
    // No monitor.flush(): what was not exported within the invocation's waitUntil is lost on eviction.
    const server = memory.spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.name).toBe('GET /w');
    const late = memory.spans.find((s) => s.name === 'late work');
    expect(late?.traceId).toBe(server.traceId);
    expect(memory.logs.map((l) => l.body)).toEqual(['late log']);
    // The runtime's waitUntil is put back.
    expect(ctx.waitUntil).toBe(waitUntil);
  });

  test('a handler that hands nothing over: exported at once, the runtime waitUntil put back, a rejection stays the app one', async () => {
    const { monitor, memory } = createTestMonitor();
    const app = new Hono();
    app.use(monitorMiddleware(monitor));
    app.get('/a', (c) => c.text('a'));
    app.get('/r', (c) => {
      const p = Promise.reject(new Error('app work failed'));
      p.catch(() => {});
      c.executionCtx.waitUntil(p);
      return c.text('r');
    });
    const { ctx, waitUntil, drain } = workerCtx();
    expect(await (await app.fetch(new Request('http://x/a'), {}, ctx as never)).text()).toBe('a');
    expect(ctx.waitUntil).toBe(waitUntil);
    expect(await (await app.fetch(new Request('http://x/r'), {}, ctx as never)).text()).toBe('r');
    await drain();
    expect(memory.spans.map((s) => s.name)).toEqual(['GET /a', 'GET /r']);
    expect(ctx.waitUntil).toBe(waitUntil);
  });
});
