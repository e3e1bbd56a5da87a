import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { dbClientDuration, httpClientDuration } from './server-metrics.js';

describe('a client duration histogram the app made first with its own buckets', () => {
  it('is the one recorded into, with the app’s buckets (the library’s bucket advice clashed with it, and nothing was recorded)', async () => {
    const { monitor } = createTestMonitor();
    const labelNames = ['db.system.name', 'db.namespace', 'db.operation.name', 'error.type'];
    monitor.metrics.createHistogram('db.client.operation.duration', 'mine', { unit: 's', labelNames, buckets: [0.002, 0.02, 0.2] });
    dbClientDuration(monitor).observe(0.01, { 'db.system.name': 'cloudflare.kv', 'db.operation.name': 'get' });
    httpClientDuration(monitor).observe(0.3, { 'http.request.method': 'GET' });
    const metrics = monitor.metrics.collect({ temporality: 'cumulative' }).metrics;
    const db = metrics.find((m) => m.name === 'db.client.operation.duration')!;
    expect((db.points[0] as unknown as { count: number }).count).toBe(1);
    expect((db.points[0] as unknown as { bounds: number[] }).bounds).toEqual([0.002, 0.02, 0.2]);
    // A histogram the app did not make keeps the library's advice.
    expect(metrics.find((m) => m.name === 'http.client.request.duration')!.points).toHaveLength(1);
  });
});
