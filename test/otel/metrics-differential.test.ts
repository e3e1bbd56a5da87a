/**
 * Differential test of the metrics bridge: each scenario makes the same `@opentelemetry/api`
 * calls twice, once with @opentelemetry/sdk-metrics 2.12 as the global MeterProvider and once
 * with `registerOpenTelemetry(monitor)`, collects after each phase (delta and cumulative), and
 * compares the two normalised: name, unit, description, kind, monotonicity, temporality, value
 * type, and per point the attributes and value, or count, sum, min, max, bounds and bucket counts.
 *
 * Accepted differences, each deliberate (README "OpenTelemetry interop"), and each spelled out
 * where it applies (`asLabels`, a scenario's `accept`) as the change that turns the SDK's output
 * into the bridge's, so a difference that goes away, or a new one, fails the test:
 * - an array attribute value becomes its JSON text (MET-13); an empty value is an absent
 *   label (PR-03); an undefined value is no label (the SDK keeps it in the series identity);
 * - a key that is not a label name is renamed as the Prometheus exposition would, dots kept;
 * - the core's label limits: a value cut at 1024 characters, a key too long for a label name
 *   dropped, 128 keys kept (the first in name order), each counted;
 * - NaN and ±Infinity, and a negative observable counter total, are dropped and counted (the SDK
 *   records them: a sum stays NaN for good);
 * - one instrument per name, case ignored (MET-12), for all meters: the first creation decides
 *   kind (synchronous or observable too), unit, value type, description and buckets; another kind
 *   or unit records nothing, counted (the SDK exports one stream per meter, per case, per kind
 *   and unit, with the longer description);
 * - advice: a repeated boundary, or one that is not a finite number, is removed; a histogram in `s` without advice gets seconds buckets;
 * - a unit that is not printable ASCII is dropped; a name outside OpenTelemetry's syntax records nothing;
 * - an observable counter's total that goes down: cumulative is the total observed (the SDK adds the
 *   post-reset delta to the earlier total);
 * - not compared: exemplars, the cardinality cap (test/otel/observable.test.ts), diagnostics' text.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics, ValueType, type Attributes, type Meter, type ObservableCallback, type BatchObservableCallback } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, MeterProvider, type MetricData as SdkMetric, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage } from '../../src/index.js';
import type { MetricData } from '../../src/model/metric-data.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { CollectingReader } from './helpers/sdk-reader.js';

beforeAll(() => setContextStorage(AsyncLocalStorage));
afterEach(() => {
  unregisterOpenTelemetry();
  metrics.disable();
});

type Value = number | string | null;
type Label = string | number | boolean;
interface Point {
  attributes: Record<string, Label>;
  value?: Value;
  count?: number;
  sum?: Value;
  min?: Value;
  max?: Value;
  bounds?: Value[];
  counts?: number[];
}
interface Metric {
  name: string;
  unit: string;
  description: string;
  kind: 'sum' | 'gauge' | 'histogram';
  monotonic?: boolean;
  temporality?: 'delta' | 'cumulative';
  int?: true;
  points: Point[];
}
/** One collection of both temporalities. */
interface Round {
  delta: Metric[];
  cumulative: Metric[];
}

/** NaN and ±Infinity as text, so toEqual shows them and JSON compares them. */
const num = (v: number): Value => (Number.isFinite(v) ? v : String(v));

/**
 * ACCEPTED (README "OpenTelemetry interop", MET-13): an array attribute value becomes its JSON
 * text (strings, numbers and booleans keep their types, as in the SDK); a key the core cannot
 * keep as a label name is renamed as Prometheus would, dots kept. Applied to the SDK's
 * attributes before comparing.
 */
function asLabels(attrs: Attributes): Record<string, Label> {
  const out: Record<string, Label> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? JSON.stringify(v) : v;
  }
  return out;
}

const attrKey = (p: Point): string => JSON.stringify(Object.entries(p.attributes).sort());
const sortPoints = (ps: Point[]): Point[] => ps.sort((a, b) => attrKey(a).localeCompare(attrKey(b)));
const sortMetrics = (ms: Metric[]): Metric[] => ms.sort((a, b) => (a.name + a.unit + a.kind).localeCompare(b.name + b.unit + b.kind));

