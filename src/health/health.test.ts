import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { functionCheck } from './function-check.js';
import { HealthCheckProvider, healthHandler } from './handler.js';
import { httpCheck } from './http-check.js';
import { HealthCheckRegistry } from './registry.js';
import { HealthStatus, type HealthCheck } from './status.js';

const never = (): Promise<never> => new Promise(() => {});
const get = (path: string, headers?: Record<string, string>, method = 'GET') => new Request(`http://svc.local${path}`, { headers, method });

describe('HealthCheckRegistry', () => {
  it('a timeout longer than timers allow (30 days) is clamped, not fired at once', async () => {
    const r = new HealthCheckRegistry()
      .register('slow-fn', () => new Promise((res) => setTimeout(() => res(HealthStatus.HEALTHY), 150)), { timeoutSeconds: 30 * 86400 });
    const report = await r.checkAll();
    expect(report.checks['slow-fn']).toMatchObject({ status: 'healthy' });
  });

  it('runs checks in parallel under their timeouts: hang, throw, degraded', async () => {
    const { monitor } = createTestMonitor();
    const db: HealthCheck = { check: async () => ({ component: 'postgres', status: HealthStatus.HEALTHY, latencyMs: 2, details: { pool: 5 } }) };
    const searchTimeoutMs = 200;
    monitor.health
      .register('database', db)
      .register('search', never, { timeoutSeconds: searchTimeoutMs / 1000 })
      .register('cache', () => {
        throw new Error('ECONNREFUSED 10.0.0.3:6379');
      }, { critical: false })
      .register('queue', () => HealthStatus.DEGRADED);
    const t0 = Date.now();
    const report = await monitor.health.checkAll();
    // A bound on time is the property here (the hung check is given up at its own timeout): 15×
    // that timeout, so a loaded machine's late timers pass, and still under the 5 s default.
    expect(Date.now() - t0).toBeLessThan(15 * searchTimeoutMs);
    expect(report.status).toBe(HealthStatus.UNHEALTHY); // search is critical (the default) and hung
    expect(report.checks.search).toMatchObject({ component: 'search', status: 'unhealthy', error: 'timed out after 0.2 s', critical: true });
    expect(report.checks.cache).toMatchObject({ status: 'unhealthy', error: 'ECONNREFUSED 10.0.0.3:6379', critical: false });
    expect(report.checks.database).toMatchObject({ component: 'postgres', status: 'healthy', latencyMs: 2, details: { pool: 5 } });
    expect(report.checks.queue.status).toBe('degraded');
    expect(Object.keys(report.checks)).toEqual(['database', 'search', 'cache', 'queue']);

    const gauge = monitor.metrics.collect().metrics.find((m) => m.name === 'health_check_status') as CounterMetric;
    expect(Object.fromEntries(gauge.points.map((p) => [p.attributes.check, p.value]))).toEqual({ database: 1, search: 0, cache: 0, queue: 0.5 });

    expect(monitor.health.unregister('search')).toBe(true);
    expect((await monitor.health.checkAll()).status).toBe(HealthStatus.DEGRADED); // only a non-critical failure and a degraded check
    monitor.health.unregister('cache');
    monitor.health.unregister('queue');
    expect((await monitor.health.checkAll()).status).toBe(HealthStatus.HEALTHY);
    expect(monitor.health).toBe(monitor.health); // one lazily created registry
  });

  it('the timeout aborts the signal a check receives', async () => {
    let aborted = false;
    const r = new HealthCheckRegistry().register('slow', (_t, signal) => new Promise(() => signal?.addEventListener('abort', () => (aborted = true))), { timeoutSeconds: 0.05 });
    await r.checkAll();
    expect(aborted).toBe(true);
  });

  it('a check unregistered while checkAll() runs leaves no gauge series, alert or report entry behind', async () => {
    const { monitor } = createTestMonitor();
    const alerts: string[] = [];
    monitor.health.notifier = { notify: (a) => alerts.push(`${a.key} ${a.state}`) };
    monitor.health
      .register('legacy-db', () => new Promise<boolean>((res) => setTimeout(() => res(false), 30)))
      .register('cache', () => new Promise<boolean>((res) => setTimeout(() => res(true), 30)));
    const run = monitor.health.checkAll();
    monitor.health.unregister('legacy-db');
    const report = await run;
    expect([report.status, Object.keys(report.checks)]).toEqual([HealthStatus.HEALTHY, ['cache']]);
    await monitor.health.checkAll();
    const gauge = monitor.metrics.collect().metrics.find((m) => m.name === 'health_check_status')!;
    expect(gauge.points.map((p) => p.attributes)).toEqual([{ check: 'cache' }]);
    expect(alerts).toEqual([]);
  });

  it('refuses bad registrations at registration time', () => {
    const r = new HealthCheckRegistry();
    expect(() => r.register('', () => true)).toThrow();
    expect(() => r.register('x', {} as HealthCheck)).toThrow();
    expect(() => r.register('x', () => true, { timeoutSeconds: 0 })).toThrow(/timeoutSeconds/);
  });

  it('functionCheck accepts booleans, statuses, results and nothing', async () => {
    expect((await functionCheck(() => false, 'a').check(1)).status).toBe('unhealthy');
    expect((await functionCheck(() => undefined, 'a').check(1)).status).toBe('healthy');
    expect((await functionCheck(async () => ({ status: HealthStatus.DEGRADED, error: 'slow' }), 'a').check(1))).toMatchObject({ component: 'a', status: 'degraded', error: 'slow' });
  });

  it('a result with an error but no status is unhealthy; an explicit status still wins', async () => {
    expect(await functionCheck(() => ({ error: 'pool exhausted' }), 'db').check(1)).toMatchObject({ component: 'db', status: 'unhealthy', error: 'pool exhausted' });
    // The same through the registry, where a plain function is wrapped by runCheck/toResult.
    const r = new HealthCheckRegistry();
    r.register('db', () => ({ error: new Error('down').message }));
    expect((await r.checkAll()).checks.db).toMatchObject({ status: 'unhealthy', error: 'down' });
    expect((await functionCheck(() => ({ status: HealthStatus.HEALTHY, error: 'noted' }), 'a').check(1)).status).toBe('healthy');
    expect((await functionCheck(() => ({ status: HealthStatus.DEGRADED, error: 'slow' }), 'a').check(1)).status).toBe('degraded');
    // No error (absent, null or empty) and no status: still healthy, with no error text.
    expect(await functionCheck(() => ({ details: { v: 1 } }), 'a').check(1)).toMatchObject({ status: 'healthy' });
    const nul = await functionCheck(() => ({ error: null as unknown as string }), 'a').check(1);
    expect(nul.status).toBe('healthy');
    expect(nul.error).toBeUndefined();
    expect((await functionCheck(() => ({ error: '' }), 'a').check(1)).status).toBe('healthy');
  });

  it('a value no check may return is unhealthy with an error saying what may be returned', async () => {
    expect(await functionCheck(() => 'yes' as never, 'a').check(1)).toMatchObject({
      status: 'unhealthy',
      error: 'returned a string, not a result, HealthStatus or boolean',
    });
    // A status that is not a HealthStatus ('ok') failed with no error text at all.
    expect(await functionCheck(() => ({ status: 'ok' as never }), 'a').check(1)).toMatchObject({
      status: 'unhealthy',
      error: 'status ok is not a HealthStatus',
    });
  });
});

