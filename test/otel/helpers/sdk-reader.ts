/**
 * An sdk-metrics reader that only collects, for side-by-side comparisons with the SDK: delta as
 * the SDK's OTLP exporter reads AggregationTemporalityPreference.DELTA (up-down counters stay
 * cumulative), or cumulative throughout; an optional cardinality limit.
 */
import { AggregationTemporality, InstrumentType, MetricReader } from '@opentelemetry/sdk-metrics';

export class CollectingReader extends MetricReader {
  constructor(temporality: 'delta' | 'cumulative', cardinalityLimit?: number) {
    super({
      ...(cardinalityLimit !== undefined ? { cardinalitySelector: () => cardinalityLimit } : {}),
      // As the SDK's OTLP exporter reads AggregationTemporalityPreference.DELTA: up-down counters stay cumulative.
      aggregationTemporalitySelector: (t) =>
        temporality === 'cumulative' || t === InstrumentType.UP_DOWN_COUNTER || t === InstrumentType.OBSERVABLE_UP_DOWN_COUNTER
          ? AggregationTemporality.CUMULATIVE
          : AggregationTemporality.DELTA,
    });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
