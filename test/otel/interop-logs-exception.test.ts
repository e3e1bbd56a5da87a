/**
 * A log record through @opentelemetry/api-logs with both `exception` and `exception.*`
 * attributes: as in sdk-logs, each attribute the record gives wins, and the exception fills in
 * only the ones it lacks. An app that replaced a message holding a card number or a token with a
 * sanitised one must not have the raw message exported.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

const exceptionAttributes = (a: Record<string, unknown>) => Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith('exception.')).sort(([x], [y]) => (x < y ? -1 : 1)));

describe('api-logs records with an exception and exception.* attributes', () => {
  it("keep the record's own exception.* attributes and take the others from the exception, as sdk-logs does", async () => {
    const exporter = new InMemoryLogRecordExporter();
    const sdk = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('sdk');
    const { monitor, memory } = createTestMonitor();
    expect(registerOpenTelemetry(monitor, { logs })).toBe(true);
    const err = new Error('card 4111-1111-1111-1111 declined');
    err.stack = 'Error: card 4111-1111-1111-1111 declined\n    at charge (pay.js:1:1)';
    const coded = Object.assign(new Error('no such file'), { code: 'ENOENT', stack: 'Error: no such file\n    at open' });
    const records = [
      { body: 'message replaced', attributes: { 'exception.message': 'card declined', order: 7 }, exception: err },
      { body: 'stack left out', attributes: { 'exception.stacktrace': 'omitted' }, exception: err },
      { body: 'type given', attributes: { 'exception.type': 'PaymentError' }, exception: err },
      { body: 'code', attributes: { 'exception.message': 'file missing' }, exception: coded },
      { body: 'plain', exception: err },
    ];
    for (const r of records) {
      sdk.emit(r);
      logs.getLogger('bridge').emit(r);
    }
    await monitor.flush();
    const ours = memory.logs.map((l) => exceptionAttributes(l.attributes));
    const theirs = exporter.getFinishedLogRecords().map((l) => exceptionAttributes(l.attributes as Record<string, unknown>));
    expect(ours).toEqual(theirs);
    expect(ours[0]!['exception.message']).toBe('card declined');
    expect(memory.logs[0]!.attributes.order).toBe(7);
  });
});

describe('an api-logs record with a very long severityText', () => {
  it('keeps its first 64 characters, counted as attribute_truncated (the caller’s string went out whole, a megabyte in every export)', async () => {
    const { monitor, memory } = createTestMonitor();
    expect(registerOpenTelemetry(monitor, { logs })).toBe(true);
    logs.getLogger('app').emit({ severityNumber: 13, severityText: 'W'.repeat(1_000_000), body: 'b' });
    logs.getLogger('app').emit({ severityNumber: 13, severityText: 'Warning', body: 'short' });
    await monitor.flush();
    expect(memory.logs.map((l) => l.severityText.length)).toEqual([64, 7]);
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total')!;
    expect(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value])).toEqual([['attribute_truncated', 1]]);
  });
});
