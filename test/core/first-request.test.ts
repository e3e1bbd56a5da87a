// A monitor prepares at creation what the first span would otherwise pay for inside a request:
// Node 20 loads its Web Crypto module on the first access to `crypto` and its random source on
// the first getRandomValues (together ~3 ms here). The Worker global-scope case, where random
// values are refused, is in runtimes/cloudflare-workers/test/workerd.test.ts (CF-03).
import { expect, it } from 'vitest';
import { createMonitor, NoOpBackend } from '../../src/index.js';
import { pool } from '../../src/trace/ids.js';

it('createMonitor fills the id pool, so the first span draws no random values', () => {
  expect(pool).toBeUndefined();
  const monitor = createMonitor({ serviceName: 'first', backends: [new NoOpBackend()] });
  expect(pool).toBeInstanceOf(Uint32Array);
  expect(pool!.some((w) => w !== 0)).toBe(true);
  const filled = pool;
  const original = crypto.getRandomValues.bind(crypto);
  let calls = 0;
  crypto.getRandomValues = ((a: Uint32Array) => (calls++, original(a))) as typeof crypto.getRandomValues;
  try {
    const span = monitor.tracer.startSpan('first');
    span.end();
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(calls).toBe(0);
    expect(pool).toBe(filled);
  } finally {
    crypto.getRandomValues = original;
  }
});
