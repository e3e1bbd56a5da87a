import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

test('a Lambda HTTP event: baggage members left out of its parent are counted as invalid_value drops, as instrument() counts them', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200 }), monitor);
  const event = {
    version: '2.0',
    rawPath: '/a',
    headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', baggage: 'ok=1,broken,b d=2' },
    requestContext: { http: { method: 'GET', path: '/a' } },
  };
  await handler(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 });
  expect(memory.spans.find((s) => s.kind === 2)!.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  const points = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? [];
  expect(points.filter((p) => p.attributes.reason === 'invalid_value').map((p) => (p as { value: number }).value)).toEqual([2]);
});

test('a Lambda HTTP event with baggage and no traceparent: the baggage reaches the function\'s outgoing calls', async () => {
  const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
  const { injectContext } = await import('../../../src/trace/propagation/propagation.js');
  let out: Headers | undefined;
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => {
    out = injectContext(new Headers());
    return { statusCode: 200 };
  }, monitor);
  const event = { version: '2.0', rawPath: '/a', headers: { baggage: 'tenant=acme' }, requestContext: { http: { method: 'GET', path: '/a' } } };
  await handler(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 });
  expect(out?.get('baggage')).toBe('tenant=acme');
});
