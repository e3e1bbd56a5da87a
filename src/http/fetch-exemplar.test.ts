/**
 * `http.client.request.duration` of a traced fetch is observed while the fetch's CLIENT span still
 * records: its exemplar points to that span, the operation measured, not to the span current
 * around the call (the request's). Before, the span had ended first, and the exemplar named the
 * request's span.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { expect, it } from 'vitest';
import { createMonitor, MemoryBackend, setContextStorage } from '../index.js';
import { instrumentFetch } from './instrument-fetch.js';

it('a traced fetch: the duration exemplar is its CLIENT span', async () => {
  setContextStorage(AsyncLocalStorage);
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'fetch-exemplar', backends: [memory], onDiagnostic: () => {} });
  const traced = instrumentFetch(monitor, async () => new Response('ok'));
  await monitor.tracer.startActiveSpan('request', async (outer) => {
    await (await traced('http://upstream.test/x')).text();
    outer.end();
  });
  await monitor.flush();
  const client = memory.spans.find((s) => s.kind === 3)!;
  const metric = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.client.request.duration')!;
  const exemplars = metric.points.flatMap((p) => ('exemplars' in p && p.exemplars) || []).filter(Boolean);
  expect(exemplars.map((e) => `${e.traceId}/${e.spanId}`)).toEqual([`${client.traceId}/${client.spanId}`]);
});
