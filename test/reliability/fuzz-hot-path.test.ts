/**
 * Hostile input on every public hot-path call (fast-check): metrics, spans, logger, with
 * arbitrary values, labels and attributes, `__proto__`/`constructor` keys and huge sizes.
 * Nothing throws into the caller, nothing pollutes Object.prototype, and what is exported
 * still encodes to OTLP protobuf that protobufjs decodes with the same values.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend, SpanStatus } from '../../src/index.js';
import type { Backend, TelemetryBatch } from '../../src/model/batch.js';
import { encodeSignal } from '../../src/exporters/otlp/encode.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';
import { FUZZ_SEED, SCALE, record } from './helpers/scale.js';

// Reproducible in CI, exploring in the full run (see helpers/scale.ts).
fc.configureGlobal({ seed: FUZZ_SEED });

const RUNS = SCALE.fuzzRuns;
const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
const counts: Record<string, number> = {};

function assertNoPollution(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys);
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'isAdmin', 'x', 'value', 'toString2']) expect(probe[k]).toBeUndefined();
  expect(Object.prototype.toString.call([])).toBe('[object Array]');
}

/** Keys that attack prototypes, plus ordinary and weird ones. */
const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', '\u0000', 'a.b.__proto__'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
);
/** Sometimes huge strings (up to ~200 KB) without generating them char by char. */
const hugeString = fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 50_000 })).map(([s, n]) => s.repeat(n));
const anyValue = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, maxDepth: 3 }),
  hugeString,
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -1, 2 ** 53 + 1),
);
/** Objects carrying own `__proto__` keys (as JSON.parse makes them) and hostile keys. */
const hostileObject = fc.oneof(
  fc.dictionary(hostileKey, anyValue, { maxKeys: 8 }),
  fc.constantFrom(
    JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'),
    JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
    JSON.parse('{"__proto__": {"isAdmin": true}, "nested": {"__proto__": {"polluted": 1}}}'),
  ),
  anyValue,
);

function count(name: string): void {
  counts[name] = (counts[name] ?? 0) + RUNS;
}

const batches: TelemetryBatch[] = [];
const capture: Backend = { name: 'capture', temporality: 'delta', export: async (b) => (batches.push(b), { ok: true }), forceFlush: async () => undefined, shutdown: async () => undefined };
const monitor = createMonitor({ serviceName: 'fuzz', backends: [capture, new MemoryBackend()], onDiagnostic: () => undefined });
const m = monitor.metrics;
const counter = m.createCounter('fuzz_total', 'fuzz', { labelNames: ['a', 'b'] });
const free = m.createCounter('fuzz_free_total', 'fuzz, any labels');
const updown = m.createUpDownCounter('fuzz_updown', 'fuzz');
const gauge = m.createGauge('fuzz_gauge', 'fuzz', { labelNames: ['a'] });
const hist = m.createHistogram('fuzz_hist', 'fuzz', { labelNames: ['a'] });
const summary = m.createSummary('fuzz_summary', 'fuzz', { labelNames: ['a'] });

afterAll(async () => {
  await monitor.shutdown();
  assertNoPollution();
  record('fuzz', 'hot-path', { runs: counts, total: Object.values(counts).reduce((a, b) => a + b, 0) });
});

