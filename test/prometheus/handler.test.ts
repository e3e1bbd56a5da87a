import { describe, expect, it } from 'vitest';
import { CONTENT_TYPES, metricsHandler, negotiateFormat, PrometheusBackend, timingSafeEqual } from '../../src/exporters/prometheus/index.js';
import { counter, snapshot, source } from './fixtures.js';
import type { TelemetryBatch } from '../../src/model/batch.js';

const PROM3_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';
const PROM2_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const monitor = source(() => snapshot(counter('hits', 'Hits', '', [[{}, 3]])));
const req = (path = '/metrics', init: RequestInit = {}) => new Request('http://localhost' + path, init);

describe('content negotiation (PT-10)', () => {
  it('PT-10: Prometheus 3 default Accept header chooses OpenMetrics 1.0.0', () => {
    expect(negotiateFormat(PROM3_ACCEPT)).toBe('openmetrics');
  });
  it('PT-10: Prometheus 2.x default Accept header chooses OpenMetrics 1.0.0', () => {
    expect(negotiateFormat(PROM2_ACCEPT)).toBe('openmetrics');
  });
  it('PT-10: falls back to text 0.0.4 for no header, */*, text/plain, or OM weighted lower', () => {
    expect(negotiateFormat(null)).toBe('text');
    expect(negotiateFormat('')).toBe('text');
    expect(negotiateFormat('*/*')).toBe('text');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;version=1.0.0;q=0.2, text/plain;q=0.9')).toBe('text');
    expect(negotiateFormat('application/json')).toBe('text');
  });
  it('PT-10: q=0 means not acceptable; unsupported versions do not count', () => {
    expect(negotiateFormat('application/openmetrics-text;q=0, */*;q=0.1')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;version=0.0.1')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text; version="1.0.0"; q=0.9, text/plain; q=0.8')).toBe('openmetrics');
    expect(negotiateFormat('APPLICATION/OPENMETRICS-TEXT')).toBe('openmetrics');
  });
  it('PT-10: the most specific matching range sets a format\'s weight (RFC 9110 §12.5.1), so */* cannot undo text/plain;q=0', () => {
    expect(negotiateFormat('text/plain;q=0, */*')).toBe('openmetrics');
    expect(negotiateFormat('text/plain;version=0.0.4;q=0.1, */*;q=0.5')).toBe('openmetrics');
    expect(negotiateFormat('text/*;q=0.1, */*;q=0.5')).toBe('openmetrics');
    expect(negotiateFormat('application/*;q=0, */*')).toBe('text');
    expect(negotiateFormat('text/plain;q=0, application/openmetrics-text;q=0')).toBe('text');
  });
});