describe('httpCheck', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.statusCode = req.url === '/down' ? 503 : 200;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('2xx healthy, 503 unhealthy, a hang times out', async () => {
    const r = new HealthCheckRegistry()
      .register('ok', httpCheck(`${base}/ok`))
      .register('down', httpCheck(`${base}/down`))
      .register('hang', httpCheck(`${base}/hang`), { timeoutSeconds: 0.3 })
      .register('picky', httpCheck(`${base}/down`, { expectStatus: [200, 503] }));
    const { checks } = await r.checkAll();
    expect(checks.ok.status).toBe('healthy');
    expect(checks.down).toMatchObject({ status: 'unhealthy', error: 'HTTP 503' });
    expect(checks.hang).toMatchObject({ status: 'unhealthy', error: 'timed out after 0.3 s' });
    expect(checks.picky.status).toBe('healthy');
  });

  it('rejects a malformed URL at construction', () => {
    expect(() => httpCheck('nope')).toThrow();
  });
});

describe('healthHandler through Request/Response', () => {
  function setup() {
    const { monitor } = createTestMonitor();
    const calls = { db: 0 };
    let dbUp = true;
    monitor.health
      .register('database', () => {
        calls.db++;
        if (!dbUp) throw new Error('password authentication failed for user "app"');
      })
      .register('search', never, { timeoutSeconds: 0.1, critical: false })
      .register('cache', () => HealthStatus.DEGRADED, { critical: false });
    return { monitor, calls, setDb: (up: boolean) => (dbUp = up) };
  }

  it('200 warn with one entry per check; 503 fail when a critical check fails; no error text by default', async () => {
    const { monitor, setDb } = setup();
    const handle = healthHandler(monitor);
    const res = (await handle(get('/health')))!;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/health+json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string; output?: string }[]> };
    expect(body.status).toBe('warn');
    expect(Object.keys(body.checks)).toEqual(['database', 'search', 'cache']);
    expect(body.checks.database[0]).toEqual({ componentId: 'database', status: 'pass' });
    expect(body.checks.search[0]).toEqual({ componentId: 'search', status: 'fail' });
    expect(body.checks.cache[0].status).toBe('warn');

    setDb(false);
    const down = (await handle(get('/health')))!;
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(JSON.parse(text).status).toBe('fail');
    expect(text).not.toContain('password');
    expect(text).not.toContain('timed out');
  });

  it("details: 'full' shows error text, latency and details; 'none' only the status", async () => {
    const { monitor, setDb } = setup();
    setDb(false);
    const full = await (await healthHandler(monitor, { details: 'full' })(get('/health')))!.json();
    expect(full.checks.database[0]).toMatchObject({ status: 'fail', output: 'password authentication failed for user "app"', observedUnit: 'ms', critical: true });
    expect(full.checks.search[0].output).toBe('timed out after 0.1 s');
    expect(typeof full.checks.search[0].observedValue).toBe('number');
    expect(full.serviceId).toBe('test');
    const none = await (await healthHandler(monitor, { details: 'none' })(get('/health')))!.json();
    expect(none).toEqual({ status: 'fail' });
  });

  it('auth: bearer and basic callers get full details; others learn only pass/fail', async () => {
    const { monitor, setDb } = setup();
    setDb(false);
    const bearer = healthHandler(monitor, { auth: { bearerToken: 's3cret' } });
    const anon = await (await bearer(get('/health')))!.text();
    expect(anon).not.toContain('password');
    const wrong = await (await bearer(get('/health', { authorization: 'Bearer nope' })))!.text();
    expect(wrong).not.toContain('password');
    const ok = await (await bearer(get('/health', { authorization: 'Bearer s3cret' })))!.json();
    expect(ok.checks.database[0].output).toContain('password authentication failed');

    const basic = healthHandler(monitor, { auth: { username: 'ops', password: 'pw' } });
    const good = await (await basic(get('/health', { authorization: `Basic ${btoa('ops:pw')}` })))!.json();
    expect(good.checks.database[0].output).toBeDefined();
    const bad = await (await basic(get('/health', { authorization: `Basic ${btoa('ops:no')}` })))!.json();
    // With auth configured, an unauthorised caller learns the overall status only.
    expect(bad).toEqual({ status: 'fail' });
  });

  it('auth: a function of the request is asked on every request, whatever header it reads', async () => {
    const { monitor, setDb } = setup();
    setDb(false);
    let calls = 0;
    const handle = healthHandler(monitor, { auth: (req) => (calls++, req.headers.get('x-health-key') === 'k1') });
    const ok = await (await handle(get('/health', { 'x-health-key': 'k1' })))!.json();
    expect(ok.checks.database[0].output).toContain('password authentication failed');
    const anon = await (await handle(get('/health', { 'x-health-key': 'nope' })))!.json();
    expect(anon).toEqual({ status: 'fail' });
    expect(calls).toBe(2);
  });

  it('cacheSeconds: repeated and concurrent requests share one check run', async () => {
    const { monitor, calls } = setup();
    const handle = healthHandler(monitor, { cacheSeconds: 60 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => handle(get('/health'))));
    expect(responses.every((r) => r!.status === 200)).toBe(true);
    await handle(get('/health'));
    expect(calls.db).toBe(1);

    const uncached = healthHandler(monitor); // default: only concurrent requests share
    await Promise.all([uncached(get('/health')), uncached(get('/health'))]);
    expect(calls.db).toBe(2);
    await uncached(get('/health'));
    expect(calls.db).toBe(3);
  });

  it('liveness, readiness, other paths, methods, HEAD and the HealthCheckProvider alias', async () => {
    const { monitor, calls, setDb } = setup();
    const handle = HealthCheckProvider(monitor, { path: '/healthz', livenessPath: '/live', readinessPath: '/ready' });
    expect(await handle(get('/health'))).toBeUndefined();
    expect(await handle(get('/other'))).toBeUndefined();
    const live = (await handle(get('/live')))!;
    expect([live.status, await live.json()]).toEqual([200, { status: 'pass' }]);
    expect(calls.db).toBe(0); // liveness runs no checks
    setDb(false);
    expect((await handle(get('/ready')))!.status).toBe(503);
    expect((await handle(get('/healthz?x=1')))!.status).toBe(503);
    const head = (await handle(get('/healthz', {}, 'HEAD')))!;
    expect([head.status, await head.text()]).toEqual([503, '']);
    const post = (await handle(get('/healthz', {}, 'POST')))!;
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('works on a bare registry and refuses bad options', async () => {
    const r = new HealthCheckRegistry().register('a', () => true);
    const res = (await healthHandler(r)(get('/health')))!;
    expect(await res.json()).toEqual({ status: 'pass', checks: { a: [{ componentId: 'a', status: 'pass' }] } });
    expect(() => healthHandler(r, { details: 'all' as never })).toThrow(/details/);
    expect(() => healthHandler(r, { cacheSeconds: -1 })).toThrow(/cacheSeconds/);
    expect(() => healthHandler(r, { auth: { bearerToken: '' } })).toThrow(/^healthHandler auth\.bearerToken must be a non-empty string$/);
    // A misspelled option left its default in force unnoticed (no cache, or no auth at all).
    expect(() => healthHandler(r, { cacheSecond: 5 } as never)).toThrow(
      /^healthHandler: unknown option `cacheSecond`; known options are path, livenessPath, readinessPath, cacheSeconds, details, auth\.$/,
    );
  });
});
