/**
 * Label values holding a lone surrogate (not valid Unicode) go out as U+FFFD in UTF-8, so values
 * that differ only there are one attribute set: they must be one series, not two data points
 * with the same attributes in one export (a collector cannot tell them apart).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { createMonitor } from '../../src/index.js';
import { decodeProto } from './helpers/proto-decoder.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

for (const labelNames of [['v'], undefined]) {
  it(`values differing only in lone surrogates are one series (labelNames: ${labelNames})`, async () => {
    const from = rx.requests.length;
    const monitor = createMonitor({ serviceName: 'app', backends: [new OtlpBackend({ endpoint: rx.url })] });
    const c = monitor.metrics.createCounter('hits', 'Hits', { labelNames });
    c.increment(1, { v: 'a\uD800' });
    c.increment(2, { v: 'a\uDC00' });
    c.increment(4, { v: 'a\uFFFD' });
    c.increment(8, { v: 'a\uD800' });
    c.increment(16, { v: '\u{1F600}' }); // a valid pair stays as it is
    const points = monitor.metrics.collect().metrics.find((m) => m.name === 'hits')!.points;
    expect(points.map((p) => [p.attributes, (p as { value: number }).value])).toEqual([[{ v: 'a\uFFFD' }, 15], [{ v: '\u{1F600}' }, 16]]);
    await monitor.shutdown();
    const sent = rx.requests.slice(from).filter((r) => r.path.endsWith('/metrics')).flatMap((r) => decodeProto('metrics', r.body).resourceMetrics[0].scopeMetrics[0].metrics);
    expect(sent.find((m: any) => m.name === 'hits').sum.dataPoints.map((p: any) => [p.attributes[0].value.stringValue, p.asDouble])).toEqual([['a\uFFFD', 15], ['\u{1F600}', 16]]);
  });
}
