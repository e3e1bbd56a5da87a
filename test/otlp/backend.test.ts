import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EXPORTER_REQUEST, isExporterRequest, OTLP_EXPORTER_VERSION, OtlpBackend, otlpOptionsFromEnv } from '../../src/exporters/otlp/index.js';
import type { Diagnostic } from '../../src/model/batch.js';
import { canonical } from './helpers/canonical.js';
import { expectedLogs, expectedMetrics, expectedTraces } from './helpers/expected.js';
import { batch } from './helpers/fixtures.js';
import { decodeProto, type Signal } from './helpers/proto-decoder.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

const expected = { traces: expectedTraces, metrics: expectedMetrics, logs: expectedLogs };

function signalOf(path: string): Signal {
  return path.endsWith('/v1/traces') ? 'traces' : path.endsWith('/v1/metrics') ? 'metrics' : 'logs';
}

describe('OtlpBackend against a local receiver', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    for (const compression of ['none', 'gzip'] as const) {
      it(`sends one POST per signal, decoded field by field (${protocol}, ${compression})`, async () => {
        const start = rx.requests.length;
        const b = batch({ spans: true, logs: true, metrics: 'cumulative' });
        const backend = new OtlpBackend({ endpoint: rx.url, protocol, compression, headers: { 'x-api-key': 'k-123456' } });
        expect(backend.temporality).toBe('delta');
        const result = await backend.export(b);
        expect(result).toEqual({ ok: true });
        const reqs = rx.requests.slice(start);
        expect(reqs.map((r) => r.path).sort()).toEqual(['/v1/logs', '/v1/metrics', '/v1/traces']);
        for (const r of reqs) {
          expect(r.method).toBe('POST'); // OTLP-01
          expect(r.headers['content-type']).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf'); // OTLP-03
          expect(r.headers['user-agent']).toBe(`lexigram-monitor-otlp/${OTLP_EXPORTER_VERSION}`); // OTLP-12
          expect(r.headers['x-api-key']).toBe('k-123456');
          expect(r.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined); // OTLP-04
          if (compression === 'gzip') expect(r.rawLength).toBeLessThan(r.body.length);
          const signal = signalOf(r.path);
          const decoded = protocol === 'http/json' ? JSON.parse(r.body.toString('utf8')) : decodeProto(signal, r.body);
          expect(canonical(decoded)).toEqual(canonical(expected[signal](b)));
        }
        await backend.shutdown();
      });
    }
  }

  it('ENV-01/ENV-03, OTLP-03, OTLP-12: header names merge case-insensitively, each sent once', async () => {
    const start = rx.requests.length;
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer generic,X-Tenant=acme',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Bearer traces',
    };
    const fromEnv = new OtlpBackend(otlpOptionsFromEnv(env));
    expect(await fromEnv.export(batch({ spans: true, logs: true, metrics: false }))).toEqual({ ok: true });
    const byPath = Object.fromEntries(rx.requests.slice(start).map((r) => [r.path, r.headers]));
    expect(byPath['/v1/traces']).toMatchObject({ authorization: 'Bearer traces', 'x-tenant': 'acme' }); // per-signal wins
    expect(byPath['/v1/logs']).toMatchObject({ authorization: 'Bearer generic', 'x-tenant': 'acme' });
    await fromEnv.shutdown();

    const mark = rx.requests.length;
    const backend = new OtlpBackend({
      endpoint: rx.url,
      protocol: 'http/json',
      compression: 'gzip',
      headers: { 'content-type': 'text/plain', 'USER-AGENT': 'my-app/2.0', 'content-encoding': 'br', 'X-Key': 'generic' },
      tracesHeaders: { 'x-key': 'traces' },
    });
    expect(await backend.export(batch({ spans: true }))).toEqual({ ok: true });
    const [r] = rx.requests.slice(mark);
    // The body decides Content-Type and Content-Encoding; a user agent goes in front of the exporter's.
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['user-agent']).toBe(`my-app/2.0 lexigram-monitor-otlp/${OTLP_EXPORTER_VERSION}`);
    expect(r.headers['x-key']).toBe('traces');
    expect(JSON.parse(r.body.toString('utf8')).resourceSpans).toHaveLength(1);
    await backend.shutdown();
  });

  it('skips empty signals and honours `signals`', async () => {
    const start = rx.requests.length;
    const backend = new OtlpBackend({ endpoint: rx.url, signals: ['traces', 'logs'] });
    expect(backend.temporality).toBe('none');
    expect(await backend.export(batch({ spans: false, logs: true, metrics: true }))).toEqual({ ok: true });
    expect(await backend.export(batch({ spans: false, logs: false, metrics: false }))).toEqual({ ok: true });
    expect(rx.requests.slice(start).map((r) => r.path)).toEqual(['/v1/logs']);
  });

  it('ENV-02: per-signal endpoints are used as is', async () => {
    const start = rx.requests.length;
    const backend = new OtlpBackend({ endpoint: rx.url + '/base', tracesEndpoint: rx.url + '/custom/spans', logsEndpoint: rx.url });
    await backend.export(batch());
    expect(rx.requests.slice(start).map((r) => r.path).sort()).toEqual(['/', '/base/v1/metrics', '/custom/spans']);
    expect(backend.urls).toEqual({ traces: rx.url + '/custom/spans', metrics: rx.url + '/base/v1/metrics', logs: rx.url + '/' });
  });

  it('marks its own requests: EXPORTER_REQUEST on the init, URL registry while alive, ownsUrl', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const backend = new OtlpBackend({
      endpoint: 'http://collector.test:4318',
      fetch: async (url, init) => {
        seen.push({ url, init });
        return new Response(null, { status: 200 });
      },
    });
    await backend.export(batch({ spans: true }));
    expect((seen[0].init as Record<symbol, unknown>)[EXPORTER_REQUEST]).toBe(true);
    expect(isExporterRequest('http://example.com/', seen[0].init)).toBe(true);
    expect(isExporterRequest('http://collector.test:4318/v1/traces')).toBe(true);
    expect(isExporterRequest(new URL('http://COLLECTOR.test:4318/v1/logs'))).toBe(true);
    expect(isExporterRequest(new Request('http://collector.test:4318/v1/metrics', { method: 'POST' }))).toBe(true);
    expect(isExporterRequest('http://collector.test:4318/other')).toBe(false);
    expect(backend.ownsUrl('http://collector.test:4318/v1/traces')).toBe(true);
    expect(backend.ownsUrl('http://elsewhere/v1/traces')).toBe(false);
    await backend.shutdown();
    expect(isExporterRequest('http://collector.test:4318/v1/traces')).toBe(false);
    expect(await backend.export(batch())).toMatchObject({ ok: false, reason: 'after_shutdown' });
  });

  it('forceFlush waits for exports in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const backend = new OtlpBackend({
      fetch: async () => {
        await gate;
        return new Response(null, { status: 200 });
      },
    });
    let settled = false;
    void backend.export(batch({ spans: true })).then(() => (settled = true));
    const flushed = backend.forceFlush();
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    release();
    await flushed;
    expect(settled).toBe(true);
  });

  it('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(OTLP_EXPORTER_VERSION).toBe(pkg.version);
  });

  it('never leaks header values into diagnostics, even when the server echoes them', async () => {
    const diags: Diagnostic[] = [];
    const r2 = await startReceiver((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('bad key ' + req.headers.authorization);
    });
    const backend = new OtlpBackend({ endpoint: r2.url, headers: { authorization: 'Bearer SECRET-TOKEN-123' }, onDiagnostic: (d) => diags.push(d) });
    const result = await backend.export(batch({ spans: true }));
    await r2.close();
    expect(result.ok).toBe(false);
    expect(diags.length).toBeGreaterThan(0);
    const text = JSON.stringify({ result, diags });
    expect(text).not.toContain('SECRET-TOKEN-123');
    expect(text).toContain('[redacted]');
  });
});
