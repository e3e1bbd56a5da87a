import { describe, expect, it, vi } from 'vitest';
import { OtlpBackend, otlpOptionsFromEnv, parseOtlpHeaders, perSignalUrl, signalUrlFromBase, type OtlpBackendOptions, type OtlpRetryOptions } from '../../src/exporters/otlp/index.js';
import { backoffMs, parseRetryAfter } from '../../src/exporters/otlp/retry.js';
import { withEnv } from '../../src/adapter/monitor-from-config.js';
import { createMonitor } from '../../src/index.js';

describe('ENV-02 URL building', () => {
  it.each([
    ['http://collector:4318', 'http://collector:4318/v1/traces'],
    ['http://collector:4318/', 'http://collector:4318/v1/traces'],
    ['http://collector:4318/mycollector/', 'http://collector:4318/mycollector/v1/traces'],
    ['http://collector:4318/mycollector', 'http://collector:4318/mycollector/v1/traces'],
    ['https://Collector.Example:443/a', 'https://Collector.Example:443/a/v1/traces'], // no other rewriting
    // The signal path goes on the path, not into the query; the query is kept, a fragment dropped.
    ['https://otlp.example.com/?api-key=abc', 'https://otlp.example.com/v1/traces?api-key=abc'],
    ['https://otlp.example.com?api-key=abc', 'https://otlp.example.com/v1/traces?api-key=abc'],
    ['http://collector:4318/mycollector?k=a/b#frag', 'http://collector:4318/mycollector/v1/traces?k=a/b'],
    ['http://collector:4318/base#frag', 'http://collector:4318/base/v1/traces'],
  ])('base %s → %s', (base, url) => {
    expect(signalUrlFromBase(base, 'traces')).toBe(url);
    expect(new OtlpBackend({ endpoint: base }).urls.traces).toBe(url);
  });

  it.each([
    ['http://collector:4318', 'http://collector:4318/'],
    ['https://x/v1/metrics/', 'https://x/v1/metrics/'],
    ['http://collector:4318/custom', 'http://collector:4318/custom'],
    ['http://collector:4318?x=1', 'http://collector:4318/?x=1'],
  ])('per-signal %s → %s (used as is)', (given, url) => {
    expect(perSignalUrl(given)).toBe(url);
    expect(new OtlpBackend({ metricsEndpoint: given }).urls.metrics).toBe(url);
  });

  it('outer spaces and newlines around an endpoint (a pasted secret) are trimmed, not built into the URL', () => {
    const b = new OtlpBackend({ endpoint: 'https://otlp.example.com ', metricsEndpoint: ' https://otlp.example.com/v1/metrics\n', logsEndpoint: '\thttps://otlp.example.com ' });
    // Untrimmed: "https://otlp.example.com /v1/traces", which fetch refuses on every export.
    expect(b.urls).toEqual({ traces: 'https://otlp.example.com/v1/traces', metrics: 'https://otlp.example.com/v1/metrics', logs: 'https://otlp.example.com/' });
    // Untrimmed: a POST to /base%20/v1/traces.
    expect(new OtlpBackend({ endpoint: 'http://collector:4318/base \r\n' }).urls.traces).toBe('http://collector:4318/base/v1/traces');
  });

  it('OTLP-02: defaults to http://localhost:4318/v1/<signal>', () => {
    expect(new OtlpBackend().urls).toEqual({
      traces: 'http://localhost:4318/v1/traces',
      metrics: 'http://localhost:4318/v1/metrics',
      logs: 'http://localhost:4318/v1/logs',
    });
  });
});