function fromSdk(rm: ResourceMetrics): Metric[] {
  const out: Metric[] = [];
  for (const sm of rm.scopeMetrics) {
    for (const m of sm.metrics as SdkMetric[]) {
      if (m.dataPoints.length === 0) continue;
      const kind = m.dataPointType === DataPointType.SUM ? 'sum' : m.dataPointType === DataPointType.GAUGE ? 'gauge' : 'histogram';
      const temporality = m.aggregationTemporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative';
      out.push({
        name: m.descriptor.name,
        unit: m.descriptor.unit,
        description: m.descriptor.description,
        kind,
        ...(m.dataPointType === DataPointType.SUM ? { monotonic: m.isMonotonic } : {}),
        ...(kind !== 'gauge' ? { temporality } : {}),
        // OTLP: an INT sum or gauge is written as_int; a histogram's sum is a double either way.
        ...(m.descriptor.valueType === ValueType.INT && kind !== 'histogram' ? { int: true as const } : {}),
        points: sortPoints(
          (m.dataPoints as { attributes: Attributes; value: unknown }[]).map((p) => {
            const attributes = asLabels(p.attributes);
            if (typeof p.value === 'number') return { attributes, value: num(p.value) };
            const h = p.value as { count: number; sum?: number; min?: number; max?: number; buckets: { boundaries: number[]; counts: number[] } };
            return { attributes, count: h.count, sum: num(h.sum ?? NaN), min: num(h.min ?? NaN), max: num(h.max ?? NaN), bounds: h.buckets.boundaries.map(num), counts: h.buckets.counts };
          }),
        ),
      });
    }
  }
  return sortMetrics(out);
}

function fromOurs(ms: readonly MetricData[]): Metric[] {
  const out: Metric[] = [];
  for (const m of ms) {
    if (m.name.startsWith('lexigram_') || m.type === 'summary') continue;
    const kind = m.type === 'histogram' ? 'histogram' : m.type === 'gauge' ? 'gauge' : 'sum';
    out.push({
      name: m.name,
      unit: m.unit,
      description: m.help,
      kind,
      ...(kind === 'sum' ? { monotonic: m.type === 'counter' } : {}),
      ...(kind !== 'gauge' ? { temporality: m.temporality } : {}),
      ...((m as { valueType?: string }).valueType === 'int' ? { int: true as const } : {}),
      points: sortPoints(
        m.points.map((p) => {
          const attributes: Record<string, Label> = { ...p.attributes };
          if ('value' in p) return { attributes, value: num(p.value) };
          const h = p as { count: number; sum: number; min: number; max: number; bounds: readonly number[]; bucketCounts: readonly number[] };
          return { attributes, count: h.count, sum: num(h.sum), min: num(h.min), max: num(h.max), bounds: h.bounds.map(num), counts: [...h.bucketCounts] };
        }),
      ),
    });
  }
  return sortMetrics(out);
}

type Phases = (meter: Meter) => (() => void)[];

/** A scenario: given a meter, the phases to run (a collection of both temporalities after each). */
interface Scenario {
  name: string;
  phases: Phases;
  /** An accepted difference: why, and how the SDK's output becomes the bridge's. */
  accept?: {
    why: string;
    /** The calls that make the SDK export what the bridge exports for `phases`. */
    sdk?: Phases;
    /** Or a change to the SDK's output. */
    patch?: (rounds: Round[]) => void;
  };
  /** lexigram_monitor_dropped_total by reason after the last phase: what the bridge left out, counted. */
  dropped?: Record<string, number>;
}

async function runSdk(phases: Phases): Promise<Round[]> {
  const delta = new CollectingReader('delta');
  const cumulative = new CollectingReader('cumulative');
  const provider = new MeterProvider({ readers: [delta, cumulative] });
  expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
  const rounds: Round[] = [];
  try {
    for (const phase of phases(metrics.getMeter('lib', '1.0.0'))) {
      phase();
      rounds.push({ delta: fromSdk((await delta.collect()).resourceMetrics), cumulative: fromSdk((await cumulative.collect()).resourceMetrics) });
    }
  } finally {
    metrics.disable();
    await provider.shutdown();
  }
  return rounds;
}

function runOurs(phases: Phases): { rounds: Round[]; dropped: Record<string, number> } {
  const { monitor } = createTestMonitor();
  expect(registerOpenTelemetry(monitor)).toBe(true);
  const rounds: Round[] = [];
  try {
    for (const phase of phases(metrics.getMeter('lib', '1.0.0'))) {
      phase();
      rounds.push({ delta: fromOurs(monitor.metrics.collect({ temporality: 'delta' }).metrics), cumulative: fromOurs(monitor.metrics.collect().metrics) });
    }
  } finally {
    unregisterOpenTelemetry();
  }
  const d = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
  const dropped = Object.fromEntries((d?.points ?? []).map((p) => [String(p.attributes.reason), (p as { value: number }).value]));
  return { rounds, dropped };
}

/** Counter adds that both the SDK and the core refuse (a counter only goes up). */
const negatives = (c: { add(v: number, a?: Attributes): void }): void => {
  c.add(-1);
  c.add(-0.5, { k: 'neg' });
};

