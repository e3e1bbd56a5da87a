import { expect, test } from 'vitest';
import { base2ExponentialBuckets, createMonitor, ExponentialHistogram, MemoryBackend } from '../../src/index.js';

/**
 * `metrics.histogramBuckets` is checked when the monitor is made: an object written by hand or read
 * from JSON (`{ kind: 'base2_exponential' }`, no instrument) was accepted, then every histogram made
 * without buckets threw `make is not a constructor` (an app's createHistogram, an OpenTelemetry API
 * histogram), and the HTTP duration was reported as a metric "with another shape".
 */
test('metrics.histogramBuckets written by hand throws at createMonitor, naming what it takes', () => {
  const forged = { kind: 'base2_exponential', maxSize: 160, maxScale: 20 };
  expect(() => createMonitor({ serviceName: 's', backends: [new MemoryBackend()], metrics: { histogramBuckets: forged as never } })).toThrow(/`metrics.histogramBuckets` takes base2ExponentialBuckets\(\)/);
  const monitor = createMonitor({ serviceName: 's', backends: [new MemoryBackend()], metrics: { histogramBuckets: base2ExponentialBuckets() } });
  expect(monitor.metrics.createHistogram('latency_seconds', 'Latency')).toBeInstanceOf(ExponentialHistogram);
});