describe('configuration errors throw at construction, naming the option', () => {
  it.each([
    [{ endpoint: 'not a url' }, /"endpoint" must be an absolute http/],
    [{ endpoint: 'ftp://x' }, /"endpoint"/],
    [{ tracesEndpoint: '/v1/traces' }, /"tracesEndpoint"/],
    [{ protocol: 'grpc' }, /"protocol" must be one of "http\/protobuf", "http\/json", got "grpc"/],
    [{ compression: 'br' }, /"compression" must be one of "gzip", "none"/],
    [{ metricsProtocol: 'grpc' }, /"metricsProtocol" must be one of "http\/protobuf", "http\/json", got "grpc"/],
    [{ logsCompression: 'br' }, /"logsCompression" must be one of "gzip", "none"/],
    [{ temporality: 'lowmem' }, /"temporality" must be one of "delta", "cumulative", "lowmemory", got "lowmem"/],
    [{ timeoutMs: -1 }, /"timeoutMs" must be a finite number ≥ 0/],
    [{ timeoutMs: NaN }, /"timeoutMs"/],
    [{ headers: { 'bad name': 'v' } }, /"headers" has an invalid header name/],
    [{ headers: { ok: 'a\r\nb' } }, /"headers" header "ok"/],
    [{ signals: ['traces', 'profiles'] }, /"signals"/],
    [{ retry: { maxAttempts: 0 } }, /"retry.maxAttempts"/],
  ])('%j', (options, message) => {
    expect(() => new OtlpBackend(options as never)).toThrow(message);
  });

  it('ENV-03 headers: a value no request can carry (above U+00FF, control characters) throws here, not in every export', () => {
    for (const value of ['k€y', 'Bearer \u{1F600}', 'a\u0001b', 'a\u007fb', '\ud800']) {
      expect(() => new OtlpBackend({ tracesHeaders: { 'x-key': value } })).toThrow(/"tracesHeaders" header "x-key".*\(value not shown\)/);
    }
    expect(() => new OtlpBackend({ headers: { authorization: 'Bearer s3cret€' } })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
    // Latin-1, inner tabs and outer spaces are valid field values.
    expect(() => new OtlpBackend({ headers: { 'x-name': 'Zoë\tand Anaïs ', 'x-empty': '' } })).not.toThrow();
  });

  it('a typo, a retry: false or a Headers instance throws instead of being ignored (the exporter posted to localhost, retried, sent no API key)', () => {
    const cases: [unknown, RegExp][] = [
      // What to write instead is in the message: the known names.
      [{ url: 'https://otlp.example.com' }, /^OtlpBackend: option "url" is unknown; known: temporality, .*\bendpoint\b.*, logsTimeoutMs$/],
      [{ endpoint: 'https://otlp.example.com', timeout: 5000 }, /option "timeout" is unknown; known: .*\btimeoutMs\b/],
      [{ traceEndpoint: 'https://otlp.example.com/v1/traces' }, /option "traceEndpoint" is unknown/],
      [{ headers: new Headers({ authorization: 'Bearer k' }) }, /^OtlpBackend: option "headers" must be a plain object$/],
      [{ logsHeaders: new Map([['authorization', 'Bearer k']]) }, /option "logsHeaders" must be a plain object/],
      [{ retry: false }, /option "retry" must be a plain object; for no retries write \{ maxAttempts: 1 \}$/],
      [{ retry: 3 }, /option "retry" must be a plain object/],
      [{ retry: { attempts: 3 } }, /option "retry.attempts" is unknown; known: maxAttempts, initialBackoffMs, maxBackoffMs$/],
      ['https://otlp.example.com', /option "options" must be a plain object/],
      [null, /option "options" must be a plain object/],
      [{ Endpoint: 'https://otlp.example.com' }, /option "Endpoint" is unknown/],
      [{ tracesTemporality: 'delta' }, /option "tracesTemporality" is unknown/],
    ];
    for (const [options, message] of cases) expect(() => new OtlpBackend(options as never), JSON.stringify(options)).toThrow(message);
    // Every option of OtlpBackendOptions is known: the type makes this list complete, so an
    // option added to the interface but not to the constructor's list fails here.
    const u = undefined;
    const all: { [K in keyof Required<OtlpBackendOptions>]: unknown } = {
      endpoint: u, tracesEndpoint: u, metricsEndpoint: u, logsEndpoint: u,
      protocol: u, tracesProtocol: u, metricsProtocol: u, logsProtocol: u,
      headers: Object.create(null), tracesHeaders: u, metricsHeaders: u, logsHeaders: u,
      compression: u, tracesCompression: u, metricsCompression: u, logsCompression: u,
      timeoutMs: u, tracesTimeoutMs: u, metricsTimeoutMs: u, logsTimeoutMs: u,
      temporality: u, fetch: u, onDiagnostic: u, signals: u, name: 'x',
      retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 } satisfies Required<OtlpRetryOptions>,
    };
    expect(() => new OtlpBackend(all as OtlpBackendOptions)).not.toThrow();
    expect(() => new OtlpBackend(undefined)).not.toThrow();
  });

  it('a header value with an outer newline (a secret read from a file) is sent trimmed, as fetch normalises it, instead of throwing', async () => {
    const sent: Headers[] = [];
    const b = new OtlpBackend({
      headers: { authorization: 'Bearer tok-123\n', 'x-tenant': '\r\n acme\t' },
      fetch: async (_url, init) => (sent.push(new Headers(init.headers)), new Response(null, { status: 200 })),
    });
    expect(await b.export({ resource: { attributes: {} }, scope: { name: 's' }, spans: [], logs: [{ time: 1, severityNumber: 9, severityText: 'INFO', body: 'x', attributes: {}, droppedAttributesCount: 0 }] })).toEqual({ ok: true });
    expect([sent[0].get('authorization'), sent[0].get('x-tenant')]).toEqual(['Bearer tok-123', 'acme']);
    // Inside a value a CR or LF still throws: no request could carry it.
    expect(() => new OtlpBackend({ headers: { authorization: 'Bearer a\nb' } })).toThrow(/"headers" header "authorization"/);
  });

  it('does not echo a malformed endpoint, which may hold credentials', () => {
    expect(() => new OtlpBackend({ endpoint: 'https//user:s3cret@host' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });

  it('timeoutMs 0 means no limit (ENV-04) and is accepted', () => {
    expect(() => new OtlpBackend({ timeoutMs: 0 })).not.toThrow();
  });
});

describe('otlpOptionsFromEnv (lenient)', () => {
  it('reads every OTEL_EXPORTER_OTLP_* variable it supports', () => {
    expect(
      otlpOptionsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/v1/traces',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://m.example.com',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'https://l.example.com/logs',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%3D%3D,x-tenant = acme ',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-only=traces',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Cumulative',
      }),
    ).toEqual({
      endpoint: 'https://otlp.example.com',
      tracesEndpoint: 'https://traces.example.com/v1/traces',
      metricsEndpoint: 'https://m.example.com',
      logsEndpoint: 'https://l.example.com/logs',
      headers: { 'api-key': 'abc==', 'x-tenant': 'acme' },
      tracesHeaders: { 'x-only': 'traces' },
      timeoutMs: 2500,
      compression: 'gzip',
      protocol: 'http/json',
      temporality: 'cumulative',
    });
  });

  it('ENV-13: empty, malformed and unknown values are ignored with a warning, never thrown', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
        OTEL_EXPORTER_OTLP_TIMEOUT: '-5',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes',
        OTEL_EXPORTER_OTLP_HEADERS: 'good=1,=novalue,bad=%E0%A4%A,noequals',
      },
      (m) => warnings.push(m),
    );
    expect(o).toEqual({ headers: { good: '1' } });
    expect(warnings.length).toBe(8);
    expect(warnings.join('\n')).not.toContain('%E0');
    expect(() => new OtlpBackend(o)).not.toThrow();
  });

  it('a misspelt variable name (OTEL_EXPORTER_OTLP_ENDPONT) is reported: the adapters still export OTLP, to the default endpoint; so is one this library does not use (ENV-07: CERTIFICATE, INSECURE; fetch takes no client certificates)', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPONT: 'https://otlp.example.com',
        OTEL_EXPORTER_OTLP_TRACE_ENDPOINT: 'https://otlp.example.com/v1/traces',
        OTEL_EXPORTER_OTLP_CERTIFICATE: '/ca.pem',
        OTEL_EXPORTER_OTLP_LOGS_INSECURE: 'true',
      },
      (m) => warnings.push(m),
    );
    expect(o).toEqual({});
    expect(warnings).toEqual([
      'ignored OTEL_EXPORTER_OTLP_ENDPONT: unknown or unsupported',
      'ignored OTEL_EXPORTER_OTLP_TRACE_ENDPOINT: unknown or unsupported',
      'ignored OTEL_EXPORTER_OTLP_CERTIFICATE: unknown or unsupported',
      'ignored OTEL_EXPORTER_OTLP_LOGS_INSECURE: unknown or unsupported',
    ]);
  });

  it('an endpoint written without its scheme (collector:4318) is reported with what to write and where exports go instead', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otlp.example.com:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'otlp.example.com/v1/traces' }, (m) => warnings.push(m));
    expect(o).toEqual({});
    // Where exports go is said as it is: set, even ignored, the variable turns OTLP on in the
    // adapters (to the default, as OpenTelemetry SDKs fall back to it); "where they would without
    // it" was the console there. The value is not shown: a path or query may hold a secret.
    expect(warnings).toEqual([
      'ignored OTEL_EXPORTER_OTLP_ENDPOINT: not an http(s) URL, so the default http://localhost:4318 is used (write it with http:// or https:// in front)',
      'ignored OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: not an http(s) URL, so OTEL_EXPORTER_OTLP_ENDPOINT or the default http://localhost:4318 is used (write it with http:// or https:// in front)',
    ]);
    warnings.length = 0;
    otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:19520', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'otlp.example.com/v1/logs?key=s3cret', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'grpc://otlp.example.com:4317' }, (m) => warnings.push(m));
    expect(warnings).toEqual([
      'ignored OTEL_EXPORTER_OTLP_ENDPOINT: not an http(s) URL, so the default http://localhost:4318 is used (write it with http:// or https:// in front)',
      'ignored OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: not an http(s) URL, so OTEL_EXPORTER_OTLP_ENDPOINT or the default http://localhost:4318 is used (write it with http:// or https:// in front)',
      'ignored OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: not an http(s) URL, so OTEL_EXPORTER_OTLP_ENDPOINT or the default http://localhost:4318 is used (write it with http:// or https:// in front)',
    ]);
  });

  it('an adapter given only a scheme-less endpoint exports OTLP to the default endpoint, as its warning says', () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((m: string) => void warnings.push(m));
    try {
      const backends = withEnv({}, { OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:19520' }).backends!;
      expect(backends.map((b) => b.constructor.name)).toEqual(['OtlpBackend']);
      expect(warnings.join('\n')).toContain('so the default http://localhost:4318 is used');
    } finally {
      spy.mockRestore();
    }
  });

  it('ENV-13: without a warn function, what it ignores is printed (as configFromEnv does), not dropped unseen: new OtlpBackend(otlpOptionsFromEnv(env)) as the README writes it', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const o = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPONT: 'https://collector.example', OTEL_EXPORTER_OTLP_TIMEOUT: '5s', OTEL_TRACES_EXPORTER: 'zipkin' });
      expect(o).toEqual({});
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        '[lexigram/monitor] config: ignored OTEL_EXPORTER_OTLP_TIMEOUT="5s": expected integer milliseconds ≥ 0',
        '[lexigram/monitor] config: ignored OTEL_TRACES_EXPORTER="zipkin": only otlp, console and none are supported',
        '[lexigram/monitor] config: ignored OTEL_EXPORTER_OTLP_ENDPONT: unknown or unsupported',
      ]);
      warn.mockClear();
      otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPONT: 'x' }, () => {});
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('ENV-13: a variable it does not read, set empty (a templated OTEL_EXPORTER_OTLP_CERTIFICATE=""), is unset: not reported', () => {
    const warnings: string[] = [];
    expect(otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_CERTIFICATE: '', OTEL_EXPORTER_OTLP_INSECURE: '  ', OTEL_EXPORTER_OTLP_ENDPOINT: '' }, (m) => warnings.push(m))).toEqual({});
    expect(warnings).toEqual([]);
  });

  it('`otlp` holds OTEL_* variables: an OtlpBackend option there (otlp: { endpoint }) throws, saying where it goes, instead of exporting to localhost:4318', () => {
    const where = /`otlp.endpoint` is not an OTEL_\* variable: `otlp` takes \{ OTEL_EXPORTER_OTLP_ENDPOINT: url \}.*backends: \[new OtlpBackend\(\{ endpoint: … \}\)\]/;
    // In a runtime adapter (which builds the OTLP backend from `otlp`) and in createMonitor.
    expect(() => withEnv({ serviceName: 'api', otlp: { endpoint: 'https://collector.example' } }, {})).toThrow(where);
    expect(() => createMonitor({ serviceName: 'api', otlp: { endpoint: 'https://collector.example' } })).toThrow(where);
    const o = withEnv({ serviceName: 'api', otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example' } }, {});
    expect(o.backends?.[0]).toBeInstanceOf(OtlpBackend);
  });

  it('METRICS_DEFAULT_HISTOGRAM_AGGREGATION: the default (explicit_bucket_histogram) is what happens, not reported; another value is reported as unsupported', () => {
    const warnings: string[] = [];
    expect(otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'explicit_bucket_histogram' }, (m) => warnings.push(m))).toEqual({});
    expect(warnings).toEqual([]);
    otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram' }, (m) => warnings.push(m));
    expect(warnings).toEqual(['ignored OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION="base2_exponential_bucket_histogram": for exponential histograms set metrics: { histogramBuckets: base2ExponentialBuckets() } in code']);
  });

  it('ENV-13: a header value holding CR, LF or NUL is dropped with a warning, and the backend is still built', () => {
    for (const entry of ['api-key=abc%0Adef', 'api-key=abc\nx-tenant=t1', 'api-key=abc%00', 'api-key=%0Dabc']) {
      const warnings: string[] = [];
      const o = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_HEADERS: `good=1,${entry}` }, (m) => warnings.push(m));
      expect(o).toEqual({ headers: { good: '1' } });
      expect(warnings).toEqual([expect.stringContaining('"api-key"')]);
      expect(warnings[0]).not.toContain('abc'); // the value may be a credential
      expect(() => new OtlpBackend(o)).not.toThrow();
    }
    // The runtime adapters build their backend from the same variables, and warn like other bad OTEL_* values.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const options = withEnv({ serviceName: 'api' }, { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%0Adef' });
      expect(options.backends?.[0]).toBeInstanceOf(OtlpBackend);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('"api-key"'));
    } finally {
      warn.mockRestore();
    }
  });

  it('ENV-13: a header value that decodes above U+00FF is dropped with a warning (fetch would throw on every export)', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=%E2%82%AC123,x-name=Zo%C3%AB', OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-k=%F0%9F%98%80' }, (m) => warnings.push(m));
    expect(o).toEqual({ headers: { 'x-name': 'Zoë' }, logsHeaders: {} });
    expect(warnings).toEqual([expect.stringContaining('"api-key"'), expect.stringContaining('"x-k"')]);
    expect(warnings.join('\n')).not.toMatch(/123|€/);
    expect(() => new OtlpBackend(o)).not.toThrow();
  });

  it('ENV-01: per-signal PROTOCOL, COMPRESSION and TIMEOUT override the generic ones', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv(
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'HTTP/JSON',
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '1000',
      },
      (m) => warnings.push(m),
    );
    expect(o).toEqual({ protocol: 'http/protobuf', metricsProtocol: 'http/json', compression: 'none', logsCompression: 'gzip', timeoutMs: 3000, tracesTimeoutMs: 1000 });
    expect(warnings).toEqual(['ignored OTEL_EXPORTER_OTLP_LOGS_PROTOCOL="grpc": expected http/protobuf or http/json']);
  });

  it('ENV-05, ENV-06: COMPRESSION takes gzip or none, PROTOCOL http/protobuf or http/json (any case); grpc (HTTP only here) and other values are reported and ignored; unset, requests go http/protobuf uncompressed', async () => {
    const warnings: string[] = [];
    const read = (env: Record<string, string>) => otlpOptionsFromEnv(env, (m) => warnings.push(m));
    expect(read({ OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP', OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/Protobuf' })).toEqual({ compression: 'gzip', protocol: 'http/protobuf' });
    expect(read({ OTEL_EXPORTER_OTLP_COMPRESSION: 'none', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({ compression: 'none', protocol: 'http/json' });
    expect(warnings).toEqual([]);
    expect(read({ OTEL_EXPORTER_OTLP_COMPRESSION: 'deflate', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })).toEqual({});
    expect(warnings).toEqual([
      'ignored OTEL_EXPORTER_OTLP_COMPRESSION="deflate": expected gzip or none',
      'ignored OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="grpc": expected http/protobuf or http/json',
    ]);
    const sent: { type: string | null; encoding: string | null }[] = [];
    const fetch = async (_url: string, init: RequestInit) => {
      const h = new Headers(init.headers);
      sent.push({ type: h.get('content-type'), encoding: h.get('content-encoding') });
      return new Response(null, { status: 200 });
    };
    const monitor = createMonitor({ serviceName: 's', backends: [new OtlpBackend({ fetch, ...read({}) })] });
    monitor.tracer.startSpan('s').end();
    await monitor.flush();
    expect(sent).toEqual([{ type: 'application/x-protobuf', encoding: null }]);
  });

  it('ENV-01: each signal is sent with its own protocol and compression', async () => {
    const sent: Record<string, { type: string | null; encoding: string | null; json: boolean }> = {};
    const fetch = async (url: string, init: RequestInit) => {
      const h = new Headers(init.headers);
      const body = init.body as Uint8Array;
      sent[new URL(url).pathname] = { type: h.get('content-type'), encoding: h.get('content-encoding'), json: body[0] === 0x7b };
      return new Response(null, { status: 200 });
    };
    const otlp = new OtlpBackend({ fetch, ...otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'gzip' }) });
    const monitor = createMonitor({ serviceName: 's', backends: [otlp] });
    monitor.tracer.startSpan('s').end();
    monitor.logger.info('l');
    monitor.metrics.createCounter('c_total', 'C').increment();
    await monitor.flush();
    expect(sent).toEqual({
      '/v1/traces': { type: 'application/x-protobuf', encoding: null, json: false },
      '/v1/metrics': { type: 'application/json', encoding: null, json: true },
      '/v1/logs': { type: 'application/x-protobuf', encoding: 'gzip', json: false },
    });
  });

  it('ENV-16: OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none leaves the signal out of the OTLP backend the adapters build', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const otlp = withEnv({ serviceName: 's' }, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_TRACES_EXPORTER: 'NONE',
        OTEL_LOGS_EXPORTER: 'otlp',
      }).backends![0] as OtlpBackend;
      expect(otlp.temporality).toBe('none'); // no metrics asked for
      expect([otlp.ownsUrl('http://collector:4318/v1/traces'), otlp.ownsUrl('http://collector:4318/v1/logs')]).toEqual([false, true]);
      expect(warn).not.toHaveBeenCalled();
      // Without OTLP settings the console default prints the other signals only (test/otlp/exporter-env.test.ts).
      expect(withEnv({ serviceName: 's' }, { OTEL_TRACES_EXPORTER: 'none' }).backends).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
    expect(otlpOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }).signals).toEqual([]);
    expect(otlpOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: '' })).toEqual({});
  });

  it('ENV-16: an exporter other than otlp, console or none is reported once, saying which values are supported, and the signal stays on; console leaves it out (the adapters print it)', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_METRICS_EXPORTER: 'prometheus', OTEL_LOGS_EXPORTER: 'console' }, (m) => warnings.push(m));
    expect(o.signals).toEqual(['traces', 'metrics']);
    expect(warnings).toEqual([
      'ignored OTEL_TRACES_EXPORTER="zipkin": only otlp, console and none are supported',
      'ignored OTEL_METRICS_EXPORTER="prometheus": only otlp, console and none are supported',
    ]);
  });

  it('ENV-13: a timeout of more digits than a number holds (Infinity) is ignored with a warning; the backend is still made', () => {
    const warnings: string[] = [];
    const huge = '9'.repeat(400);
    const o = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: huge, OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: huge, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '9'.repeat(300) }, (m) => warnings.push(m));
    // Before, timeoutMs was Infinity and new OtlpBackend threw: in the adapters, at every request of a Worker.
    expect(o).toEqual({ tracesTimeoutMs: Number('9'.repeat(300)) }); // finite: kept (timers clamp it)
    expect(warnings).toEqual([
      `ignored OTEL_EXPORTER_OTLP_TIMEOUT=${JSON.stringify(huge)}: expected integer milliseconds ≥ 0`,
      `ignored OTEL_EXPORTER_OTLP_LOGS_TIMEOUT=${JSON.stringify(huge)}: expected integer milliseconds ≥ 0`,
    ]);
    expect(() => new OtlpBackend(o)).not.toThrow();
  });

  it('ENV-04: TIMEOUT 0 is kept (no limit); ENV-08: delta and lowmemory are read as such', () => {
    expect(otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: '0' }).timeoutMs).toBe(0);
    expect(otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'DELTA' }).temporality).toBe('delta');
    expect(otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'lowmemory' }).temporality).toBe('lowmemory');
    expect(otlpOptionsFromEnv({})).toEqual({});
  });

  it('ENV-03: header values are percent-decoded and trimmed', () => {
    expect(parseOtlpHeaders('Authorization=Basic%20dXNlcjpwYXNz, k2 = v%2C2 ')).toEqual({ Authorization: 'Basic dXNlcjpwYXNz', k2: 'v,2' });
  });
});