describe('metricsHandler', () => {
  it('PT-01, PT-10: replies with exactly one concrete Content-Type per negotiated format, no-store', async () => {
    const handle = metricsHandler(monitor);
    const text = (await handle(req('/metrics', { headers: { accept: 'text/plain' } })))!;
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.headers.get('cache-control')).toBe('no-store');
    expect(await text.text()).toBe('# HELP hits_total Hits\n# TYPE hits_total counter\nhits_total 3\n');
    const om = (await handle(req('/metrics', { headers: { accept: PROM3_ACCEPT } })))!;
    expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores');
    expect(await om.text()).toBe('# TYPE hits counter\n# HELP hits Hits\nhits_total 3\n# EOF\n');
  });

  it('resolves undefined for other paths; a custom path; ignores the query string', async () => {
    const handle = metricsHandler(monitor, { path: '/internal/metrics' });
    expect(await handle(req('/metrics'))).toBeUndefined();
    expect((await handle(req('/internal/metrics?x=1')))!.status).toBe(200);
  });

  it('405 with Allow for methods other than GET and HEAD; HEAD has headers and no body', async () => {
    const handle = metricsHandler(monitor);
    const post = (await handle(req('/metrics', { method: 'POST' })))!;
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = (await handle(req('/metrics', { method: 'HEAD' })))!;
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(CONTENT_TYPES.text);
    expect(await head.text()).toBe('');
  });

  it('forced format ignores Accept', async () => {
    const handle = metricsHandler(monitor, { format: 'openmetrics' });
    const res = (await handle(req('/metrics')))!;
    expect(res.headers.get('content-type')).toBe(CONTENT_TYPES.openmetrics);
  });

  it('bearer auth: the auth-scheme is case-insensitive and may be followed by several spaces (RFC 9110 §11.1)', async () => {
    const handle = metricsHandler(monitor, { auth: { bearerToken: 's3cret-token' } });
    for (const authorization of ['bearer s3cret-token', 'BEARER s3cret-token', 'bEaReR   s3cret-token']) {
      expect((await handle(req('/metrics', { headers: { authorization } })))!.status, authorization).toBe(200);
    }
    // The token itself stays case-sensitive.
    expect((await handle(req('/metrics', { headers: { authorization: 'bearer S3CRET-TOKEN' } })))!.status).toBe(401);
  });

  it('bearer auth: right token 200; wrong or missing 401 with WWW-Authenticate', async () => {
    const handle = metricsHandler(monitor, { auth: { bearerToken: 's3cret-token' } });
    expect((await handle(req('/metrics', { headers: { authorization: 'Bearer s3cret-token' } })))!.status).toBe(200);
    const variants: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: 'Bearer s3cret-token-and-more' }, { authorization: 'Basic czNjcmV0' }, { authorization: 's3cret-token' }, { authorization: 'Bearers3cret-token' }, { authorization: 'Token s3cret-token' }];
    for (const headers of variants) {
      const res = (await handle(req('/metrics', { headers })))!;
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain('hits');
    }
  });

  it('basic auth: right credentials 200 (UTF-8 password); wrong, missing or malformed 401', async () => {
    const handle = metricsHandler(monitor, { auth: { username: 'prom', password: 'pä:ss' } });
    const good = 'Basic ' + btoa(String.fromCharCode(...new TextEncoder().encode('prom:pä:ss')));
    expect((await handle(req('/metrics', { headers: { authorization: good } })))!.status).toBe(200);
    for (const authorization of [undefined, 'Basic ' + btoa('prom:wrong'), 'Basic !!!notbase64', 'Bearer pä:ss', 'Basic ' + btoa('prom')]) {
      const res = (await handle(req('/metrics', { headers: authorization ? { authorization } : {} })))!;
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="metrics", charset="UTF-8"');
    }
  });

  it('predicate auth (sync and async); a throwing predicate gives 500 without details', async () => {
    const allow = metricsHandler(monitor, { auth: async (r) => r.headers.get('x-key') === 'k' });
    expect((await allow(req('/metrics', { headers: { 'x-key': 'k' } })))!.status).toBe(200);
    expect((await allow(req('/metrics')))!.status).toBe(401);
    const broken = metricsHandler(monitor, {
      auth: () => {
        throw new Error('db down: password=hunter2');
      },
    });
    const res = (await broken(req('/metrics')))!;
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('hunter2');
  });

  it('bad configuration throws at construction, naming the option', () => {
    expect(() => metricsHandler(monitor, { auth: { bearerToken: '' } })).toThrow(/bearerToken/);
    expect(() => metricsHandler(monitor, { auth: { username: '', password: 'x' } })).toThrow(/username/);
    expect(() => metricsHandler(monitor, { path: 'metrics' })).toThrow(/path/);
    expect(() => metricsHandler(monitor, { format: 'json' as never })).toThrow(/format/);
    // A misspelled `auth` left /metrics open to anyone, unnoticed.
    expect(() => metricsHandler(monitor, { auht: { bearerToken: 't' } } as never)).toThrow(/^metricsHandler: unknown option `auht`; known options are path, auth, format, onDrop, compression, withoutTargetInfo, withoutScopeInfo, withResourceConstantLabels\.$/);
    // An auth of none of the three shapes named Basic's fields only.
    expect(() => metricsHandler(monitor, { auth: { bearer: 't' } as never })).toThrow(/^metricsHandler auth: use \{ bearerToken \}, \{ username, password \} or a function$/);
    expect(() => metricsHandler(monitor, { auth: null as never })).toThrow(/^metricsHandler auth: use/);
  });

  it('a failing collect gives 500 and does not throw', async () => {
    const handle = metricsHandler({ metrics: { collect: () => { throw new Error('boom'); } } });
    const res = (await handle(req('/metrics')))!;
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('boom');
  });

  it('timingSafeEqual compares by content, whatever the lengths', async () => {
    expect(await timingSafeEqual('abc', 'abc')).toBe(true);
    expect(await timingSafeEqual('abc', 'abd')).toBe(false);
    expect(await timingSafeEqual('abc', 'abcd')).toBe(false);
    expect(await timingSafeEqual('', '')).toBe(true);
  });
});