const SCENARIOS: Scenario[] = [
  {
    name: 'counter: attributes, none, {}, unit and description; a phase without adds',
    phases: (m) => {
      const c = m.createCounter('app.requests', { unit: '{request}', description: 'Requests served' });
      return [
        () => {
          c.add(1);
          c.add(2.5, {});
          c.add(3, { route: '/a' });
          c.add(0, { route: '/zero' });
          negatives(c);
        },
        () => undefined,
        () => c.add(4, { route: '/a' }),
      ];
    },
    // The SDK drops them too, uncounted.
    dropped: { negative_increment: 2 },
  },
  {
    name: 'counter: NaN and ±Infinity',
    phases: (m) => {
      const c = m.createCounter('app.nonfinite');
      return [() => c.add(5), () => c.add(NaN), () => c.add(Infinity, { k: 'inf' }), () => c.add(-Infinity, { k: 'ninf' })];
    },
    accept: {
      // The SDK adds them (the sum becomes NaN or Infinity for good); the core drops and counts
      // a value that is not finite, as it does its own instruments' (src/otel/meter.ts intValue).
      why: 'non-finite values are dropped and counted',
      sdk: (m) => {
        const c = m.createCounter('app.nonfinite');
        return [() => c.add(5), () => undefined, () => undefined, () => undefined];
      },
    },
    dropped: { invalid_value: 2, negative_increment: 1 },
  },
  {
    name: 'counter and up-down counter: ValueType.INT, very large ints',
    phases: (m) => {
      const c = m.createCounter('app.bytes', { valueType: ValueType.INT, unit: 'By' });
      const d = m.createCounter('app.big');
      const u = m.createUpDownCounter('app.items', { valueType: ValueType.INT });
      return [
        () => {
          c.add(2.7);
          c.add(2 ** 53);
          d.add(1e20);
          d.add(Number.MAX_SAFE_INTEGER, { k: 'max' });
          d.add(1, { k: 'max' });
          u.add(-1.9);
          u.add(3);
        },
        () => {
          c.add(2 ** 60);
          d.add(Number.MAX_VALUE);
          u.add(-(2 ** 53));
        },
      ];
    },
  },
  {
    name: 'up-down counter: negatives, NaN, Infinity',
    phases: (m) => {
      const u = m.createUpDownCounter('app.queue.items', { description: 'Items queued' });
      return [
        () => {
          u.add(5, { q: 'a' });
          u.add(-7, { q: 'a' });
          u.add(-0.25);
        },
        () => u.add(NaN, { q: 'a' }),
        () => u.add(Infinity, { q: 'b' }),
      ];
    },
    accept: {
      why: 'non-finite values are dropped and counted',
      sdk: (m) => {
        const u = m.createUpDownCounter('app.queue.items', { description: 'Items queued' });
        return [
          () => {
            u.add(-2, { q: 'a' });
            u.add(-0.25);
          },
          () => undefined,
          () => undefined,
        ];
      },
    },
    dropped: { invalid_value: 2 },
  },
  {
    name: 'histogram: default boundaries, values on the bounds, 0 and past the last; negatives',
    phases: (m) => {
      const h = m.createHistogram('app.latency', { unit: 'ms' });
      return [
        () => {
          for (const v of [0, 5, 7, 10, 10000, 20000, 0.001]) h.record(v, { route: '/a' });
          h.record(42);
          h.record(-1); // dropped by both
        },
        () => undefined,
        () => h.record(3, { route: '/a' }),
      ];
    },
    dropped: { invalid_value: 1 },
  },
  {
    name: 'histogram: advice unsorted with ±Infinity; empty advice; asked for again with other advice',
    phases: (m) => {
      const h = m.createHistogram('app.size', { unit: 'By', advice: { explicitBucketBoundaries: [100, 1, Infinity, 10, -Infinity] } });
      const again = m.createHistogram('app.size', { unit: 'By', advice: { explicitBucketBoundaries: [5] } });
      const e = m.createHistogram('app.empty', { advice: { explicitBucketBoundaries: [] } });
      return [
        () => {
          for (const v of [0, 1, 2, 10, 11, 100, 1000]) h.record(v);
          again.record(3);
          e.record(5);
          e.record(7, { a: 'b' });
        },
      ];
    },
  },
  {
    name: 'histogram: advice with a repeated boundary',
    phases: (m) => {
      const h = m.createHistogram('app.repeat', { advice: { explicitBucketBoundaries: [1, 10, 10, 100] } });
      return [() => [0, 1, 2, 10, 11, 100, 1000].forEach((v) => h.record(v))];
    },
    accept: {
      // The SDK keeps an empty bucket (10, 10]; the core wants strictly increasing bounds.
      why: 'a repeated boundary is removed',
      sdk: (m) => {
        const h = m.createHistogram('app.repeat', { advice: { explicitBucketBoundaries: [1, 10, 100] } });
        return [() => [0, 1, 2, 10, 11, 100, 1000].forEach((v) => h.record(v))];
      },
    },
  },
  {
    name: 'histogram: NaN and Infinity',
    phases: (m) => {
      const h = m.createHistogram('app.weird', { advice: { explicitBucketBoundaries: [1, 2] } });
      return [() => h.record(1.5), () => h.record(NaN), () => h.record(Infinity, { k: 'inf' })];
    },
    accept: {
      // The SDK makes an empty series for NaN and counts Infinity in the last bucket (sum, min and max Infinity).
      why: 'non-finite values are dropped and counted',
      sdk: (m) => {
        const h = m.createHistogram('app.weird', { advice: { explicitBucketBoundaries: [1, 2] } });
        return [() => h.record(1.5), () => undefined, () => undefined];
      },
    },
    dropped: { invalid_value: 2 },
  },
  {
    name: 'histogram: ValueType.INT',
    phases: (m) => {
      const h = m.createHistogram('app.payload', { valueType: ValueType.INT, advice: { explicitBucketBoundaries: [1, 10] } });
      return [
        () => {
          h.record(2.5);
          h.record(3);
          h.record(-0.5);
          h.record(0.9);
        },
      ];
    },
    dropped: { invalid_value: 1 }, // -0.5, dropped by the SDK too
  },
  {
    name: 'histogram in s without advice',
    phases: (m) => {
      const h = m.createHistogram('app.duration', { unit: 's' });
      return [() => h.record(0.2)];
    },
    accept: {
      why: "README: a histogram in s without advice gets the library's seconds buckets, not the SDK's default boundaries",
      sdk: (m) => {
        const h = m.createHistogram('app.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] } });
        return [() => h.record(0.2)];
      },
    },
  },
  {
    name: 'gauge (sync): last value wins, INT, a phase without records',
    phases: (m) => {
      const g = m.createGauge('app.temperature', { unit: 'Cel' });
      const i = m.createGauge('app.depth', { valueType: ValueType.INT });
      return [
        () => {
          g.record(20, { room: 'a' });
          g.record(21.5, { room: 'a' });
          g.record(-3);
          i.record(7.9);
        },
        () => g.record(22, { room: 'a' }),
        () => undefined,
      ];
    },
  },
  {
    name: 'gauge (sync): NaN',
    phases: (m) => {
      const g = m.createGauge('app.gauge.nan');
      return [() => g.record(1), () => g.record(NaN)];
    },
    accept: {
      why: 'non-finite values are dropped and counted',
      sdk: (m) => {
        const g = m.createGauge('app.gauge.nan');
        return [() => g.record(1), () => undefined];
      },
    },
    dropped: { invalid_value: 1 },
  },
  {
    name: 'observable counter, up-down counter and gauge: addCallback twice, removeCallback, INT',
    phases: (m) => {
      let round = 0;
      const cpu = m.createObservableCounter('app.cpu.time', { unit: 's' });
      const items = m.createObservableUpDownCounter('app.pending', { valueType: ValueType.INT });
      const temp = m.createObservableGauge('app.temp');
      const cpuCb: ObservableCallback = (r) => {
        r.observe([10, 15, 15][round]!, { state: 'user' });
        if (round === 0) r.observe(1, { state: 'gone' });
      };
      const tempCb: ObservableCallback = (r) => {
        r.observe(1, { room: 'b' });
        r.observe(2, { room: 'b' });
        r.observe(-4.5);
      };
      return [
        () => {
          cpu.addCallback(cpuCb);
          cpu.addCallback(cpuCb);
          items.addCallback((r) => r.observe([7.8, -2, 0][round]!));
          temp.addCallback(tempCb);
        },
        () => {
          round = 1;
          temp.removeCallback(tempCb);
        },
        () => {
          round = 2;
          cpu.removeCallback(cpuCb);
        },
      ];
    },
  },
  {
    name: 'observable counter: a total that goes down (a reset)',
    phases: (m) => {
      let total = 10;
      m.createObservableCounter('app.restarts').addCallback((r) => r.observe(total));
      return [() => undefined, () => (total = 15), () => (total = 3)];
    },
    accept: {
      // Both export a delta of 3 after the reset; cumulative, sdk-metrics 2.12 adds that delta to
      // the total before the reset (18), the bridge exports the total observed (README: "as the total under cumulative").
      why: 'cumulative after a reset is the observed total',
      patch: (rounds) => {
        (rounds[2]!.cumulative[0]!.points[0]!.value as number) -= 15;
      },
    },
  },
  {
    name: 'observable: NaN, a negative counter total, a throwing callback',
    phases: (m) => {
      const c = m.createObservableCounter('app.obs.total');
      const g = m.createObservableGauge('app.obs.gauge');
      c.addCallback(() => {
        throw new Error('broken');
      });
      return [
        () => {
          c.addCallback((r) => {
            r.observe(-5, { k: 'neg' });
            r.observe(NaN, { k: 'nan' });
            r.observe(2);
          });
          g.addCallback((r) => r.observe(NaN));
        },
      ];
    },
    accept: {
      // The SDK exports NaN points, and a negative total as 0; the core drops and counts both.
      why: 'non-finite values and negative counter totals are dropped and counted',
      sdk: (m) => {
        const c = m.createObservableCounter('app.obs.total');
        m.createObservableGauge('app.obs.gauge');
        return [() => c.addCallback((r) => r.observe(2))];
      },
    },
    // Two collections per round (delta, cumulative), three drops in each.
    dropped: { invalid_value: 6, collect_callback: 2 },
  },
  {
    name: 'addBatchObservableCallback observing one instrument it was not added for, then removeBatchObservableCallback',
    phases: (m) => {
      const conns = m.createObservableUpDownCounter('app.connections');
      const pool = m.createObservableGauge('app.pool.idle');
      const other = m.createObservableGauge('app.not.listed');
      const cb: BatchObservableCallback = (r) => {
        r.observe(conns, 12);
        r.observe(pool, 0.25, { pool: 'db' });
        r.observe(other, 1);
      };
      return [() => m.addBatchObservableCallback(cb, [conns, pool]), () => m.removeBatchObservableCallback(cb, [conns, pool])];
    },
  },
  {
    name: 'the same counter asked for twice on one meter',
    phases: (m) => {
      const a = m.createCounter('app.twice', { unit: '1', description: 'twice' });
      const b = m.createCounter('app.twice', { unit: '1', description: 'twice' });
      return [
        () => {
          a.add(1, { k: 'v' });
          b.add(2, { k: 'v' });
        },
      ];
    },
  },
  {
    name: 'the same counter asked for on two meters',
    phases: (m) => {
      const a = m.createCounter('app.shared');
      const b = metrics.getMeter('other').createCounter('app.shared');
      return [
        () => {
          a.add(1, { k: 'v' });
          b.add(2, { k: 'v' });
        },
      ];
    },
    accept: {
      why: "README: all API meters share the monitor's one namespace (one stream, not one per meter)",
      sdk: (m) => {
        const a = m.createCounter('app.shared');
        return [() => a.add(3, { k: 'v' })];
      },
    },
  },
  {
    name: 'the same name asked for with another description',
    phases: (m) => {
      const a = m.createCounter('app.described', { description: 'short' });
      const b = m.createCounter('app.described', { description: 'a longer description' });
      return [
        () => {
          a.add(1);
          b.add(2);
        },
      ];
    },
    accept: {
      // sdk-metrics uses the longer description; the core's instrument keeps its first, as its unit and buckets.
      why: 'the first description is kept',
      sdk: (m) => {
        const a = m.createCounter('app.described', { description: 'short' });
        return [() => a.add(3)];
      },
    },
  },
  {
    name: 'the same name in another case',
    phases: (m) => {
      const a = m.createCounter('app.Cased');
      const b = m.createCounter('app.cased');
      return [
        () => {
          a.add(1);
          b.add(2);
        },
      ];
    },
    accept: {
      // sdk-metrics 2.12 keys its storages by the exact name and exports two streams; names
      // ignore case (MET-12), so the bridge records both into the first, under its name.
      why: 'one instrument per name, case ignored (MET-12)',
      sdk: (m) => {
        const a = m.createCounter('app.Cased');
        return [() => a.add(3)];
      },
    },
  },
  {
    name: 'the same name as another kind, with another unit, with another value type',
    phases: (m) => {
      const a = m.createCounter('app.kind');
      const b = m.createHistogram('app.kind');
      const c = m.createCounter('app.unit', { unit: 'ms' });
      const d = m.createCounter('app.unit', { unit: 's' });
      const e = m.createCounter('app.vt', { valueType: ValueType.INT });
      const f = m.createCounter('app.vt');
      return [
        () => {
          a.add(1);
          b.record(2);
          c.add(1);
          d.add(2);
          e.add(1);
          f.add(2.5);
        },
      ];
    },
    accept: {
      // sdk-metrics exports two streams of one name (with a warning). The core keeps one
      // instrument per name (Prometheus cannot have two): another kind or unit is an instrument
      // whose measurements are dropped and counted; another value type records into the first.
      why: 'one instrument per name: the first creation decides its kind, unit and value type',
      sdk: (m) => {
        const a = m.createCounter('app.kind');
        const c = m.createCounter('app.unit', { unit: 'ms' });
        const e = m.createCounter('app.vt', { valueType: ValueType.INT });
        return [
          () => {
            a.add(1);
            c.add(1);
            e.add(1);
            e.add(2.5);
          },
        ];
      },
    },
    dropped: { invalid_instrument: 2 },
  },
  {
    name: 'a synchronous and an observable instrument of one name',
    phases: (m) => {
      const c = m.createCounter('app.mixed.count');
      const oc = m.createObservableCounter('app.mixed.count');
      const u = m.createUpDownCounter('app.mixed.ud');
      const ou = m.createObservableUpDownCounter('app.mixed.ud');
      const og = m.createObservableGauge('app.mixed.gauge'); // the observable first
      const g = m.createGauge('app.mixed.gauge');
      oc.addCallback((r) => r.observe(100));
      ou.addCallback((r) => r.observe(50));
      og.addCallback((r) => r.observe(7));
      return [
        () => {
          c.add(1);
          u.add(2);
          g.record(3);
        },
        () => c.add(1),
      ];
    },
    accept: {
      // sdk-metrics exports two streams of one name (with a warning); one core instrument per
      // name, so the second records nothing, counted, as another kind does.
      why: 'one instrument per name: the first creation decides its kind',
      sdk: (m) => {
        const c = m.createCounter('app.mixed.count');
        const u = m.createUpDownCounter('app.mixed.ud');
        m.createObservableGauge('app.mixed.gauge').addCallback((r) => r.observe(7));
        return [
          () => {
            c.add(1);
            u.add(2);
          },
          () => c.add(1),
        ];
      },
    },
    // Two observations in each of four collections, and one record.
    dropped: { invalid_instrument: 9 },
  },
  {
    name: 'attributes of every type, key order, many keys',
    phases: (m) => {
      const c = m.createCounter('app.attrs');
      const many: Attributes = {};
      for (let i = 0; i < 40; i++) many[`key${i}`] = i;
      return [
        () => {
          c.add(1, { s: 'x', n: 200, f: 1.5, b: true, bf: false, neg: -1, big: 2 ** 60 });
          c.add(1, { arr: ['a', 'b'], comma: ['a', 'b,c'], nums: [1, 2], bools: [true, false], empty: [] });
          c.add(1, many);
          c.add(1, { b: 2, a: 1 });
          c.add(1, { a: 1, b: 2 });
          c.add(1, { s: 'ünïcode ✓' });
        },
      ];
    },
  },
  {
    name: "attributes the core's label model changes: an undefined value, an empty value, an empty key",
    phases: (m) => {
      const c = m.createCounter('app.labels');
      return [
        () => {
          c.add(1, { keep: 'v', gone: undefined });
          c.add(1, { keep: 'v' });
          c.add(1, { s: '' });
          c.add(1, { '': 'e' });
        },
      ];
    },
    accept: {
      // An undefined value: sdk-metrics keeps it in the series identity (two series that export
      // alike). An empty value is an absent label (PR-03). An empty key is renamed (MET-13).
      why: "the core's label model",
      sdk: (m) => {
        const c = m.createCounter('app.labels');
        return [
          () => {
            c.add(2, { keep: 'v' });
            c.add(1);
            c.add(1, { key_: 'e' });
          },
        ];
      },
    },
  },
  {
    name: 'attribute keys with dots and dashes',
    phases: (m) => {
      const c = m.createCounter('app.keys');
      return [
        () => {
          c.add(1, { 'http.route': '/a', 'user-agent': 'x' });
          c.add(1, { 'http.request.header.content-type': 'json' });
        },
      ];
    },
    accept: {
      why: 'README, MET-13: a key that is not a label name is renamed as the Prometheus exposition would, dots kept',
      sdk: (m) => {
        const c = m.createCounter('app.keys');
        return [
          () => {
            c.add(1, { 'http.route': '/a', user_agent: 'x' });
            c.add(1, { 'http.request.header.content_type': 'json' });
          },
        ];
      },
    },
  },
  {
    name: 'attribute keys Prometheus reserves or cannot take',
    phases: (m) => {
      const h = m.createHistogram('app.reserved.h', { advice: { explicitBucketBoundaries: [1] } });
      const c = m.createCounter('app.reserved.c');
      return [
        () => {
          h.record(1, { le: 'x', quantile: 'q' });
          c.add(1, { __name__: 'n', __x: 'y', _under: 'u', '9lives': 'c', 'a-b': 1, a_b: 2 });
          c.add(1, { job: 'j', instance: 'i', le: 'l' });
        },
      ];
    },
    accept: {
      why: 'README, MET-13: keys renamed as the Prometheus exposition would; keys that then meet are joined with ;',
      sdk: (m) => {
        const h = m.createHistogram('app.reserved.h', { advice: { explicitBucketBoundaries: [1] } });
        const c = m.createCounter('app.reserved.c');
        return [
          () => {
            h.record(1, { le: 'x', quantile: 'q' });
            c.add(1, { key_name_: 'n', key_x: 'y', _under: 'u', key_9lives: 'c', a_b: '1;2' });
            c.add(1, { job: 'j', instance: 'i', le: 'l' });
          },
        ];
      },
    },
  },
  {
    name: "attributes past the core's limits: a long value, a long key, 200 keys",
    phases: (m) => {
      const c = m.createCounter('app.long');
      const many: Attributes = {};
      for (let i = 0; i < 200; i++) many[`k${i}`] = 'v';
      return [
        () => {
          c.add(1, { v: 'x'.repeat(5000) });
          c.add(1, { ['k'.repeat(300)]: 'v' });
          c.add(1, many);
        },
      ];
    },
    accept: {
      // limits.labelValueLengthLimit (1024) cuts the value; a key too long for a label name is
      // dropped; limits.labelCountLimit (128) keeps the first keys in name order. Each counted.
      why: "the core's label limits",
      sdk: (m) => {
        const c = m.createCounter('app.long');
        const kept: Attributes = {};
        for (const k of Array.from({ length: 200 }, (_, i) => `k${i}`).sort().slice(0, 128)) kept[k] = 'v';
        return [
          () => {
            c.add(1, { v: 'x'.repeat(1024) });
            c.add(1);
            c.add(1, kept);
          },
        ];
      },
    },
    dropped: { label_too_long: 1, invalid_label: 1, attribute_limit: 72 },
  },
  {
    name: 'a unit that is not printable ASCII',
    phases: (m) => {
      const h = m.createHistogram('app.micro', { unit: 'µs' });
      return [() => h.record(3)];
    },
    accept: {
      why: 'README: a unit the core cannot keep is dropped (the instrument still records)',
      sdk: (m) => {
        const h = m.createHistogram('app.micro');
        return [() => h.record(3)];
      },
    },
  },
  {
    name: 'an invalid instrument name',
    phases: (m) => {
      const c = m.createCounter('1abc');
      return [() => c.add(1)];
    },
    accept: {
      why: 'README: a name outside OpenTelemetry syntax gives an instrument that records nothing (the SDK records it with a warning)',
      sdk: () => [() => undefined],
    },
    dropped: { invalid_instrument: 1 },
  },
  {
    name: 'instruments created and never used',
    phases: (m) => {
      m.createCounter('app.unused');
      m.createHistogram('app.unused.h');
      m.createGauge('app.unused.g');
      m.createObservableGauge('app.unused.og');
      return [() => undefined];
    },
  },
  {
    name: 'histogram: delta min and max per interval',
    phases: (m) => {
      const h = m.createHistogram('app.minmax', { advice: { explicitBucketBoundaries: [10] } });
      return [
        () => {
          h.record(1);
          h.record(100);
        },
        () => h.record(50),
      ];
    },
  },
  {
    name: 'values that are not numbers, none given',
    phases: (m) => {
      const c = m.createCounter('app.nan.c');
      const u = m.createUpDownCounter('app.nan.u');
      const h = m.createHistogram('app.nan.h');
      const g = m.createGauge('app.nan.g');
      const o = m.createObservableGauge('app.nan.o');
      const oc = m.createObservableCounter('app.nan.oc');
      o.addCallback((r) => {
        r.observe('4' as unknown as number);
        r.observe(undefined as unknown as number, { a: 'b' });
      });
      oc.addCallback((r) => r.observe(undefined as unknown as number));
      // As a JavaScript caller may: the SDK drops each (a warning), none is a 1.
      const call = (f: (v: number) => void, v?: unknown): void => f(v as number);
      return [
        () => {
          call((v) => c.add(v));
          call((v) => c.add(v, { k: 's' }), '5');
          call((v) => c.add(v, { k: 'null' }), null);
          call((v) => c.add(v, { k: 'bool' }), true);
          call((v) => u.add(v));
          call((v) => u.add(v), '2');
          call((v) => h.record(v));
          call((v) => h.record(v), '3');
          call((v) => g.record(v));
          call((v) => g.record(v, { k: 's' }), '9');
        },
      ];
    },
    // Ten calls, and three observations in each of the two collections.
    dropped: { invalid_value: 16 },
  },
  {
    name: 'batch callbacks: added twice, an instrument observed twice, removed with other observables',
    phases: (m) => {
      const a = m.createObservableGauge('app.batch.a');
      const b = m.createObservableCounter('app.batch.b');
      const cb: BatchObservableCallback = (r) => {
        r.observe(a, 1, { x: '1' });
        r.observe(a, 2, { x: '1' });
        r.observe(b, 5);
      };
      return [
        () => {
          m.addBatchObservableCallback(cb, [a, b]);
          m.addBatchObservableCallback(cb, [a, b]);
          m.addBatchObservableCallback(cb, [b, a]);
        },
        () => m.removeBatchObservableCallback(cb, [a]),
        () => m.removeBatchObservableCallback(cb, [a, b]),
      ];
    },
  },
  {
    name: 'observable counter: a callback removed, then added again',
    phases: (m) => {
      let total = 10;
      const c = m.createObservableCounter('app.readd');
      const cb: ObservableCallback = (r) => r.observe(total, { k: 'v' });
      return [
        () => c.addCallback(cb),
        () => {
          c.removeCallback(cb);
          total = 20; // not observed
        },
        () => {
          c.addCallback(cb);
          total = 25;
        },
      ];
    },
  },
  {
    name: 'ValueType.INT gauges: a fraction, ±Infinity; a DOUBLE gauge keeps Infinity',
    phases: (m) => {
      const o = m.createObservableGauge('app.int.o', { valueType: ValueType.INT });
      const g = m.createGauge('app.int.g', { valueType: ValueType.INT });
      const d = m.createGauge('app.double.g');
      o.addCallback((r) => {
        r.observe(2.9, { k: 'a' });
        r.observe(-2.9, { k: 'b' });
        r.observe(Infinity, { k: 'c' });
      });
      return [
        () => {
          g.record(-0.5);
          g.record(Infinity, { k: 'inf' });
          g.record(-Infinity, { k: 'ninf' });
          d.record(Infinity);
        },
      ];
    },
    // The SDK ignores an INT instrument's non-finite values; here they are counted (one
    // observation in each of the two collections, two records).
    dropped: { invalid_value: 4 },
  },
  {
    name: 'observable attribute sets that stop being observed',
    phases: (m) => {
      let round = 0;
      m.createObservableGauge('app.y.g').addCallback((r) => r.observe(1, { set: round === 0 ? 'a' : 'b' }));
      m.createObservableCounter('app.y.c').addCallback((r) => r.observe(10 + round, { set: round === 0 ? 'a' : 'b' }));
      m.createObservableUpDownCounter('app.y.u').addCallback((r) => r.observe(5 + round, { set: round === 0 ? 'a' : 'b' }));
      return [() => undefined, () => (round = 1), () => (round = 2)];
    },
  },
  {
    name: 'attribute values the API does not allow; advice that is not numbers, or no boundaries',
    phases: (m) => {
      const c = m.createCounter('app.odd');
      const h = m.createHistogram('app.odd.h', { advice: { explicitBucketBoundaries: ['5', 1, NaN] as unknown as number[] } });
      const h2 = m.createHistogram('app.odd.h2', { advice: {} });
      return [
        () => {
          c.add(1, { o: { a: 1 } } as unknown as Attributes);
          c.add(1, { n: null } as unknown as Attributes);
          c.add(1, { mixed: ['a', 1] } as unknown as Attributes);
          c.add(1, { nan: NaN, inf: -Infinity });
          h.record(3);
          h2.record(3);
        },
      ];
    },
    accept: {
      // The SDK exports the boundaries [1, '5', NaN]; the core wants finite, increasing numbers.
      why: 'advice: boundaries that are not finite numbers are removed',
      sdk: (m) => {
        const c = m.createCounter('app.odd');
        const h = m.createHistogram('app.odd.h', { advice: { explicitBucketBoundaries: [1] } });
        const h2 = m.createHistogram('app.odd.h2');
        return [
          () => {
            c.add(1, { o: '[object Object]' });
            c.add(1);
            c.add(1, { mixed: '["a",1]' });
            c.add(1, { nan: NaN, inf: -Infinity });
            h.record(3);
            h2.record(3);
          },
        ];
      },
    },
  },
];

describe('metrics bridge vs @opentelemetry/sdk-metrics', () => {
  for (const s of SCENARIOS) {
    it(s.name, async () => {
      const ours = runOurs(s.phases);
      const sdk = await runSdk(s.phases);
      // Nothing lost silently: each measurement the bridge left out is counted.
      expect(ours.dropped).toEqual(s.dropped ?? {});
      if (s.accept === undefined) {
        expect(ours.rounds).toEqual(sdk);
        return;
      }
      // The accepted difference is still there (or this entry must go) ...
      expect(ours.rounds, 'the difference is gone: remove the accepted entry').not.toEqual(sdk);
      // ... and it is the only one: the SDK given the calls as the bridge records them.
      const expected = s.accept.sdk ? await runSdk(s.accept.sdk) : sdk;
      s.accept.patch?.(expected);
      expect(ours.rounds).toEqual(expected);
    });
  }
});
