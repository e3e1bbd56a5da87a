/**
 * monitorMiddleware alone ends its span when it returns: a middleware registered before it that
 * throws after next() is answered 500 by Hono's onError, out of its sight, and the span keeps the
 * handler's 200. Hono has no hook at the end of its chain, so the middleware cannot see that
 * answer: it says so once, as a config diagnostic naming what ran before it, and how to fix it
 * (register it first, or serve the app with an adapter, whose span sees the answer sent).
 */
import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { handleRequest } from '../../src/http/handle-request.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { SpanKind } from '../../src/model/span-data.js';
import { createTestMonitor } from '../../src/testing/index.js';

function build(mw: ReturnType<typeof monitorMiddleware>, first: boolean): Hono {
  const app = new Hono();
  const failing = async (_c: unknown, next: () => Promise<void>) => {
    await next();
    throw new Error('after next');
  };
  if (first) app.use(mw);
  app.use('/x/*', failing);
  if (!first) app.use(mw);
  app.get('/x/:id', (c) => c.text('x'));
  app.onError((_e, c) => c.text('oops', 500));
  return app;
}

const spansOf = (memory: ReturnType<typeof createTestMonitor>['memory']) =>
  memory.spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => [s.name, s.attributes['http.response.status_code']]);

describe('monitorMiddleware registered after another middleware', () => {
  test('alone: a config diagnostic says once that what runs before it is not seen, naming it, and how to fix it', async () => {
    const diagnostics: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(`${d.kind}: ${d.message}`) });
    const app = build(monitorMiddleware(monitor), false);
    expect((await app.request('/x/1')).status).toBe(500);
    expect((await app.request('/x/2')).status).toBe(500);
    await monitor.flush();
    // What the middleware can record: the status the handler gave.
    expect(spansOf(memory)).toEqual([
      ['GET /x/:id', 200],
      ['GET /x/:id', 200],
    ]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatch(/^config: monitorMiddleware runs after other middleware \(use\('\/x\/\*'\)\).*register monitorMiddleware first, or serve the app with instrument\(\) or serve\(\)/);
  });

  test('registered first, the 500 is recorded and nothing is reported', async () => {
    const diagnostics: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.message) });
    const app = build(monitorMiddleware(monitor), true);
    expect((await app.request('/x/1')).status).toBe(500);
    await monitor.flush();
    expect(spansOf(memory)).toEqual([['GET /x/:id', 500]]);
    expect(diagnostics).toEqual([]);
  });

  test("under an adapter, whose span has the status sent, nothing is reported", async () => {
    const diagnostics: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.message) });
    const app = build(monitorMiddleware(monitor), false);
    const res = await handleRequest(monitor, new Request('http://x/x/1'), (r) => app.fetch(r), undefined);
    expect(res.status).toBe(500);
    await monitor.flush();
    expect(spansOf(memory)).toEqual([['GET /x/:id', 500]]);
    expect(diagnostics).toEqual([]);
  });
});
