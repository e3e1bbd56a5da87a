/**
 * An OpenTelemetry HTTP instrumentation set up through the bridge before the first request
 * (`@hono/otel` makes `http.server.request.duration` when its middleware is created, as the
 * README's order has it) and the library's own HTTP server metrics: the request is served, the
 * duration is recorded once, and the clash is reported.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { httpInstrumentationMiddleware } from '@hono/otel';
import { Hono } from 'hono';
import { afterEach, expect, it } from 'vitest';
import { handleRequest, setContextStorage, type Diagnostic } from '../../src/index.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

afterEach(() => unregisterOpenTelemetry());

it('@hono/otel registered first: every request is served, its duration recorded once, the clash reported once', async () => {
  setContextStorage(AsyncLocalStorage);
  const diagnostics: Diagnostic[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d) });
  expect(registerOpenTelemetry(monitor)).toBe(true);
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  app.use(httpInstrumentationMiddleware()); // creates http.server.request.duration through the API
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  for (let i = 0; i < 3; i++) {
    const res = await app.request('/users/1');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: '1' });
  }
  // handleRequest, which every adapter uses, serves too.
  expect((await handleRequest(monitor, new Request('http://x/'), () => new Response('ok'), undefined)).status).toBe(200);
  const duration = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!;
  expect((duration.points as readonly { count: number }[]).reduce((n, p) => n + p.count, 0)).toBe(3); // @hono/otel's, not twice
  const clashes = diagnostics.filter((d) => d.message.includes('http.server.request.duration'));
  expect(clashes).toHaveLength(1);
  expect(clashes[0]!.message).toMatch(/not recorded, so requests are not counted twice/);
});
