import { describe, expect, it } from 'vitest';
import type { TelemetryBatch } from '../../model/batch.js';
import type { MetricsSnapshot } from '../../model/metric-data.js';
import { PushgatewayBackend } from './backend.js';

const batch = (value: number): TelemetryBatch => {
  const metrics: MetricsSnapshot = {
    temporality: 'cumulative',
    time: 0,
    metrics: [{ type: 'counter', name: 'jobs', help: 'Jobs', unit: '', temporality: 'cumulative', points: [{ attributes: {}, value, startTime: 0, time: 0 }] }],
  } as unknown as MetricsSnapshot;
  return { resource: { attributes: {} }, scope: { name: 't' }, spans: [], logs: [], metrics };
};

// A slow gateway must not make pushes pile up without bound behind it: each body is the whole
// cumulative state, so a push still waiting is superseded by a newer one (memory stays bounded,
// the gateway gets the latest values, and every caller learns the outcome of the push that carried its data).
describe('PushgatewayBackend: pushes waiting behind a slow gateway are coalesced', () => {
  it('1000 exports while one push hangs: 2 requests, the second with the latest values', async () => {
    const bodies: (string | undefined)[] = [];
    let release: () => void = () => {};
    const push = new PushgatewayBackend({
      url: 'http://pgw.local:9091',
      job: 'j',
      fetch: async (_u, init) => {
        bodies.push(init.body === undefined ? undefined : String(init.body));
        if (bodies.length === 1) await new Promise<void>((r) => (release = r));
        return new Response('', { status: 200 });
      },
    });
    const results: Promise<unknown>[] = [push.export(batch(1))];
    await new Promise((r) => setTimeout(r, 0)); // the first push is in flight, hanging
    for (let i = 2; i <= 1000; i++) results.push(push.export(batch(i)));
    await new Promise((r) => setTimeout(r, 10));
    release();
    const settled = await Promise.all(results);
    expect(settled.every((r) => (r as { ok: boolean }).ok)).toBe(true);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toContain('jobs_total 1\n');
    expect(bodies[1]).toContain('jobs_total 1000\n');
  });

  it('a push after delete() is not merged into a push queued before it: PUT, DELETE, PUT stay in order', async () => {
    const calls: string[] = [];
    let release: () => void = () => {};
    const push = new PushgatewayBackend({
      url: 'http://pgw.local:9091',
      job: 'j',
      fetch: async (_u, init) => {
        calls.push(`${init.method} ${init.body === undefined ? '' : /jobs_total (\d+)/.exec(String(init.body))![1]}`);
        if (calls.length === 1) await new Promise<void>((r) => (release = r));
        return new Response('', { status: init.method === 'DELETE' ? 202 : 200 });
      },
    });
    const all = [push.export(batch(1))];
    await new Promise((r) => setTimeout(r, 0)); // the first push is in flight, hanging
    all.push(push.export(batch(2)), push.delete(), push.export(batch(3)), push.export(batch(4)));
    await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all(all);
    expect(calls).toEqual(['PUT 1', 'PUT 2', 'DELETE ', 'PUT 4']);
  });
});

// A fetch (a user's wrapper) rejecting with a value that has no text form threw while the failure
// was being worded: that push rejected, and the rejected link stopped every later push for good.
describe('PushgatewayBackend: a rejection that cannot be shown as text', () => {
  it('fails that push only: it resolves export_failed, and the next push goes', async () => {
    let calls = 0;
    let down = true;
    const push = new PushgatewayBackend({
      url: 'http://pgw.local:9091',
      job: 'j',
      // Shorter than the first backoff (at least 500 ms): the failed push is not tried again.
      timeoutMs: 400,
      fetch: async () => {
        calls++;
        if (down) throw Object.create(null);
        return new Response('', { status: 200 });
      },
    });
    expect(await push.export(batch(1))).toEqual({
      ok: false,
      reason: 'export_failed',
      error: expect.stringMatching(/^an error that cannot be shown as text \(PUT http:\/\/pgw\.local:9091\/metrics\/job\/j\); the retry due in \d+ ms is past timeoutMs \(400 ms\)$/),
    });
    down = false;
    expect(await push.export(batch(2))).toEqual({ ok: true });
    expect(calls).toBe(2);
    await expect(push.shutdown()).resolves.toBeUndefined();
  });
});
