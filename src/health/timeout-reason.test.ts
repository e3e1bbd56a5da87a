import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentFetch } from '../http/instrument-fetch.js';
import type { HistogramPoint } from '../model/metric-data.js';
import { SpanKind, SpanStatus } from '../model/span-data.js';
import { createTestMonitor } from '../testing/index.js';
import { httpCheck } from './http-check.js';
import { HealthCheckRegistry } from './registry.js';

// A check's signal aborted without a reason reads as a deliberate cancel (AbortError), which HTTP
// semantic conventions record as no error: a dependency that timed out was traced as a clean
// request. Aborted with a TimeoutError, its traced fetch fails with error.type TimeoutError.

/** A fetch that never answers and rejects with its signal's reason, as fetch does. */
const hangingFetch = (seen: AbortSignal[]) => (input: Request | string | URL, init?: RequestInit): Promise<Response> =>
  new Promise((_resolve, reject) => {
    const signal = input instanceof Request ? input.signal : init!.signal!;
    seen.push(signal);
    signal.addEventListener('abort', () => reject(signal.reason));
  });

describe('a health check that times out is aborted with a TimeoutError', () => {
  it("the registry's timeout aborts a check's signal with a TimeoutError", async () => {
    const seen: AbortSignal[] = [];
    const r = new HealthCheckRegistry().register('slow', (_t, signal) => new Promise(() => void seen.push(signal!)), { timeoutSeconds: 0.02 });
    expect((await r.checkAll()).checks.slow).toMatchObject({ status: 'unhealthy', error: 'timed out after 0.02 s' });
    expect([seen[0].aborted, (seen[0].reason as DOMException)?.name]).toEqual([true, 'TimeoutError']);
  });

  it("httpCheck's own timer, and the registry's signal passed on, abort its fetch with a TimeoutError", async () => {
    const alone: AbortSignal[] = [];
    await expect(httpCheck('http://dep.internal/health', { fetch: hangingFetch(alone) }).check(0.02)).rejects.toMatchObject({ name: 'TimeoutError' });
    const registered: AbortSignal[] = [];
    await new HealthCheckRegistry().register('dep', httpCheck('http://dep.internal/health', { fetch: hangingFetch(registered) }), { timeoutSeconds: 0.02 }).checkAll();
    expect([alone, registered].map((s) => (s[0].reason as DOMException)?.name)).toEqual(['TimeoutError', 'TimeoutError']);
  });

  describe('its traced fetch records the timeout as an error (real fetch, a server that never answers)', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer(() => {}); // never answers
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    });
    afterAll(() => {
      server.closeAllConnections();
      server.close();
    });

    it('CLIENT span status ERROR with error.type TimeoutError, as in http.client.request.duration', async () => {
      const { monitor, memory } = createTestMonitor();
      // No trace headers: the Request copied to add them loses its abort link to the caller's
      // signal after a garbage collection in Node's undici (nodejs/undici#4068), not the subject here.
      const traced = instrumentFetch(monitor, fetch, { requireParent: false, propagateTo: () => false });
      const seen: PromiseLike<unknown>[] = [];
      const fetchSeen = (u: Request | string | URL, init?: RequestInit): Promise<Response> => {
        const p = traced(u, init);
        seen.push(p.catch(() => {}));
        return p;
      };
      const r = new HealthCheckRegistry().register('dep', httpCheck(url, { fetch: fetchSeen }), { timeoutSeconds: 0.05 });
      await r.checkAll();
      await Promise.all(seen); // the traced fetch has settled
      await monitor.flush();
      const client = memory.spans.filter((s) => s.kind === SpanKind.CLIENT);
      expect(client.map((s) => [s.status.code, s.attributes['error.type']])).toEqual([[SpanStatus.ERROR, 'TimeoutError']]);
      const points = (memory.getMetric('http.client.request.duration')?.points ?? []) as HistogramPoint[];
      expect(points.map((p) => p.attributes['error.type'])).toEqual(['TimeoutError']);
    });
  });
});