describe('PrometheusBackend', () => {
  const batch: TelemetryBatch = { resource: { attributes: {} }, scope: { name: 't' }, spans: [], logs: [] };

  it('is a pull backend: temporality none, export is a no-op success', async () => {
    const backend = new PrometheusBackend();
    expect(backend.name).toBe('prometheus');
    expect(backend.temporality).toBe('none');
    expect(await backend.export(batch)).toEqual({ ok: true });
    await backend.forceFlush();
    await backend.shutdown();
  });

  it('serves the configured path, auth and format through handler(monitor); render(monitor) renders', async () => {
    const backend = new PrometheusBackend({ path: '/m', auth: { bearerToken: 't' }, format: 'openmetrics' });
    const handle = backend.handler(monitor);
    expect(await handle(req('/metrics'))).toBeUndefined();
    expect((await handle(req('/m')))!.status).toBe(401);
    const ok = (await handle(req('/m', { headers: { authorization: 'Bearer t' } })))!;
    expect(ok.headers.get('content-type')).toBe(CONTENT_TYPES.openmetrics);
    expect(backend.render(monitor)).toContain('# EOF\n');
    expect(backend.render(monitor, 'text')).toBe('# HELP hits_total Hits\n# TYPE hits_total counter\nhits_total 3\n');
  });

  it('rejects bad configuration at construction', () => {
    expect(() => new PrometheusBackend({ auth: { bearerToken: '' } })).toThrow(/bearerToken/);
    expect(() => new PrometheusBackend({ pth: '/m' } as never)).toThrow(/^PrometheusBackend: unknown option `pth`; known options are path, auth, format, onDrop, compression, withoutTargetInfo, withoutScopeInfo, withResourceConstantLabels\.$/);
  });

  it('configuration errors name PrometheusBackend, the API that was called, not metricsHandler', () => {
    // A token read from an unset environment variable is the usual way to get here.
    expect(() => new PrometheusBackend({ auth: { bearerToken: undefined as never } })).toThrow(/^PrometheusBackend auth\.bearerToken must be a non-empty string$/);
    expect(() => new PrometheusBackend({ auth: { username: 'a:b', password: 'p' } })).toThrow(/^PrometheusBackend auth\.username must not contain ":"$/);
    expect(() => new PrometheusBackend({ path: 'metrics' })).toThrow(/^PrometheusBackend option "path" must start with "\/", got "metrics"$/);
    expect(() => new PrometheusBackend({ format: 'json' as never })).toThrow(/^PrometheusBackend option "format"/);
    expect(() => new PrometheusBackend({ compression: 'br' as never })).toThrow(/^PrometheusBackend option "compression"/);
    expect(() => new PrometheusBackend({ onDrop: 1 as never })).toThrow(/^PrometheusBackend option "onDrop"/);
    expect(() => new PrometheusBackend().handler(undefined as never)).toThrow(/^PrometheusBackend\.handler: the first argument must be the monitor/);
    // metricsHandler itself still says metricsHandler.
    expect(() => metricsHandler(monitor, { path: 'metrics' })).toThrow(/^metricsHandler option "path"/);
  });
});
