/**
 * `http.route` set on the SERVER span while the request runs (by the app, or by a router's
 * instrumentation through `@opentelemetry/api`): the span is named after it at its end, as the
 * `route` option names it (HTTP semconv: `{method} {http.route}`), and the metric is labelled with it.
 */
import { expect, it } from 'vitest';
import { getActiveSpan } from '../context/active.js';
import { createTestMonitor } from '../testing/index.js';
import { handleRequest } from './handle-request.js';

it('a route set on the server span names it "GET /users/:id", as the route option would', async () => {
  const { monitor, memory } = createTestMonitor();
  await handleRequest(monitor, new Request('http://x.test/users/7'), () => {
    getActiveSpan()!.setAttribute('http.route', '/users/:id');
    return new Response('ok');
  });
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect(span.name).toBe('GET /users/:id');
  expect(span.attributes['http.route']).toBe('/users/:id');
  const point = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!.points[0]!;
  expect(point.attributes['http.route']).toBe('/users/:id');
});

it('a server span the app renamed itself keeps its name', async () => {
  const { monitor, memory } = createTestMonitor();
  await handleRequest(monitor, new Request('http://x.test/users/7'), () => {
    getActiveSpan()!.setAttribute('http.route', '/users/:id').updateName('load user');
    return new Response('ok');
  });
  await monitor.flush();
  expect(memory.spans.find((s) => s.kind === 2)!.name).toBe('load user');
});
