import {
  createNoopMeter,
  type Attributes as ApiAttributes,
  type BatchObservableCallback,
  type Counter as ApiCounter,
  type Gauge as ApiGauge,
  type Histogram as ApiHistogram,
  type Meter,
  type MeterOptions,
  type MeterProvider,
  type MetricOptions,
  type Observable,
  type ObservableCounter,
  type ObservableGauge,
  type ObservableUpDownCounter,
  type UpDownCounter as ApiUpDownCounter,
} from '@opentelemetry/api';
import type { Monitor } from '../monitor.js';
import type { LabelsInput } from '../model/attributes.js';

const noop = createNoopMeter();

/** OpenTelemetry's default explicit buckets, for histograms that give no advice (and are not in seconds). */
const OTEL_DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

function labels(attrs: ApiAttributes | undefined): LabelsInput | undefined {
  if (attrs === undefined || attrs === null || typeof attrs !== 'object') return undefined;
  const out: LabelsInput = {};
  for (const k of Object.keys(attrs)) {
    const v = attrs[k];
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
  }
  return out;
}

/**
 * An `@opentelemetry/api` MeterProvider whose synchronous instruments record into
 * `monitor.metrics`, so they export with the app's own metrics. A name the app already uses
 * for its own instrument (for example `http.server.request.duration`, which the runtime
 * adapters record) is not recorded twice: the OpenTelemetry instrument becomes a no-op and a
 * diagnostic says so. Observable (callback) instruments are no-ops.
 */
export class BridgeMeterProvider implements MeterProvider {
  /** Instrument names created through this bridge (shared between meters, as one namespace). */
  private readonly own = new Set<string>();
  constructor(private readonly monitor: Monitor) {}

  getMeter(name: string, version?: string, _options?: MeterOptions): Meter {
    return new BridgeMeter(this, `${name}${version ? `@${version}` : ''}`);
  }

  /** @internal */
  create<T>(kind: string, name: string, scope: string, make: () => T, fallback: T): T {
    const metrics = this.monitor.metrics;
    if (!this.own.has(name) && metrics.getMetric(name) !== undefined) {
      this.monitor.diag.report(
        'otel',
        `the ${kind} "${name}" from "${scope}" has the name of one of the app's own metrics; it is not recorded twice (the OpenTelemetry instrument is a no-op)`,
        undefined,
        `otel:metric:${name}`,
      );
      return fallback;
    }
    try {
      const inst = make();
      this.own.add(name);
      return inst;
    } catch (err) {
      this.monitor.diag.report('otel', `the ${kind} "${name}" from "${scope}" could not be created: ${err instanceof Error ? err.message : String(err)}`, err, `otel:metric:${name}`);
      return fallback;
    }
  }

  /** @internal */
  unsupported(kind: string, name: string): void {
    this.monitor.diag.report('otel', `observable instruments (${kind} "${name}") are not supported by the OpenTelemetry bridge; it records nothing`, undefined, 'otel:observable');
  }

  /** @internal */
  get metrics(): Monitor['metrics'] {
    return this.monitor.metrics;
  }
}

class BridgeMeter implements Meter {
  constructor(
    private readonly provider: BridgeMeterProvider,
    private readonly scope: string,
  ) {}

  createCounter(name: string, options?: MetricOptions): ApiCounter {
    return this.provider.create(
      'counter',
      name,
      this.scope,
      () => {
        const c = this.provider.metrics.createCounter(name, options?.description, { unit: options?.unit || undefined });
        return { add: (v: number, a?: ApiAttributes) => c.add(v, labels(a)) };
      },
      noop.createCounter(name),
    );
  }

  createUpDownCounter(name: string, options?: MetricOptions): ApiUpDownCounter {
    return this.provider.create(
      'up-down counter',
      name,
      this.scope,
      () => {
        const c = this.provider.metrics.createUpDownCounter(name, options?.description, { unit: options?.unit || undefined });
        return { add: (v: number, a?: ApiAttributes) => c.add(v, labels(a)) };
      },
      noop.createUpDownCounter(name),
    );
  }

  createHistogram(name: string, options?: MetricOptions): ApiHistogram {
    return this.provider.create(
      'histogram',
      name,
      this.scope,
      () => {
        const advised = options?.advice?.explicitBucketBoundaries;
        const buckets = Array.isArray(advised) ? advised.slice() : options?.unit === 's' ? undefined : OTEL_DEFAULT_BUCKETS;
        const h = this.provider.metrics.createHistogram(name, options?.description, { unit: options?.unit || undefined, buckets });
        return { record: (v: number, a?: ApiAttributes) => h.observe(v, labels(a)) };
      },
      noop.createHistogram(name),
    );
  }

  createGauge(name: string, options?: MetricOptions): ApiGauge {
    return this.provider.create(
      'gauge',
      name,
      this.scope,
      () => {
        const g = this.provider.metrics.createGauge(name, options?.description, { unit: options?.unit || undefined });
        return { record: (v: number, a?: ApiAttributes) => g.set(v, labels(a)) };
      },
      noop.createGauge(name),
    );
  }

  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge {
    this.provider.unsupported('gauge', name);
    return noop.createObservableGauge(name, options);
  }

  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter {
    this.provider.unsupported('counter', name);
    return noop.createObservableCounter(name, options);
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter {
    this.provider.unsupported('up-down counter', name);
    return noop.createObservableUpDownCounter(name, options);
  }

  addBatchObservableCallback(_callback: BatchObservableCallback, _observables: Observable[]): void {}

  removeBatchObservableCallback(_callback: BatchObservableCallback, _observables: Observable[]): void {}
}
