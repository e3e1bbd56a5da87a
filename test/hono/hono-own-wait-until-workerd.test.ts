/**
 * In workerd (miniflare): a Hono app with monitorMiddleware alone (`export default app`), whose
 * handler hands work to `c.executionCtx.waitUntil`. The spans and logs of that work leave with
 * the request's own export, within the invocation: nothing later would send them.
 */
import type { Miniflare } from 'miniflare';
import { startInlineWorker } from '../../runtimes/cloudflare-workers/test/helpers/workerd.js';
import { afterAll, beforeAll, expect, test } from 'vitest';

const WORKER = `
import { Hono } from 'hono';
import { createMonitor } from '../../src/index.js';
import { MemoryBackend } from '../../src/testing/index.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
const memory = new MemoryBackend();
const monitor = createMonitor({ serviceName: 'w', backends: [memory], onDiagnostic: () => {} });
const app = new Hono();
app.use(monitorMiddleware(monitor));
app.get('/w', (c) => {
  c.executionCtx.waitUntil((async () => {
    await new Promise((r) => setTimeout(r, 5));
    await fetch('http://127.0.0.1:1/').catch(() => {});
    monitor.tracer.startSpan('late work').end();
    monitor.logger.info('late log');
  })());
  return c.text('ok');
});
export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__telemetry') {
      return Response.json({ spans: memory.spans.map((s) => s.name), logs: memory.logs.map((l) => l.body) });
    }
    return app.fetch(request, env, ctx);
  },
};
`;

let mf: Miniflare;

beforeAll(async () => {
  mf = await startInlineWorker(WORKER, import.meta.url);
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

test("workerd, no compatibility flag: the work handed to c.executionCtx.waitUntil is exported with its request", async () => {
  const res = await mf.dispatchFetch('http://w/w');
  expect(await res.text()).toBe('ok');
  let seen: { spans: string[]; logs: string[] } = { spans: [], logs: [] };
  for (let i = 0; i < 100 && !seen.spans.includes('late work'); i++) {
    seen = (await (await mf.dispatchFetch('http://w/__telemetry')).json()) as typeof seen;
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(seen.spans).toContain('GET /w');
  expect(seen.spans).toContain('late work');
  expect(seen.logs).toEqual(['late log']);
}, 30_000);
