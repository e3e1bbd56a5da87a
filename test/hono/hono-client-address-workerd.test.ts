/**
 * In workerd (miniflare): a Hono app with monitorMiddleware alone (`export default app`). Its SERVER
 * span has `client.address` from the CF-Connecting-IP Cloudflare sets on every request, as under
 * instrument() (miniflare sets it as the edge would).
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
app.get('/w', (c) => c.text('ok'));
export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__telemetry') {
      await monitor.flush();
      return Response.json(memory.spans.filter((s) => s.kind === 2).map((s) => s.attributes['client.address'] ?? null));
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

test('workerd: the SERVER span of the middleware alone has client.address from CF-Connecting-IP', async () => {
  const res = await mf.dispatchFetch('http://w/w', { headers: { 'cf-connecting-ip': '203.0.113.9' } });
  expect(await res.text()).toBe('ok');
  expect(await (await mf.dispatchFetch('http://w/__telemetry')).json()).toEqual(['203.0.113.9']);
});
