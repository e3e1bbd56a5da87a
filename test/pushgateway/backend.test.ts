import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { base64Url, groupingPath, PushgatewayBackend } from '../../src/exporters/pushgateway/index.js';
import type { TelemetryBatch } from '../../src/model/batch.js';
import type { MetricsSnapshot } from '../../src/model/metric-data.js';
import { counter, gauge, snapshot } from '../prometheus/fixtures.js';

const batch = (metrics?: MetricsSnapshot): TelemetryBatch => ({
  resource: { attributes: {} },
  scope: { name: 't' },
  spans: [],
  logs: [],
  ...(metrics ? { metrics } : {}),
});

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function recorder(respond: (call: Call) => Response | Promise<Response> = () => new Response('', { status: 200 })) {
  const calls: Call[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    const call = {
      url,
      method: init.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init.headers)),
      body: init.body === undefined ? undefined : String(init.body),
    };
    calls.push(call);
    return respond(call);
  };
  return { calls, fetch };
}

describe('grouping key URL (PG-01, PG-02)', () => {
  it('PG-02: URL-safe base64 without padding, = for empty', () => {
    expect(base64Url('/var/tmp')).toBe('L3Zhci90bXA');
    expect(base64Url('')).toBe('=');
    expect(base64Url('ü?>')).toBe('w7w_Pg');
  });

  it('PG-01, PG-02: @base64 for values with / or empty, URI escaping otherwise', () => {
    expect(groupingPath('nightly', { path: '/var/tmp', shard: '', instance: 'eu 1?#' })).toBe(
      '/metrics/job/nightly/path@base64/L3Zhci90bXA/shard@base64/=/instance/eu%201%3F%23',
    );
    expect(groupingPath('a/b')).toBe('/metrics/job@base64/YS9i');
  });

  it('keeps a path prefix in the base URL and drops a trailing slash', () => {
    const b = new PushgatewayBackend({ url: 'https://gw.example/prefix/', job: 'j', groupingKey: { instance: 'x' } });
    expect(b.url).toBe('https://gw.example/prefix/metrics/job/j/instance/x');
  });
});

describe('configuration errors throw at construction, naming the option', () => {
  const ok = { url: 'http://127.0.0.1:9091', job: 'j' };
  it.each([
    [{ ...ok, job: '' }, /"job"/],
    [{ url: ok.url } as never, /"job"/],
    [{ ...ok, url: 'not a url' }, /"url"/],
    [{ ...ok, url: 'ftp://gw' }, /"url"/],
    [{ ...ok, url: 'http://user:pw@gw' }, /"url".*credentials/],
    [{ ...ok, url: 'http://gw?x=1' }, /"url"/],
    [{ ...ok, method: 'PATCH' as never }, /"method"/],
    [{ ...ok, groupingKey: { 'bad-name': 'x' } }, /"groupingKey".*bad-name/],
    [{ ...ok, groupingKey: { __x: 'x' } }, /"groupingKey"/],
    [{ ...ok, groupingKey: { job: 'x' } }, /"groupingKey"/],
    [{ ...ok, timeoutMs: 0 }, /"timeoutMs"/],
    // A misspelled option left its default in force unnoticed (POST meant, PUT sent).
    [{ ...ok, methd: 'POST' } as never, /^PushgatewayBackend: unknown option `methd`; known options are url, job, groupingKey, method, headers, fetch, timeoutMs, onDrop\.$/],
  ])('%o', (options, message) => {
    expect(() => new PushgatewayBackend(options)).toThrow(message);
  });

  it('an invalid header names the header, never its value', () => {
    let error: Error | undefined;
    try {
      new PushgatewayBackend({ ...ok, headers: { authorization: 'Bearer top\nsecret' } });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/"headers".*authorization/);
    expect(error?.message).not.toContain('secret');
  });
});

