/**
 * Metric deltas kept from a failed export get one last export at shutdown(). When that export
 * fails in a way never retried (400) or is partly rejected, its points are lost: counted by the
 * monitor like any other drop, not let go unseen.
 */
import { describe, expect, it } from 'vitest';
import { OtlpBackend } from './otlp-backend.js';
import { createMonitor } from '../../index.js';

function run(last: () => Response | Promise<Response>, timeoutMs?: number) {
  let calls = 0;
  const otlp = new OtlpBackend({
    signals: ['metrics'],
    retry: { maxAttempts: 1 },
    timeoutMs,
    fetch: async () => (calls++ === 0 ? new Response(null, { status: 503 }) : last()),
  });
  const seen: string[] = [];
  const monitor = createMonitor({ serviceName: 'carry', backends: [otlp], onDiagnostic: (d) => void seen.push(`${d.kind}: ${d.message}`) });
  return { otlp, monitor, seen, calls: () => calls };
}

const dropped = (monitor: ReturnType<typeof createMonitor>) =>
  Object.fromEntries((monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]));

describe('the last export of kept metric deltas at shutdown', () => {
  it('a 400 then: its points are counted as dropped, under export_rejected as a 400 is in any export', async () => {
    const { monitor, seen, calls } = run(() => new Response(null, { status: 400 }));
    monitor.metrics.createCounter('jobs_total').increment(4);
    expect((await monitor.flush()).backends[0]!.ok).toBe(true); // kept for the next export
    await monitor.shutdown();
    expect(calls()).toBe(2);
    expect(dropped(monitor)).toEqual({ export_rejected: 1 });
    expect(seen.filter((d) => d.startsWith('export_rejected:'))).toEqual([expect.stringMatching(/1 data points kept from failed exports were lost at shutdown$/)]);
  });

  it('a network error then: export_failed; a timeout: export_timeout', async () => {
    const network = run(() => Promise.reject(new TypeError('fetch failed')));
    network.monitor.metrics.createCounter('jobs_total').increment(4);
    await network.monitor.flush();
    await network.monitor.shutdown();
    expect(dropped(network.monitor)).toEqual({ export_failed: 1 });

    const slow = run(() => new Promise<Response>(() => undefined), 100);
    slow.monitor.metrics.createCounter('jobs_total').increment(4);
    await slow.monitor.flush();
    await slow.monitor.shutdown();
    expect(dropped(slow.monitor)).toEqual({ export_timeout: 1 });
  });

  it('a partial success then: the rejected points are counted', async () => {
    const body = JSON.stringify({ partialSuccess: { rejectedDataPoints: '2', errorMessage: 'too old' } });
    const { monitor } = run(() => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    const c = monitor.metrics.createCounter('jobs_total', undefined, { labelNames: ['k'] });
    c.increment({ k: 'a' });
    c.increment({ k: 'b' });
    await monitor.flush();
    await monitor.shutdown();
    expect(dropped(monitor)).toEqual({ export_rejected: 2 });
  });

  it('delivered then: nothing is counted', async () => {
    const { monitor, calls } = run(() => new Response(null, { status: 200 }));
    monitor.metrics.createCounter('jobs_total').increment(4);
    await monitor.flush();
    await monitor.shutdown();
    expect(calls()).toBe(2);
    expect(dropped(monitor)).toEqual({});
  });
});
