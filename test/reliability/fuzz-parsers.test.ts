/**
 * Hostile input on every parser (traceparent, tracestate, baggage, extractContext, OTEL_* env,
 * OTLP env, Retry-After, Accept negotiation), oversized headers rejected cheaply, log injection
 * in console and Prometheus output, and promtool accepting what is rendered from fuzzed names,
 * help texts and label values (all cases in one promtool call).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleBackend, configFromEnv, createMonitor, extractContext, parseBaggage, parseTraceparent, parseTracestate } from '../../src/index.js';
import { otlpOptionsFromEnv, parseOtlpHeaders } from '../../src/exporters/otlp/index.js';
import { parseRetryAfter } from '../../src/exporters/otlp/retry.js';
import { negotiateFormat, renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { FUZZ_SEED, SCALE, record } from './helpers/scale.js';

// Reproducible in CI, exploring in the full run (see helpers/scale.ts).
fc.configureGlobal({ seed: FUZZ_SEED });

const RUNS = SCALE.fuzzRuns;
const counts: Record<string, number> = {};
const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
const noPollution = (): void => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
};
afterAll(() => {
  noPollution();
  record('fuzz', 'parsers', { runs: counts, total: Object.values(counts).reduce((a, b) => a + b, 0) });
});

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF-xz'.split('')), minLength: n, maxLength: n });
const headerish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.tuple(hex(2), hex(32), hex(16), hex(2), fc.string({ maxLength: 8 })).map(([v, t, s, f, x]) => `${v}-${t}-${s}-${f}${x}`),
  fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'a', 'vendor@x', 'k'), fc.string({ maxLength: 20 })), { maxLength: 40 }).map((kv) => kv.map(([k, v]) => `${k}=${v}`).join(',')),
);
const envRecord = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG', 'OTEL_SDK_DISABLED',
      'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
      'OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_COMPRESSION', 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
      'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_LOG_LEVEL', '__proto__', 'constructor',
    ),
    fc.string({ maxLength: 12 }),
  ),
  fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('__proto__=1,constructor=2', 'a=%zz', '=,=,', 'http://[::1', '-1', '1e309', 'NaN', 'gzip', 'http/json', 'true', 'TRUE')),
  { maxKeys: 10 },
);

describe('parsers never throw, never pollute, return valid values', () => {
  it('parseTraceparent / parseTracestate / parseBaggage / extractContext', () => {
    fc.assert(
      fc.property(headerish, headerish, headerish, (tp, ts, bg) => {
        const p = parseTraceparent(tp);
        if (p) {
          expect(p.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(p.spanId).toMatch(/^[0-9a-f]{16}$/);
          expect(p.traceId).not.toBe('0'.repeat(32));
        }
        const s = parseTracestate(ts);
        if (s !== undefined) expect(s.length).toBeLessThanOrEqual(8192);
        const b = parseBaggage(bg);
        if (b) {
          expect(Object.getPrototypeOf(b)).toBe(null);
          expect(Object.keys(b).length).toBeLessThanOrEqual(64);
        }
        for (const headers of [new Headers(), { traceparent: tp, tracestate: ts, baggage: bg }, { traceparent: [tp, tp] as unknown as string }]) {
          try {
            if (headers instanceof Headers) {
              headers.set('traceparent', tp);
              headers.set('tracestate', ts);
              headers.set('baggage', bg);
            }
          } catch {
            continue; // not a valid header value for Headers itself
          }
          expect(() => extractContext(headers)).not.toThrow();
        }
        expect(() => extractContext(null as never)).not.toThrow();
        expect(() => extractContext(JSON.parse('{"__proto__":{"traceparent":"x"}}'))).not.toThrow();
      }),
      { numRuns: RUNS * 4 },
    );
    counts['propagation (4 parsers)'] = RUNS * 4;
    noPollution();
  });

  it('configFromEnv / otlpOptionsFromEnv / parseOtlpHeaders: lenient, never throw', () => {
    fc.assert(
      fc.property(envRecord, (env) => {
        const warnings: string[] = [];
        expect(() => configFromEnv(env, { onWarning: (w) => void warnings.push(w) })).not.toThrow();
        expect(() => otlpOptionsFromEnv(env, (w) => void warnings.push(w))).not.toThrow();
        for (const v of Object.values(env)) expect(() => parseOtlpHeaders(v)).not.toThrow();
        // What comes out is usable: createMonitor accepts the options.
        const o = configFromEnv(env, { onWarning: () => undefined });
        expect(() => createMonitor({ ...o, backends: [] }).shutdown()).not.toThrow();
      }),
      { numRuns: RUNS * 2 },
    );
    expect(() => configFromEnv(null)).not.toThrow();
    expect(() => configFromEnv(JSON.parse('{"__proto__": {"OTEL_SERVICE_NAME": "x"}}'))).not.toThrow();
    counts['env (3 parsers)'] = RUNS * 2;
    noPollution();
  });

  it('Retry-After: undefined or a finite delay ≥ 0, seconds and HTTP-date', () => {
    const now = Date.now();
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 40 }), fc.nat().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()), fc.constantFrom('9'.repeat(400), '-1', '1.5', ' 3 ', '', 'Wed, 21 Oct 2015 07:28:00 GMT')),
        (v) => {
          const r = parseRetryAfter(v, now);
          if (r !== undefined) {
            expect(Number.isNaN(r)).toBe(false);
            expect(r).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: RUNS * 4 },
    );
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBeGreaterThan(3000);
    counts['Retry-After'] = RUNS * 4;
  });

  it('Accept negotiation always picks a known format', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null), fc.constant(undefined)), (accept) => {
        const f = negotiateFormat(accept as string);
        expect(['text', 'openmetrics', 'text-0.0.4', 'openmetrics-1.0.0', 'prometheus']).toContain(f);
      }),
      { numRuns: RUNS * 4 },
    );
    counts['Accept'] = RUNS * 4;
  });
});

describe('oversized headers are rejected cheaply', () => {
  const big = (unit: string): string => unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
  const cases: [string, string, (h: string) => unknown][] = [
    ['traceparent', '00-' + big('a'), parseTraceparent],
    ['tracestate', big('k=v,'), parseTracestate],
    ['baggage', big('k=v,'), parseBaggage],
  ];
  for (const [name, header, parse] of cases) {
    it(`a 100 KB ${name} returns undefined faster than one linear scan of it`, () => {
      expect(parse(header)).toBeUndefined();
      expect(extractContext({ traceparent: name === 'traceparent' ? header : '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', [name]: header })?.[name === 'baggage' ? 'baggage' : 'traceState']).toBeUndefined();
      const reps = 2000;
      let t0 = performance.now();
      for (let i = 0; i < reps; i++) parse(header);
      const parseMs = performance.now() - t0;
      let sum = 0;
      t0 = performance.now();
      for (let i = 0; i < reps / 20; i++) for (let j = 0; j < header.length; j++) sum += header.charCodeAt(j);
      const scanMs = ((performance.now() - t0) * 20) / reps;
      expect(sum).toBeGreaterThan(0);
      // Rejection must cost less than reading the header once (it is a length check).
      expect(parseMs / reps).toBeLessThan(Math.max(scanMs, 0.01));
      record('oversized', name, { bytes: header.length, parseMicros: +((parseMs / reps) * 1000).toFixed(3), linearScanMicros: +(scanMs * 1000).toFixed(1) });
    });
  }
});

describe('log injection cannot forge lines', () => {
  const evil = fc.oneof(
    fc.string({ maxLength: 50 }),
    fc.constantFrom('a\nFORGED line', 'x\r\nFORGED', '\u2028FORGED', '\u001b[2JFORGED', 'ok"} 1\nFORGED_metric 1', '\\\nFORGED', '\u0085FORGED'),
  ).map((s) => s + '\nFORGED_tail');

  it('ConsoleBackend: one line per record whatever the input', async () => {
    const lines: string[] = [];
    const monitor = createMonitor({ serviceName: 'inj', backends: [new ConsoleBackend({ write: (l) => void lines.push(l), metrics: true })], onDiagnostic: () => undefined });
    const c = monitor.metrics.createCounter('inj_total', 'help', { labelNames: ['v'] });
    let records = 0;
    fc.assert(
      fc.property(evil, evil, evil, (msg, key, value) => {
        monitor.logger.info(msg, { [key]: value, nested: { [key]: value } });
        const s = monitor.tracer.startSpan(msg, { attributes: { [key]: value } });
        s.addEvent(value, { [key]: msg });
        s.setStatus(2, value);
        s.end();
        c.increment(1, { v: value });
        records += 2;
      }),
      { numRuns: RUNS },
    );
    await monitor.flush();
    await monitor.shutdown();
    expect(lines.length).toBeGreaterThanOrEqual(records);
    for (const l of lines) {
      expect(l).not.toMatch(/[\n\r\u2028\u2029\u0085\u001b]/);
    }
    counts['console injection'] = RUNS;
  });

  it('Prometheus text: help and label values cannot add lines (promtool parses it)', () => {
    const monitor = createMonitor({ serviceName: 'inj', backends: [], onDiagnostic: () => undefined });
    let i = 0;
    fc.assert(
      fc.property(evil, evil, (help, value) => {
        const c = monitor.metrics.createCounter(`inj_${i++}_total`, help, { labelNames: ['v'] });
        c.increment(1, { v: value });
      }),
      { numRuns: RUNS },
    );
    const text = renderPrometheus(monitor);
    for (const line of text.split('\n')) expect(line.startsWith('FORGED')).toBe(false);
    expect(text.split('\n').filter((l) => l.startsWith('# HELP inj_')).length).toBe(i);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).not.toBe(1);
    counts['prometheus injection'] = RUNS;
  });
});

describe('promtool accepts what renderPrometheus makes of fuzzed names, help texts and label values', () => {
  it(`${SCALE.promtoolCases} fuzz cases in one promtool call`, () => {
    const monitor = createMonitor({ serviceName: 'prom-fuzz', backends: [], onDiagnostic: () => undefined });
    let made = 0;
    let refused = 0;
    const samples = fc.sample(
      fc.record({
        name: fc.oneof({ arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_.\/-]{0,20}$/), weight: 4 }, { arbitrary: fc.string({ maxLength: 30 }), weight: 1 }),
        help: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 60 })),
        label: fc.oneof(
          { arbitrary: fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/), weight: 4 },
          { arbitrary: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('le', 'quantile', '__name__', '__reserved', 'job', 'a.b')), weight: 1 },
        ),
        value: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', '"', '\\', '\n', '\\n', '}', '{a="b"}')),
        n: fc.oneof(fc.double(), fc.integer()),
        kind: fc.constantFrom('counter', 'gauge', 'histogram', 'summary'),
      }),
      { numRuns: SCALE.promtoolCases, seed: 42 },
    );
    samples.forEach((s, i) => {
      const name = `${s.name}_${i}`;
      try {
        const opts = { labelNames: [s.label] };
        if (s.kind === 'counter') monitor.metrics.createCounter(name + '_total', s.help, opts).increment(Math.abs(s.n) || 1, { [s.label]: s.value });
        else if (s.kind === 'gauge') monitor.metrics.createGauge(name, s.help, opts).set(s.n, { [s.label]: s.value });
        else if (s.kind === 'histogram') monitor.metrics.createHistogram(name, s.help, opts).observe(s.n, { [s.label]: s.value });
        else monitor.metrics.createSummary(name, s.help, opts).observe(s.n, { [s.label]: s.value });
        made++;
      } catch (e) {
        // Invalid names / label names are configuration errors: they throw at creation, by design.
        expect(e).toBeInstanceOf(Error);
        refused++;
      }
    });
    const text = renderPrometheus(monitor);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // 0 = clean, 3 = lint warnings only (e.g. naming advice); 1 would be a parse error.
    expect([0, 3], r.stdout + r.stderr).toContain(r.status);
    expect(r.stdout + r.stderr).not.toMatch(/error while linting|text format parsing error|parse error/i);
    expect(made).toBeGreaterThan(SCALE.promtoolCases / 4);
    counts['promtool cases'] = SCALE.promtoolCases;
    record('fuzz', 'promtool', { cases: SCALE.promtoolCases, created: made, refusedAtConstruction: refused, promtoolExit: r.status });
  });
});
