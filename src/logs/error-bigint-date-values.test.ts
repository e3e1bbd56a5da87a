/**
 * Log values that are no log type: an Error in a log attribute keeps its name, message, stack
 * and cause as a map (its text alone lost the stack and the cause); a BigInt past 2^53 and an
 * invalid Date are written as text and counted, as a span attribute counts them; a message that
 * is a function, a symbol or an invalid Date is written as its description, and counted.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/batch.js';
import { createTestMonitor } from '../testing/index.js';

function setup(options: Parameters<typeof createTestMonitor>[0] = {}) {
  const seen: Diagnostic[] = [];
  const t = createTestMonitor({ ...options, onDiagnostic: (d) => seen.push(d) });
  const dropped = (): Record<string, number> => {
    const m = t.monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    const out: Record<string, number> = {};
    for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
    return out;
  };
  return { ...t, seen, dropped };
}

describe('an Error as a log attribute value', () => {
  it('is a map of its name, message, code, stack and cause (an Error cause as such a map), not counted', async () => {
    const { monitor, memory, dropped } = setup();
    const root = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const err = new TypeError('fetch failed', { cause: root });
    monitor.logger.warn('retrying', { err, plain: { reason: 'x' } });
    await monitor.flush();
    expect(memory.logs[0]!.attributes.err).toEqual({
      name: 'TypeError',
      message: 'fetch failed',
      stack: err.stack,
      cause: { name: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED', stack: root.stack },
    });
    expect(dropped()).toEqual({});
  });

  it('on a child logger too, a non-Error cause kept as a log value, a cycle cut', async () => {
    const { monitor, memory } = setup();
    const a = new Error('a', { cause: { id: 7 } });
    const b: Error & { cause?: unknown } = new Error('b');
    b.cause = b;
    monitor.logger.child({ a }).info('m', { b });
    await monitor.flush();
    const attrs = memory.logs[0]!.attributes as Record<string, Record<string, unknown>>;
    expect(attrs.a!.cause).toEqual({ id: 7 });
    expect(attrs.b!.cause).toBe('[Circular]');
  });

  it('its texts meet the value length limit (counted) and its message and stack are redacted as exception.* are', async () => {
    const { monitor, memory, dropped } = setup({ limits: { logAttributeValueLengthLimit: 64 } });
    const e = new Error('GET https://api.example.com/v1?token=abc123 failed');
    e.stack = `Error: ${'x'.repeat(100)}`;
    monitor.logger.info('m', { e });
    await monitor.flush();
    const v = memory.logs[0]!.attributes.e as Record<string, string>;
    expect(v.message).not.toContain('abc123');
    expect(v.stack).toHaveLength(64);
    expect(dropped()).toEqual({ attribute_truncated: 1 });
  });

  it('a getter that throws loses its field only, counted', async () => {
    const { monitor, memory, dropped } = setup();
    const e = new Error('m');
    Object.defineProperty(e, 'name', { get: () => { throw new Error('read'); } });
    monitor.logger.info('x', { e });
    await monitor.flush();
    expect((memory.logs[0]!.attributes.e as Record<string, unknown>).message).toBe('m');
    expect((memory.logs[0]!.attributes.e as Record<string, unknown>).name).toBeUndefined();
    expect(dropped()).toEqual({ invalid_attribute: 1 });
  });
});

describe('a BigInt or a Date as a log attribute value', () => {
  it('a safe BigInt is an int and a valid Date its ISO text, neither counted', async () => {
    const { monitor, memory, dropped } = setup();
    monitor.logger.info('m', { n: 42n, d: new Date(0) });
    await monitor.flush();
    expect(memory.logs[0]!.attributes).toEqual({ n: 42, d: '1970-01-01T00:00:00.000Z' });
    expect(dropped()).toEqual({});
  });

  it('a BigInt past 2^53 is its digits and an invalid Date "Invalid Date", each counted and reported as written as text', async () => {
    const { monitor, memory, dropped, seen } = setup();
    monitor.logger.info('m', { big: 2n ** 60n, when: new Date(NaN) });
    await monitor.flush();
    expect(memory.logs[0]!.attributes).toEqual({ big: '1152921504606846976', when: 'Invalid Date' });
    expect(dropped()).toEqual({ invalid_attribute: 2 });
    expect(seen.find((d) => d.kind === 'invalid_attribute')?.message).toMatch(/BigInt past 2\^53, an invalid Date\) was written as text/);
  });
});

describe('a log message that has no log value', () => {
  it('a symbol, a function or an invalid Date is written as its description and counted; a BigInt or a number is its text, not counted', async () => {
    const { monitor, memory, dropped } = setup();
    monitor.logger.info(2n ** 60n as never);
    monitor.logger.info(42 as never);
    expect(dropped()).toEqual({});
    monitor.logger.info(Symbol('s') as never);
    monitor.logger.info((() => 'lazy') as never);
    monitor.logger.info(new Date(NaN) as never);
    expect(dropped()).toEqual({ invalid_attribute: 3 });
    await monitor.flush();
    expect(memory.logs.map((r) => r.body)).toEqual(['1152921504606846976', '42', 'Symbol(s)', '[Function anonymous]', 'Invalid Date']);
  });
});