describe('hot path never throws, never pollutes', () => {
  it('counter / up-down counter / gauge / histogram / summary with arbitrary values and labels', () => {
    fc.assert(
      fc.property(anyValue, hostileObject, anyValue, (v, labels, v2) => {
        const calls = [
          () => counter.increment(v as never, labels as never),
          () => counter.increment(labels as never),
          () => (counter as unknown as { add(a: unknown, b: unknown): void }).add(v, labels),
          () => free.increment(v as never, labels as never),
          () => updown.add(v as never, labels as never),
          () => updown.decrement(v2 as never),
          () => gauge.set(v as never, labels as never),
          () => gauge.increment(v as never, labels as never),
          () => hist.observe(v as never, labels as never),
          () => hist.startTimer(labels as never)(v2 as never),
          () => summary.observe(v as never, labels as never),
          () => counter.bind(labels as never).increment(v as never),
        ];
        for (const c of calls) expect(c).not.toThrow();
      }),
      { numRuns: RUNS },
    );
    count('metrics (12 calls per run)');
    assertNoPollution();
  });

  it('span setAttribute / setAttributes / addEvent / setStatus / updateName / recordException / end', () => {
    fc.assert(
      fc.property(hostileKey, anyValue, hostileObject, anyValue, (key, value, attrs, name) => {
        const span = monitor.tracer.startSpan(name as never, { attributes: attrs as never });
        expect(() => span.setAttribute(key, value)).not.toThrow();
        expect(() => span.setAttributes(attrs as never)).not.toThrow();
        expect(() => span.addEvent(name as never, attrs as never)).not.toThrow();
        expect(() => span.addEvent(key, value as never, value as never)).not.toThrow();
        expect(() => span.setStatus(value as never, name as never)).not.toThrow();
        expect(() => span.setStatus(SpanStatus.ERROR, value as never)).not.toThrow();
        expect(() => span.updateName(value as never)).not.toThrow();
        expect(() => span.recordException(value)).not.toThrow();
        expect(() => span.end(value as never)).not.toThrow();
        expect(() => span.end()).not.toThrow();
      }),
      { numRuns: RUNS },
    );
    count('span (10 calls per run)');
    assertNoPollution();
  });

  it('logger with arbitrary messages and attributes', () => {
    fc.assert(
      fc.property(anyValue, hostileObject, (msg, attrs) => {
        for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
          expect(() => monitor.logger[level](msg as never, attrs as never)).not.toThrow();
        }
        expect(() => monitor.logger.log(msg as never, msg as never, attrs as never)).not.toThrow();
        expect(() => monitor.logger.child?.(attrs as never)?.info(msg as never)).not.toThrow();
      }),
      { numRuns: RUNS },
    );
    count('logger (8 calls per run)');
    assertNoPollution();
  });

  it('what was kept still encodes to OTLP protobuf (and JSON) that decodes to the same values', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(hostileKey, fc.oneof(hugeString, fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 5 })), { maxKeys: 10 }), async (attrs) => {
        batches.length = 0;
        const span = monitor.tracer.startSpan('encode', { parent: null });
        span.setAttributes(attrs);
        span.end();
        monitor.logger.info('encode', attrs);
        await monitor.flush();
        for (const b of batches) {
          for (const signal of ['traces', 'logs', 'metrics'] as const) {
            const proto = encodeSignal(b, signal, 'http/protobuf');
            const json = encodeSignal(b, signal, 'http/json');
            expect(() => JSON.parse(new TextDecoder().decode(json))).not.toThrow();
            const decoded = decodeProto(signal, proto);
            if (signal !== 'traces' || b.spans.length === 0) continue;
            const kept = b.spans[b.spans.length - 1].attributes as Record<string, unknown>;
            const got = decoded.resourceSpans[0].scopeSpans.flatMap((s: any) => s.spans).at(-1);
            const byKey = new Map<string, any>(got.attributes?.map((a: any) => [a.key, a.value]) ?? []);
            for (const [k, v] of Object.entries(kept)) {
              const d = byKey.get(k);
              expect(d, k).toBeDefined();
              if (typeof v === 'string') expect(d.stringValue ?? '').toBe(v);
              else if (typeof v === 'boolean') expect(d.boolValue ?? false).toBe(v);
              // An OTLP intValue has no -0, so zero is compared by value (v + 0 turns -0 into 0).
              else if (typeof v === 'number' && Number.isInteger(v) && 'intValue' in d) expect(Number(d.intValue) + 0).toBe(v + 0);
              else if (typeof v === 'number') {
                const dv = d.doubleValue ?? Number(d.intValue ?? 0);
                if (Number.isNaN(v)) expect(String(dv)).toBe('NaN');
                else expect(Number(dv) + 0).toBe(v + 0);
              } else if (Array.isArray(v)) expect((d.arrayValue?.values ?? []).length).toBe(v.length);
              checked++;
            }
          }
        }
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 2)) },
    );
    counts['OTLP round trip (runs)'] = Math.max(50, Math.floor(RUNS / 2));
    counts['OTLP round trip (attribute values compared)'] = checked;
    expect(checked).toBeGreaterThan(0);
    assertNoPollution();
  });
});