describe('PushgatewayBackend.export', () => {
  const snap = snapshot(counter('jobs.done', 'Jobs done', '', [[{ queue: 'q' }, 3]]), gauge('push_time_seconds', 'mine', '', [[{}, 1]]));

  it('PG-03, PG-07, PG-09: PUTs text 0.0.4 without timestamps and without the gateway’s own names', async () => {
    const { calls, fetch } = recorder();
    const b = new PushgatewayBackend({ url: 'http://gw:9091', job: 'nightly', groupingKey: { path: '/tmp' }, headers: { authorization: 'Bearer t0k3n' }, fetch });
    expect(b.temporality).toBe('cumulative');
    // push_time_seconds is the gateway's own: left out, and reported back as rejected.
    expect(await b.export(batch(snap))).toEqual({ ok: true, rejected: { dataPoints: 1 }, error: expect.stringContaining('metric "push_time_seconds" was left out of the push') });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://gw:9091/metrics/job/nightly/path@base64/L3RtcA');
    expect(calls[0]!.method).toBe('PUT');
    expect(calls[0]!.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(calls[0]!.headers.authorization).toBe('Bearer t0k3n');
    expect(calls[0]!.body).toBe('# HELP jobs_done_total Jobs done\n# TYPE jobs_done_total counter\njobs_done_total{queue="q"} 3\n');
  });

  it('PG-04: method POST is used when configured', async () => {
    const { calls, fetch } = recorder();
    await new PushgatewayBackend({ url: 'http://gw', job: 'j', method: 'POST', fetch }).export(batch(snap));
    expect(calls[0]!.method).toBe('POST');
  });

  it('batches without metrics push nothing; a snapshot without series PUTs an empty group (PG-03); delta snapshots are refused', async () => {
    const { calls, fetch } = recorder();
    const b = new PushgatewayBackend({ url: 'http://gw', job: 'j', fetch });
    expect(await b.export(batch())).toEqual({ ok: true });
    expect(await b.export(batch({ ...snap, temporality: 'delta' }))).toMatchObject({ ok: false, reason: 'export_rejected' });
    expect(calls).toHaveLength(0);
    expect(await b.export(batch(snapshot()))).toEqual({ ok: true });
    expect(calls.map((c) => [c.method, c.body])).toEqual([['PUT', '']]);
    const post = recorder();
    expect(await new PushgatewayBackend({ url: 'http://gw', job: 'j', method: 'POST', fetch: post.fetch }).export(batch(snapshot()))).toEqual({ ok: true });
    expect(post.calls).toHaveLength(0);
  });

  it('PG-06: an HTTP error resolves export_failed with the status and gateway message, never throws', async () => {
    const { fetch } = recorder(() => new Response('pushed metrics are invalid or inconsistent', { status: 400 }));
    const r = await new PushgatewayBackend({ url: 'http://gw', job: 'j', fetch }).export(batch(snap));
    expect(r).toEqual({ ok: false, reason: 'export_failed', error: 'Pushgateway answered 400: pushed metrics are invalid or inconsistent' });
  });

  it('a network error resolves export_failed, and header values never appear in the error', async () => {
    const secret = 'Bearer sup3r-s3cret';
    const { fetch } = recorder(() => {
      throw new TypeError(`fetch failed while sending authorization: ${secret}`);
    });
    // timeoutMs shorter than the first backoff: the error of the one attempt, not retried.
    const r = await new PushgatewayBackend({ url: 'http://gw', job: 'j', headers: { authorization: secret }, fetch, timeoutMs: 400 }).export(batch(snap));
    expect(r.ok).toBe(false);
    expect(r.reason).toBe('export_failed');
    expect(r.error).not.toContain('sup3r-s3cret');
    expect(r.error).toContain('[redacted]');
  });

  it("a gateway that cannot be reached: the error says where and why, not only fetch's 'fetch failed'", async () => {
    const { fetch } = recorder(() => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9091') });
    });
    const r = await new PushgatewayBackend({ url: 'http://127.0.0.1:9091', job: 'j', fetch, timeoutMs: 400 }).export(batch(snap));
    expect(r).toEqual({
      ok: false,
      reason: 'export_failed',
      error: expect.stringMatching(/^TypeError: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:9091 \(PUT http:\/\/127\.0\.0\.1:9091\/metrics\/job\/j\); the retry due in \d+ ms is past timeoutMs \(400 ms\)$/),
    });
  });

  it('a slow gateway resolves export_timeout, even when fetch ignores the abort signal', async () => {
    const fetch = () => new Promise<Response>(() => {});
    const r = await new PushgatewayBackend({ url: 'http://gw', job: 'j', fetch, timeoutMs: 50 }).export(batch(snap));
    expect(r).toMatchObject({ ok: false, reason: 'export_timeout' });
  });

  it('PG-05: delete() sends DELETE without a body; requests go out in order; shutdown waits', async () => {
    const order: string[] = [];
    const { calls, fetch } = recorder(async (c) => {
      await new Promise((r) => setTimeout(r, c.method === 'PUT' ? 30 : 1));
      order.push(c.method);
      return new Response(null, { status: c.method === 'DELETE' ? 202 : 200 });
    });
    const b = new PushgatewayBackend({ url: 'http://gw', job: 'j', fetch });
    const put = b.export(batch(snap));
    const del = b.delete();
    expect(await del).toEqual({ ok: true });
    expect(await put).toEqual({ ok: true, rejected: { dataPoints: 1 }, error: expect.stringContaining('push_time_seconds') }); // push_time_seconds left out
    expect(order).toEqual(['PUT', 'DELETE']);
    expect(calls[1]!.body).toBeUndefined();
    await b.shutdown();
    expect(await b.export(batch(snap))).toMatchObject({ ok: false, reason: 'after_shutdown' });
  });
});

