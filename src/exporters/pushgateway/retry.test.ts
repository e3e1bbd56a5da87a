// A batch job pushes once, at its end. A transient failure of that one push (the gateway
// restarting, a proxy throttling) is tried again within `timeoutMs`, as OtlpBackend does (OTLP-09,
// OTLP-10); other answers are final, redirects are not followed, and every push given up on is
// counted once. A stand-in fetch answers here: a real Pushgateway answers none of 429/502/503/504
// or a redirect (test/pushgateway/retry-redirect-server.test.ts puts a real one behind them).
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../index.js';
import type { Diagnostic, TelemetryBatch } from '../../model/batch.js';
import type { MetricsSnapshot } from '../../model/metric-data.js';
import type { Monitor } from '../../monitor.js';
import { PushgatewayBackend } from './backend.js';

const batch = (value: number): TelemetryBatch => {
  const metrics = {
    temporality: 'cumulative',
    time: 0,
    metrics: [{ type: 'counter', name: 'jobs', help: 'Jobs', unit: '', temporality: 'cumulative', points: [{ attributes: {}, value, startTime: 0, time: 0 }] }],
  } as unknown as MetricsSnapshot;
  return { resource: { attributes: {} }, scope: { name: 't' }, spans: [], logs: [], metrics };
};

interface Call {
  method: string;
  body: string | undefined;
  redirect: RequestRedirect | undefined;
}

