/**
 * An Error, a BigInt past 2^53 or an invalid Date nested in a map or list log value is written as
 * it is at the top of an attribute: an Error as the map of its name, message, code, stack and
 * cause; the other two as text, counted (invalid_attribute) once per attribute or Logs API body.
 * A span attribute is unchanged: an object is its JSON, an Error in it its text.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/batch.js';
import { createTestMonitor } from '../testing/index.js';
import { BridgeLoggerProvider } from '../otel/logger.js';

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

function errorMap(e: Error): Record<string, unknown> {
  return { name: e.name, message: e.message, stack: e.stack };
}

describe('a value nested in a map or list log attribute', () => {
  it('an Error is the map of its name, message, code, stack and cause; a BigInt past 2^53 and an invalid Date are text, counted once for the attribute', async () => {
    const { monitor, memory, dropped, seen } = setup();
    const root = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const err = new TypeError('boom', { cause: root });
    monitor.logger.info('x', { ctx: { err, big: 2n ** 60n, when: new Date(NaN) } });
    expect(dropped()).toEqual({ invalid_attribute: 1 });
    expect(seen.find((d) => d.kind === 'invalid_attribute')?.message).toMatch(/BigInt past 2\^53, an invalid Date\) was written as text/);
    await monitor.flush();
    expect(memory.logs[0]!.attributes.ctx).toEqual({
      err: { ...errorMap(err), cause: { ...errorMap(root), code: 'ECONNREFUSED' } },
      big: '1152921504606846976',
      when: 'Invalid Date',
    });
  });

  it('in a list, and in a child logger\'s bound attributes, each value as at the top', async () => {
    const { monitor, memory, dropped } = setup();
    const a = new Error('a');
    const b = new RangeError('b');
    monitor.logger.child({ bound: [a, 1] }).warn('m', { list: [b, 2n ** 60n], other: { d: new Date(NaN) } });
    // One for each of the record's two attributes that holds a value written as text (the bound one holds none).
    expect(dropped()).toEqual({ invalid_attribute: 2 });
    await monitor.flush();
    expect(memory.logs[0]!.attributes).toEqual({ bound: [errorMap(a), 1], list: [errorMap(b), '1152921504606846976'], other: { d: 'Invalid Date' } });
  });

  it('a safe BigInt is an int and a valid Date its ISO text, nested too, neither counted', async () => {
    const { monitor, memory, dropped } = setup();
    monitor.logger.info('m', { ctx: { n: 42n, d: new Date(0), l: [1n, 2n] } });
    expect(dropped()).toEqual({});
    await monitor.flush();
    expect(memory.logs[0]!.attributes.ctx).toEqual({ n: 42, d: '1970-01-01T00:00:00.000Z', l: [1, 2] });
  });

  it("a nested Error's message is redacted as exception.message is and its texts meet the length limit (counted)", async () => {
    const { monitor, memory, dropped } = setup({ limits: { logAttributeValueLengthLimit: 64 } });
    const e = new Error('GET https://api.example.com/v1?token=abc123 failed');
    e.stack = `Error: ${'x'.repeat(100)}`;
    monitor.logger.info('m', { ctx: { e } });
    expect(dropped()).toEqual({ attribute_truncated: 1 });
    await monitor.flush();
    const v = (memory.logs[0]!.attributes.ctx as Record<string, Record<string, string>>).e!;
    expect(v.message).not.toContain('abc123');
    expect(v.stack).toHaveLength(64);
  });

  it("a nested Error whose cause holds the map it is in: the cycle is cut", async () => {
    const { monitor, memory } = setup();
    const ctx: Record<string, unknown> = { id: 1 };
    ctx.err = new Error('loop', { cause: ctx });
    monitor.logger.info('m', { ctx });
    await monitor.flush();
    const err = (memory.logs[0]!.attributes.ctx as Record<string, Record<string, unknown>>).err!;
    expect(err.message).toBe('loop');
    expect(err.cause).toBe('[Circular]');
  });

  it('a nested Error whose field throws when read loses that field only, counted', async () => {
    const { monitor, memory, dropped } = setup();
    const e = new Error('m');
    const stack = e.stack;
    Object.defineProperty(e, 'name', { get: () => { throw new Error('read'); } });
    monitor.logger.info('x', { ctx: [e] });
    expect(dropped()).toEqual({ invalid_attribute: 1 });
    await monitor.flush();
    expect((memory.logs[0]!.attributes.ctx as Record<string, unknown>[])[0]).toEqual({ message: 'm', stack });
  });
});

describe('a value nested in a Logs API record body', () => {
  it('an Error is its map; a BigInt past 2^53 and an invalid Date are text, counted once for the body', async () => {
    const { monitor, memory, dropped } = setup();
    const logger = new BridgeLoggerProvider(monitor).getLogger('app');
    const err = new Error('boom', { cause: new Error('root') });
    logger.emit({ body: { err, big: 2n ** 60n, list: [new Date(NaN)] } });
    expect(dropped()).toEqual({ invalid_attribute: 1 });
    await monitor.flush();
    expect(memory.logs[0]!.body).toEqual({ err: { ...errorMap(err), cause: errorMap(err.cause as Error) }, big: '1152921504606846976', list: ['Invalid Date'] });
  });
});

describe('a span attribute (unchanged)', () => {
  it('an object holding an Error, a BigInt and an invalid Date is its JSON, the Error as its text', async () => {
    const { monitor, memory } = setup();
    monitor.tracer.startSpan('s').setAttribute('ctx', { err: new Error('boom'), big: 2n ** 60n, when: new Date(NaN) }).end();
    await monitor.flush();
    expect(memory.spans[0]!.attributes.ctx).toBe('{"err":"Error: boom","big":"1152921504606846976","when":null}');
  });
});
