/**
 * A Logs API record's body (the @opentelemetry/api-logs bridge): what it loses or changes is
 * counted once per body, as the same value in a log attribute is counted (DESIGN §5); a record
 * with no body has none, not "" (logs data model: Body is optional).
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/batch.js';
import { createTestMonitor } from '../testing/index.js';
import { BridgeLoggerProvider } from './logger.js';

function setup() {
  const seen: Diagnostic[] = [];
  const t = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
  const logger = new BridgeLoggerProvider(t.monitor).getLogger('app');
  const dropped = (): Record<string, number> => {
    const m = t.monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    const out: Record<string, number> = {};
    for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
    return out;
  };
  return { ...t, seen, logger, dropped };
}

describe('a Logs API record body', () => {
  it('a long secret in a structured body is redacted before it is cut (a cut before the @ of user:pw@ kept the password)', async () => {
    const t = createTestMonitor({ onDiagnostic: () => {}, limits: { logMessageLengthLimit: 24 } });
    const logger = new BridgeLoggerProvider(t.monitor).getLogger('app');
    logger.emit({ body: { 'url.full': 'https://bob:hunter2-very-secret-password@db.example.com/orders' } });
    await t.monitor.flush();
    const text = JSON.stringify(t.memory.logs[0]!.body);
    expect(text).not.toContain('hunter');
    expect(text).not.toContain('bob:');
  });
  it('a function or symbol in a map or list body is left out (null in a list) and counted once per body', async () => {
    const { monitor, memory, logger, dropped } = setup();
    logger.emit({ body: { keep: 1, f: () => 1, s: Symbol('s') } });
    expect(dropped()).toEqual({ invalid_attribute: 1 });
    logger.emit({ body: [Symbol('s'), 2, () => 3] });
    expect(dropped()).toEqual({ invalid_attribute: 2 });
    logger.emit({ body: { plain: { a: 1, u: undefined } } });
    expect(dropped()).toEqual({ invalid_attribute: 2 });
    await monitor.flush();
    expect(memory.logs.map((r) => r.body)).toEqual([{ keep: 1 }, [null, 2, null], { plain: { a: 1 } }]);
  });

  it('a nested value that throws when read is written as [Unserializable] and counted', async () => {
    const { monitor, memory, logger, dropped } = setup();
    const bad = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('read'); } });
    logger.emit({ body: { ok: 1, bad } });
    expect(dropped()).toEqual({ invalid_attribute: 1 });
    await monitor.flush();
    expect(memory.logs[0]!.body).toEqual({ ok: 1, bad: '[Unserializable]' });
  });

  it('a BigInt past 2^53 or an invalid Date is written as text and counted; a safe BigInt is an int, not counted', async () => {
    const { monitor, memory, logger, dropped, seen } = setup();
    logger.emit({ body: 42n });
    expect(dropped()).toEqual({});
    logger.emit({ body: 2n ** 60n });
    logger.emit({ body: new Date(NaN) });
    expect(dropped()).toEqual({ invalid_attribute: 2 });
    expect(seen.find((d) => d.kind === 'invalid_attribute')?.message).toMatch(/BigInt past 2\^53, an invalid Date\) was written as text/);
    await monitor.flush();
    expect(memory.logs.map((r) => r.body)).toEqual([42, '1152921504606846976', 'Invalid Date']);
  });

  it('a function or a symbol as the body is written as its description, and counted', async () => {
    const { monitor, memory, logger, dropped } = setup();
    logger.emit({ body: Symbol('s') });
    logger.emit({ body: function lazy() {} });
    expect(dropped()).toEqual({ invalid_attribute: 2 });
    await monitor.flush();
    expect(memory.logs.map((r) => r.body)).toEqual(['Symbol(s)', '[Function lazy]']);
  });

  it('an Error body keeps its name, message, stack and cause as a map', async () => {
    const { monitor, memory, logger, dropped } = setup();
    const e = new TypeError('boom', { cause: new Error('root') });
    logger.emit({ body: e });
    await monitor.flush();
    expect(memory.logs[0]!.body).toEqual({ name: 'TypeError', message: 'boom', stack: e.stack, cause: { name: 'Error', message: 'root', stack: (e.cause as Error).stack } });
    expect(dropped()).toEqual({});
  });

  it('a record with no body (or a null one) has none, not ""; an empty string body stays ""', async () => {
    const { monitor, memory, logger } = setup();
    logger.emit({ severityNumber: 9, attributes: { a: 1 } });
    logger.emit({ body: null as never });
    logger.emit({ body: '' });
    await monitor.flush();
    expect(memory.logs.map((r) => 'body' in r && r.body !== undefined)).toEqual([false, false, true]);
    expect(memory.logs[0]!.attributes).toEqual({ a: 1 });
    expect(memory.logs[2]!.body).toBe('');
  });
});