describe('a monitor flushing to PushgatewayBackend', () => {
  it('PG-03: a flush after remove() or reset() PUTs the group without the removed series (it used to push nothing, so the gateway kept them)', async () => {
    const { calls, fetch } = recorder();
    const monitor = createMonitor({ serviceName: 's', backends: [new PushgatewayBackend({ url: 'http://gw', job: 'j', fetch })] });
    const c = monitor.metrics.createCounter('removed', 'R', { labelNames: ['k'] });
    const g = monitor.metrics.createGauge('level', 'L');
    c.increment(1, { k: 'x' });
    c.increment(2, { k: 'y' });
    g.set(3);
    await monitor.flush();
    c.remove({ k: 'y' });
    await monitor.flush();
    g.reset();
    await monitor.flush();
    expect(calls.map((call) => call.body!.split('\n').filter((l) => !l.startsWith('#')))).toEqual([
      ['level 3', 'removed_total{k="x"} 1', 'removed_total{k="y"} 2', ''],
      ['level 3', 'removed_total{k="x"} 1', ''],
      ['removed_total{k="x"} 1', ''],
    ]);
    await monitor.shutdown();
  });

  it('PG-03: once the last series is removed, one PUT with an empty body empties the group; POST sends nothing', async () => {
    for (const method of ['PUT', 'POST'] as const) {
      const { calls, fetch } = recorder();
      const monitor = createMonitor({ serviceName: 's', backends: [new PushgatewayBackend({ url: 'http://gw', job: 'j', method, fetch })] });
      const c = monitor.metrics.createCounter('removed', 'R', { labelNames: ['k'] });
      c.increment(1, { k: 'x' });
      await monitor.flush();
      c.remove({ k: 'x' });
      await monitor.flush();
      // A series that comes and goes between two flushes: metrics changed, still none to show.
      // The group is empty already: no second empty push.
      c.increment(2, { k: 'y' });
      c.reset();
      await monitor.flush();
      c.increment(5, { k: 'z' });
      await monitor.flush();
      expect(calls.map((call) => [call.method, call.body!.split('\n').filter((l) => !l.startsWith('#'))])).toEqual(
        method === 'PUT'
          ? [['PUT', ['removed_total{k="x"} 1', '']], ['PUT', ['']], ['PUT', ['removed_total{k="z"} 5', '']]]
          : [['POST', ['removed_total{k="x"} 1', '']], ['POST', ['removed_total{k="z"} 5', '']]],
      );
      await monitor.shutdown();
    }
  });
});
