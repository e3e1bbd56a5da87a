/**
 * Log messages given as large or deep objects, an Error's large `cause`, empty attribute keys,
 * and an Error as the message.
 */
import { logs } from '@opentelemetry/api-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../otel/index.js';
import type { Diagnostic } from '../model/batch.js';
import type { Monitor } from '../index.js';

afterEach(() => {
  unregisterOpenTelemetry();
  logs.disable();
});

const dropped = (monitor: Monitor) => {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]));
};

/** A list of rows whose element reads are counted (JSON.stringify reads every index it writes). */
function countedRows(n: number): { data: { id: number; name: string }[]; list: { id: number; name: string }[]; reads: () => number } {
  const data = Array.from({ length: n }, (_, i) => ({ id: i, name: 'row' }));
  let reads = 0;
  const list = new Proxy(data, {
    get(t, k, r) {
      if (typeof k === 'string' && k.charCodeAt(0) >= 48 && k.charCodeAt(0) <= 57) reads++;
      return Reflect.get(t, k, r);
    },
  });
  return { data, list, reads: () => reads };
}

describe('a large object as the message, or as an Error cause', () => {
  it('logger.info(rows) reads the rows that reach the message limit only; the message is the JSON text cut there, counted once', async () => {
    const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
    const { data, list, reads } = countedRows(100_000);
    monitor.logger.info(list);
    await monitor.flush();
    expect(memory.logs[0]!.body).toBe(JSON.stringify(data).slice(0, 16384));
    // 2 characters per element at least: no more than 8194 of them can reach 16384 characters.
    expect(reads()).toBeLessThanOrEqual(8200);
    expect(dropped(monitor)).toEqual({ attribute_truncated: 1 });
  });

  it("an Error's large cause is read up to the attribute value limit for exception.stacktrace", async () => {
    const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
    const { data, list, reads } = countedRows(100_000);
    monitor.logger.error('insert failed', new Error('bulk insert failed', { cause: list }));
    await monitor.flush();
    const stack = memory.logs[0]!.attributes['exception.stacktrace'] as string;
    expect(stack).toHaveLength(4096);
    const caused = stack.slice(stack.indexOf('\nCaused by: ') + 12);
    expect(JSON.stringify(data).startsWith(caused)).toBe(true);
    expect(reads()).toBeLessThanOrEqual(2100);
  });
});

describe('a deeply nested object as the message', () => {
  it('is cut at 8 levels as the same object as an attribute is, and counted as attribute_truncated (not as data that throws when read)', async () => {
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const list: Record<string, unknown> = {};
    let c = list;
    for (let i = 0; i < 5000; i++) c = (c.next = { v: i }) as Record<string, unknown>;
    monitor.logger.info(list);
    monitor.logger.info('as attribute', { list });
    await monitor.flush();
    const body = memory.logs[0]!.body as string;
    expect(body).toContain('"[Object]"');
    expect(JSON.parse(body)).toEqual(memory.logs[1]!.attributes.list);
    expect(dropped(monitor)).toEqual({ attribute_truncated: 2 });
    expect(seen.map((d) => d.kind)).toEqual(['attribute_truncated']);
  });
});

describe('an empty attribute key', () => {
  it('is dropped and counted as invalid_attribute, as on a span: on a record, a child logger and an api-logs record', async () => {
    const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
    registerOpenTelemetry(monitor, { logs });
    monitor.logger.info('native', { '': 'empty', ok: 1 });
    monitor.logger.child({ '': 'bound', region: 'eu' }).info('child');
    logs.getLogger('lib').emit({ severityNumber: 9, body: 'bridged', attributes: { '': 'empty', ok: 2 } });
    await monitor.flush();
    expect(memory.logs.map((l) => [l.body, { ...l.attributes }])).toEqual([
      ['native', { ok: 1 }],
      ['child', { region: 'eu' }],
      ['bridged', { ok: 2 }],
    ]);
    expect(dropped(monitor)).toEqual({ invalid_attribute: 3 });
  });
});

describe('an Error as the message', () => {
  it("keeps the error's own fields (code, errno) as attributes, as logger.error('msg', err) does", async () => {
    const { monitor, memory } = createTestMonitor();
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111 });
    monitor.logger.error(err);
    monitor.logger.error('db connect failed', err);
    await monitor.flush();
    const [asMessage, asAttributes] = memory.logs.map(({ attributes }) => ({ ...attributes, 'exception.stacktrace': undefined }));
    expect(asMessage).toEqual({ code: 'ECONNREFUSED', errno: -111, 'exception.type': 'Error', 'exception.message': 'connect ECONNREFUSED 127.0.0.1:5432', 'exception.stacktrace': undefined });
    expect(asMessage).toEqual(asAttributes);
    expect(memory.logs[0]!.body).toBe('Error: connect ECONNREFUSED 127.0.0.1:5432');
  });
});

describe('isEnabled() after shutdown()', () => {
  it('is false, as the Logs API bridge says, since nothing is kept', async () => {
    const { monitor } = createTestMonitor();
    const child = monitor.logger.child({ a: 1 });
    expect(monitor.logger.isEnabled('info')).toBe(true);
    await monitor.shutdown();
    expect(monitor.logger.isEnabled('info')).toBe(false);
    expect(child.isEnabled('error')).toBe(false);
  });
});
