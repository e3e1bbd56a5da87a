import { afterEach, describe, expect, it } from 'vitest';
import { createTestMonitor } from '../../testing/index.js';
import { metricsHandler } from './handler.js';
import { PrometheusBackend } from './backend.js';
import { acceptsGzip } from './negotiate.js';
import { VERSION } from '../../version.js';

/** The scope labels every series carries by default (MET-13). */
const S = `otel_scope_name="@lexigram/monitor",otel_scope_version="${VERSION}"`;

// A scrape of some size: 300 series, as a real service exposes.
function busy() {
  const { monitor } = createTestMonitor();
  const c = monitor.metrics.createCounter('http.requests', 'Requests served', { labelNames: ['route', 'status'] });
  for (let i = 0; i < 300; i++) c.increment(i, { route: `/users/${i}`, status: String(200 + (i % 5)) });
  return monitor;
}

const get = (headers: Record<string, string> = {}, method = 'GET') => new Request('http://x/metrics', { method, headers });

async function gunzip(res: Response): Promise<string> {
  return new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))).text();
}

describe('Accept-Encoding (RFC 9110 §12.5.3)', () => {
  it('gzip is taken when listed or covered by * with q > 0, case-insensitively', () => {
    for (const v of ['gzip', 'GZip', 'x-gzip', 'br, gzip;q=0.5', 'gzip, deflate, br', '*', 'identity;q=0.5, *;q=0.1', 'gzip ; q=1.0']) {
      expect([v, acceptsGzip(v)]).toEqual([v, true]);
    }
  });
  it('q=0, a named gzip;q=0 under *, malformed q, identity only and no header mean identity', () => {
    for (const v of [null, undefined, '', 'identity', 'br, deflate', 'gzip;q=0', 'gzip;q=0.000', 'gzip;q=0, *', '*;q=0', 'br, *;q=0', 'gzip;q=x', 'gzip;q=2']) {
      expect([v, acceptsGzip(v)]).toEqual([v, false]);
    }
  });
});

describe('metricsHandler gzip', () => {
  const real = globalThis.CompressionStream;
  afterEach(() => {
    globalThis.CompressionStream = real;
  });

  it('gzips for Accept-Encoding: gzip; the body decodes to the uncompressed render, in both formats', async () => {
    const handle = metricsHandler(busy());
    for (const accept of ['text/plain', 'application/openmetrics-text']) {
      const plain = (await handle(get({ accept })))!;
      const zipped = (await handle(get({ accept, 'accept-encoding': 'gzip' })))!;
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(zipped.headers.get('content-encoding')).toBe('gzip');
      expect(zipped.headers.get('vary')).toBe('Accept, Accept-Encoding');
      expect(zipped.headers.get('content-type')).toBe(plain.headers.get('content-type'));
      const text = await plain.text();
      const bytes = new Uint8Array(await zipped.clone().arrayBuffer());
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
      expect(bytes.length).toBeLessThan(text.length / 5);
      expect(await gunzip(zipped)).toBe(text);
      expect(text).toContain(`http_requests_total{route="/users/299",status="204",${S}} 299`);
    }
  });

  it('HEAD carries the headers GET would, without a body', async () => {
    const res = (await metricsHandler(busy())(get({ 'accept-encoding': 'gzip' }, 'HEAD')))!;
    expect([res.status, res.headers.get('content-encoding'), res.body]).toEqual([200, 'gzip', null]);
  });

  it('a 401 stays small and uncompressed', async () => {
    const res = (await metricsHandler(busy(), { auth: { bearerToken: 't' } })(get({ 'accept-encoding': 'gzip' })))!;
    expect([res.status, res.headers.get('content-encoding'), await res.text()]).toEqual([401, null, 'unauthorized\n']);
  });

  it('compression: "none" (also through PrometheusBackend) and a runtime without CompressionStream send it as is', async () => {
    const monitor = busy();
    const off = [metricsHandler(monitor, { compression: 'none' }), new PrometheusBackend({ compression: 'none' }).handler(monitor)];
    globalThis.CompressionStream = undefined as never;
    off.push(metricsHandler(monitor));
    for (const handle of off) {
      const res = (await handle(get({ 'accept-encoding': 'gzip' })))!;
      expect([res.headers.get('content-encoding'), res.headers.get('vary')]).toEqual([null, 'Accept']);
      expect(await res.text()).toContain(`http_requests_total{route="/users/299",status="204",${S}} 299`);
    }
    globalThis.CompressionStream = real;
    expect((await new PrometheusBackend().handler(monitor)(get({ 'accept-encoding': 'gzip' })))!.headers.get('content-encoding')).toBe('gzip');
  });

  it('a CompressionStream that throws when made: the scrape still gets the body, uncompressed', async () => {
    const monitor = busy();
    const handle = metricsHandler(monitor);
    globalThis.CompressionStream = class {
      constructor() {
        throw new Error('broken compressor');
      }
    } as never;
    try {
      const res = (await handle(get({ 'accept-encoding': 'gzip' })))!;
      expect([res.status, res.headers.get('content-encoding')]).toEqual([200, null]);
      expect(await res.text()).toContain(`http_requests_total{route="/users/299",status="204",${S}} 299`);
    } finally {
      globalThis.CompressionStream = real;
    }
  });

  it('a wrong or misspelt compression option throws at construction', () => {
    expect(() => metricsHandler(busy(), { compression: false } as never)).toThrow('metricsHandler option "compression" must be "gzip" or "none"');
    expect(() => metricsHandler(busy(), { compresion: 'none' } as never)).toThrow(/unknown option `compresion`/);
    expect(() => new PrometheusBackend({ compression: 'br' } as never)).toThrow(/"compression" must be "gzip" or "none"/);
  });
});