/** A fetch answering each call with the next of `answers` (the last one repeats); a function throws or answers. */
function standIn(...answers: (() => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetch = async (_url: string, init: RequestInit): Promise<Response> => {
    calls.push({ method: init.method ?? 'GET', body: init.body == null ? undefined : String(init.body), redirect: init.redirect });
    return answers[Math.min(calls.length, answers.length) - 1]!();
  };
  return { calls, fetch };
}

const status = (code: number, headers: Record<string, string> = {}) => () => new Response(code === 204 ? null : `status ${code}`, { status: code, headers });
const refused = () => () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9091') }));

function droppedTotal(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  const out: Record<string, number> = {};
  if (m?.type === 'counter') for (const p of m.points) out[String(p.attributes.reason)] = p.value;
  return out;
}

describe('PushgatewayBackend retries a transient failure of a push', () => {
  it.each([429, 502, 503, 504])('%i, then 200: the push arrives, nothing is counted as dropped', async (code) => {
    const { calls, fetch } = standIn(status(code, { 'retry-after': '0' }), status(200));
    const seen: Diagnostic[] = [];
    const monitor = createMonitor({ serviceName: 'job', backends: [new PushgatewayBackend({ url: 'http://pgw:9091', job: 'nightly', fetch })], onDiagnostic: (d) => seen.push(d) });
    monitor.metrics.createCounter('rows', 'Rows').increment(7);
    const flushed = await monitor.flush();
    expect(flushed.backends).toEqual([{ name: 'pushgateway', ok: true, reason: undefined, error: undefined }]);
    expect(calls).toHaveLength(2);
    // The same request again.
    expect(calls[1]).toEqual(calls[0]);
    expect(calls[1]!.body).toContain('rows_total 7\n');
    expect(droppedTotal(monitor)).toEqual({});
    expect(seen).toEqual([]);
    await monitor.shutdown();
  });

  it('a network error (connection refused), then 200: the push arrives', async () => {
    const { calls, fetch } = standIn(refused(), status(200));
    expect(await new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', fetch }).export(batch(1))).toEqual({ ok: true });
    expect(calls.map((c) => c.method)).toEqual(['PUT', 'PUT']);
  });

  it('delete() is retried too (DELETE is idempotent, PG-05)', async () => {
    const { calls, fetch } = standIn(status(503, { 'retry-after': '0' }), status(202));
    expect(await new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', fetch }).delete()).toEqual({ ok: true });
    expect(calls.map((c) => c.method)).toEqual(['DELETE', 'DELETE']);
  });

  it.each([400, 401, 403, 404, 405, 413, 500, 501])('%i is final: one request, export_failed with the answer', async (code) => {
    const { calls, fetch } = standIn(status(code, { 'retry-after': '0' }), status(200));
    const r = await new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', fetch }).export(batch(1));
    expect(r).toEqual({ ok: false, reason: 'export_failed', error: `Pushgateway answered ${code}: status ${code}` });
    expect(calls).toHaveLength(1);
  });

  it('attempts are bounded (5): the push given up on is counted once, with the last answer and the number of attempts', async () => {
    const { calls, fetch } = standIn(status(503, { 'retry-after': '0' }));
    const seen: Diagnostic[] = [];
    const monitor = createMonitor({ serviceName: 'job', backends: [new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', fetch })], onDiagnostic: (d) => seen.push(d) });
    const rows = monitor.metrics.createCounter('rows', 'Rows', { labelNames: ['t'] });
    rows.increment(1, { t: 'a' });
    rows.increment(1, { t: 'b' });
    const flushed = await monitor.flush();
    expect(flushed.backends[0]).toMatchObject({ ok: false, reason: 'export_failed', error: 'Pushgateway answered 503: status 503 (after 5 attempts)' });
    expect(calls).toHaveLength(5);
    // Two points in the failed push: counted once each, not once per attempt.
    expect(droppedTotal(monitor)).toEqual({ export_failed: 2 });
    expect(seen.filter((d) => d.kind === 'export_failed')).toHaveLength(1);
    await monitor.shutdown();
  });

  it('a Retry-After past timeoutMs gives up at once (no wait that could only end in the timeout), naming why', async () => {
    const { calls, fetch } = standIn(status(429, { 'retry-after': '120' }), status(200));
    const r = await new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', fetch, timeoutMs: 5000 }).export(batch(1));
    expect(r).toEqual({ ok: false, reason: 'export_failed', error: 'Pushgateway answered 429: status 429; the retry asked for (Retry-After) in 120000 ms is past timeoutMs (5000 ms)' });
    expect(calls).toHaveLength(1);
  });

  it('timeoutMs bounds the push, retries included: a retry that hangs ends in export_timeout naming the attempt before, and nothing more is sent', async () => {
    let release: () => void = () => {};
    const { calls, fetch } = standIn(status(503, { 'retry-after': '0' }), () => new Promise<Response>((resolve) => (release = () => resolve(new Response('', { status: 503, headers: { 'retry-after': '0' } })))));
    const r = await new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', fetch, timeoutMs: 300 }).export(batch(1));
    expect(r).toEqual({ ok: false, reason: 'export_timeout', error: 'Pushgateway did not answer within 300 ms (attempt 2; the one before: Pushgateway answered 503: status 503)' });
    // The hung request answers late, asking for another try: the push is over, none starts.
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toHaveLength(2);
  });
});

describe('PushgatewayBackend does not follow redirects', () => {
  // Following, fetch turns a POST answered 301/302 (any method answered 303) into a GET without
  // the body; a target answering that GET 200 made the lost push look delivered. This stand-in
  // follows as fetch does unless told `redirect: 'manual'`.
  function redirecting(code: number, location: string | undefined) {
    const calls: Call[] = [];
    const fetch = async (_url: string, init: RequestInit): Promise<Response> => {
      calls.push({ method: init.method ?? 'GET', body: init.body == null ? undefined : String(init.body), redirect: init.redirect });
      if (init.redirect !== 'manual') return new Response('<html>welcome</html>', { status: 200 });
      return new Response(null, { status: code, headers: location === undefined ? {} : { location } });
    };
    return { calls, fetch };
  }

  it.each([
    [301, 'POST'],
    [302, 'POST'],
    [303, 'PUT'],
    [307, 'PUT'],
    [308, 'POST'],
  ] as const)('%i to a %s: export_failed naming where it points, without its credentials or query; not retried; counted', async (code, method) => {
    const { calls, fetch } = redirecting(code, 'https://user:s3cret@gw.example.com/moved/metrics/job/nightly?token=abc#x');
    const seen: Diagnostic[] = [];
    const monitor = createMonitor({ serviceName: 'job', backends: [new PushgatewayBackend({ url: 'http://pgw:9091', job: 'nightly', method, fetch })], onDiagnostic: (d) => seen.push(d) });
    monitor.metrics.createCounter('rows', 'Rows').increment(7);
    const flushed = await monitor.flush();
    const error = `Pushgateway answered ${code} redirect to https://gw.example.com/moved/metrics/job/nightly, not followed (the push would be lost): set "url" to the gateway's final address`;
    expect(flushed.backends[0]).toEqual({ name: 'pushgateway', ok: false, reason: 'export_failed', error });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.redirect).toBe('manual');
    expect(droppedTotal(monitor)).toEqual({ export_failed: 1 });
    expect(seen.map((d) => d.message).join('\n')).not.toMatch(/s3cret|user:|token|abc/);
    await monitor.shutdown();
  });

  it('a relative Location is resolved against the push URL; none at all is said so', async () => {
    const rel = await new PushgatewayBackend({ url: 'http://pgw:9091/prefix', job: 'j', fetch: redirecting(301, '/other/metrics/job/j').fetch }).export(batch(1));
    expect(rel.error).toContain('redirect to http://pgw:9091/other/metrics/job/j, not followed');
    const none = await new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', fetch: redirecting(302, undefined).fetch }).export(batch(1));
    expect(none).toEqual({ ok: false, reason: 'export_failed', error: `Pushgateway answered 302 redirect without a Location, not followed (the push would be lost): set "url" to the gateway's final address` });
  });

  it("a browser's opaque redirect (status 0) fails the same way", async () => {
    const opaque = { type: 'opaqueredirect', status: 0, ok: false, headers: new Headers(), body: null } as unknown as Response;
    const r = await new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', fetch: async () => opaque }).export(batch(1));
    expect(r).toEqual({ ok: false, reason: 'export_failed', error: `Pushgateway answered a redirect without a Location, not followed (the push would be lost): set "url" to the gateway's final address` });
  });

  it('DELETE and POST ask for redirect: manual too', async () => {
    const { calls, fetch } = standIn(status(200), status(202));
    const b = new PushgatewayBackend({ url: 'http://pgw:9091', job: 'j', method: 'POST', fetch });
    await b.export(batch(1));
    await b.delete();
    expect(calls.map((c) => [c.method, c.redirect])).toEqual([
      ['POST', 'manual'],
      ['DELETE', 'manual'],
    ]);
  });
});