describe('retry helpers', () => {
  it('OTLP-10: Retry-After as seconds or HTTP-date; junk is ignored', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('OTLP-10: only delay-seconds or an IMF-fixdate count; "2.5", "-1", "+5", "5, 6" are not read as dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    // Date.parse reads the first four as dates in 2001, which would mean "retry now".
    for (const v of [
      '2.5', '-1', '+5', '5, 6', '1e3', '0x10', '5 s',
      '2015-10-21T07:28:05Z',
      'Wed, 21 Oct 2015 07:28:05 UTC',
      'Wed, 21 Oct 2015 07:28:05',
      'wed, 21 oct 2015 07:28:05 gmt',
      'Thu, 21 Oct 2015 07:28:05 GMT', // wrong weekday
      'Sat, 31 Feb 2015 07:28:05 GMT',
      'Wed, 21 Oct 2015 24:00:00 GMT',
      'Wed, 21 Oct 15 07:28:05 GMT',
      'Wed,  21 Oct 2015 07:28:05 GMT',
      'Sat, 01 Jan 10000 00:00:00 GMT',
    ]) {
      expect(parseRetryAfter(v, now), v).toBeUndefined();
    }
    // A real HTTP-date in the past still means "now"; one in the future is waited for.
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(0);
    expect(parseRetryAfter(' Wed, 21 Oct 2015 07:28:05 GMT ', now)).toBe(5000);
    expect(parseRetryAfter('Mon, 29 Feb 2016 00:00:00 GMT', now)).toBeGreaterThan(0);
  });

  it('OTLP-10: the two obsolete HTTP-date forms a recipient must also accept (RFC 9110 §5.6.7): rfc850 and asctime', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed Oct 21 07:28:05 2015', now)).toBe(5000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(0);
    // A two-digit year more than 50 years ahead is in the past century: 94 is 1994, not 2094.
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(0);
    expect(parseRetryAfter('Thursday, 01-Jan-65 00:00:00 GMT', now)).toBeGreaterThan(0);
    for (const v of ['Wed Oct 21 07:28:05 2015 GMT', 'Thu Oct 21 07:28:05 2015', 'Wednesday, 21-Oct-2015 07:28:05 GMT', 'Wednesday, 21-Oct-15 07:28:05']) {
      expect(parseRetryAfter(v, now), v).toBeUndefined();
    }
  });

  it('backoff grows exponentially, is capped, and jitters within [half, full]', () => {
    expect(backoffMs(0, 1000, 5000, () => 0)).toBe(500);
    expect(backoffMs(0, 1000, 5000, () => 1)).toBe(1000);
    expect(backoffMs(2, 1000, 5000, () => 1)).toBe(4000);
    expect(backoffMs(10, 1000, 5000, () => 0.5)).toBe(3750);
  });
});
