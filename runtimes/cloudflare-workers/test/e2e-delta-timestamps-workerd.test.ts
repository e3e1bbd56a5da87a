/**
 * End to end, in real workerd (miniflare 4): metric deltas sent with every request to a local
 * OTLP receiver (protobufjs decoder). The README: OTLP metrics go "as DELTA by default, since
 * isolates die without notice and the collector sums across them". A collector sums a delta
 * stream (the OpenTelemetry Collector's deltatocumulative processor) only while each point's
 * time_unix_nano is later than the previous point's of the same stream: a point whose time is
 * not after it is dropped as out of order. workerd's clock has millisecond resolution (and in
 * production does not advance during CPU work), so two requests of one isolate ending in the
 * same millisecond must still give their points distinct, increasing times, or the collector's
 * sum falls short of the truth.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProto } from '../../../test/otlp/helpers/proto-decoder.js';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { waitFor } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';

interface Point { start: bigint; time: bigint; value: number }

/** orders_total's points, in the order the receiver got them. */
function points(srv: TestServer): Point[] {
  const out: Point[] = [];
  for (const r of srv.otlp()) {
    if (r.path !== '/v1/metrics') continue;
    for (const rm of decodeProto('metrics', r.body).resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? [])
          if (m.name === 'orders_total')
            for (const p of m.sum.dataPoints) out.push({ start: BigInt(p.startTimeUnixNano), time: BigInt(p.timeUnixNano), value: Number(p.asDouble ?? p.asInt) });
  }
  return out;
}

/** What a collector summing the delta stream keeps: points whose time is after the last kept one's. */
function collectorSum(ps: Point[]): number {
  let last = -1n, sum = 0;
  for (const p of ps) {
    if (p.time <= last) continue; // out of order: dropped
    sum += p.value;
    last = p.time;
  }
  return sum;
}

describe('workerd e2e: OTLP delta points of concurrent requests', () => {
  let srv: TestServer;
  let mf: Miniflare;
  const N = 100;

  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('e2e-delta-time.ts'), vars: { OTLP: srv.url } });
    await Promise.all(Array.from({ length: N }, async () => (await mf.dispatchFetch('http://worker.test/order')).text()));
    await waitFor(() => points(srv).reduce((a, p) => a + p.value, 0) >= N || undefined);
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  it('the points sent add up to the requests made, each with DELTA temporality (what the receiver got)', () => {
    expect(points(srv).reduce((a, p) => a + p.value, 0)).toBe(N);
    for (const p of points(srv)) expect(p.start).toBeLessThanOrEqual(p.time);
  });

  // Seen before each delta interval was made to end after the last: 40 points with about 20
  // distinct times (N = 40), and a collector kept about half the orders.
  it('no two points of the stream share a time_unix_nano, so a collector summing deltas (in time order) keeps them all', () => {
    const ps = points(srv).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    const sameTime = ps.filter((p, i) => i > 0 && p.time === ps[i - 1].time).length;
    expect({ sameTime, collectorSum: collectorSum(ps) }).toEqual({ sameTime: 0, collectorSum: N });
  });
});
