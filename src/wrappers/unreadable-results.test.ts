import { describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { SpanStatus } from '../model/span-data.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

// The wrapper looks at a result (`then`, an iterator's `next`) to follow it. A result that throws
// when looked at (a `then` getter that refuses `await`, a revoked Proxy) made that look throw into
// the caller: the function had run, its result was lost, and the span never ended.
describe('a result that throws when looked at', () => {
  const refusesAwait = { value: 1, get then(): never { throw new Error('do not await this') } };
  const revoked = (() => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    return r.proxy;
  })();

  it.each([
    ['a `then` getter that throws', refusesAwait],
    ['a revoked Proxy', revoked],
  ])('%s comes back to the caller itself; the span ends', async (_, result) => {
    const { monitor, memory } = createTestMonitor();
    expect(traced('make', () => result, { monitor })()).toBe(result);
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.status.code])).toEqual([['make', SpanStatus.UNSET]]);
  });

  it('metered counts the call', () => {
    const { monitor } = createTestMonitor();
    expect(metered('make', () => refusesAwait, { monitor })()).toBe(refusesAwait);
    const calls = monitor.metrics.collect().metrics.find((m) => m.name === 'make_calls_total') as CounterMetric;
    expect(calls.points[0].value).toBe(1);
  });
});
