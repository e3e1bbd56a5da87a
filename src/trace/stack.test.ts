/**
 * `exception.stacktrace` with an error's causes (`new Error('…', { cause })`): semconv asks for the
 * runtime's natural representation, and Node (util.inspect: `[cause]: …`), Deno and Java
 * (`Caused by: …`) all print the chain; only the outer stack was recorded, and the cause, often
 * the actionable part (the database error behind "charge failed"), was lost.
 */
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { stackTrace } from './stack.js';

/** A short stack: real ones, under a long checkout path, pass the attribute length limit (4096). */
const short = <E extends Error>(e: E): E => ((e.stack = `${e.name}: ${e.message}\n    at test`), e);
const chain = (): Error => short(new Error('charge failed', { cause: short(new Error('db down', { cause: short(new TypeError('socket closed')) })) }));

describe('exception.stacktrace with causes', () => {
  it('a span: the stack, then each cause as "Caused by: <its stack>"', async () => {
    const { monitor, memory } = createTestMonitor();
    const e = chain();
    const inner = e.cause as Error;
    monitor.tracer.startSpan('charge').recordException(e).end();
    await monitor.flush();
    const trace = memory.spans[0]!.events[0]!.attributes['exception.stacktrace'];
    expect(trace).toBe(`${e.stack}\nCaused by: ${inner.stack}\nCaused by: ${(inner.cause as Error).stack}`);
    // The outer error is still the event's type and message.
    expect([memory.spans[0]!.events[0]!.attributes['exception.type'], memory.spans[0]!.events[0]!.attributes['exception.message']]).toEqual(['Error', 'charge failed']);
  });

  it('a log record given the error: the same text, within the log value limit', async () => {
    const { monitor, memory } = createTestMonitor();
    const e = chain();
    monitor.logger.error('charge failed', e);
    await monitor.flush();
    expect(memory.logs[0]!.attributes['exception.stacktrace']).toBe(stackTrace(e));
    expect(String(memory.logs[0]!.attributes['exception.stacktrace'])).toContain('Caused by: TypeError: socket closed');
  });

  it('a cause that is not an Error is written as text; a cycle ends the chain; at most 8 causes', () => {
    expect(stackTrace(new Error('outer', { cause: 'timeout after 3 tries' }))).toMatch(/\nCaused by: "timeout after 3 tries"$/);
    expect(stackTrace(new Error('outer', { cause: { code: 'E_LIMIT' } }))).toMatch(/\nCaused by: \{"code":"E_LIMIT"\}$/);
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(stackTrace(a)!.split('\nCaused by: ').map((s) => s.split('\n')[0])).toEqual(['Error: a', 'Error: b']);
    let deep = new Error('e0');
    for (let i = 1; i <= 20; i++) deep = new Error(`e${i}`, { cause: deep });
    expect(stackTrace(deep)!.match(/\nCaused by: /g)).toHaveLength(8);
  });

  it("a cause that is not an Error has its secret keys redacted, as the same object logged has (span and log record)", async () => {
    const { monitor, memory } = createTestMonitor();
    const e = new Error('charge failed', { cause: { status: 401, password: 'hunter2', headers: { authorization: 'Bearer sekrit' } } });
    monitor.tracer.startSpan('charge').recordException(e).end();
    monitor.logger.error('charge failed', e);
    await monitor.flush();
    for (const trace of [memory.spans[0]!.events[0]!.attributes['exception.stacktrace'], memory.logs[0]!.attributes['exception.stacktrace']]) {
      expect(trace).toMatch(/\nCaused by: \{"status":401,"password":"\[REDACTED\]","headers":\{"authorization":"\[REDACTED\]"\}\}$/);
    }
  });

  it("an AggregateError's errors follow its cause as \"Aggregated: <stack>\", redacted and bounded the same way (Node prints them as [errors])", async () => {
    const { monitor, memory } = createTestMonitor();
    // undici's `fetch failed`, whose cause is the AggregateError of each address refused.
    const v6 = new Error('connect ECONNREFUSED ::1:5432');
    const v4 = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const all = new AggregateError([v6, v4, { code: 'E_AUTH', password: 'hunter2' }], 'connect failed', { cause: new Error('pool closed') });
    const e = new TypeError('fetch failed', { cause: all });
    for (const x of [e, all, all.cause as Error, v6, v4]) short(x);
    monitor.tracer.startSpan('fetch').recordException(e).end();
    monitor.logger.error('fetch failed', e);
    await monitor.flush();
    const expected = [e.stack, `Caused by: ${all.stack}`, `Caused by: ${(all.cause as Error).stack}`, `Aggregated: ${v6.stack}`, `Aggregated: ${v4.stack}`, 'Aggregated: {"code":"E_AUTH","password":"[REDACTED]"}'].join('\n');
    expect(memory.spans[0]!.events[0]!.attributes['exception.stacktrace']).toBe(expected);
    expect(memory.logs[0]!.attributes['exception.stacktrace']).toBe(expected);
    const many = new AggregateError(Array.from({ length: 20 }, (_, i) => new Error(`e${i}`)), 'all failed');
    expect(stackTrace(many)!.match(/\nAggregated: /g)).toHaveLength(8);
    // One listed twice, or the aggregate itself among its errors, is written once.
    const self = new AggregateError([v6, v6], 'self');
    self.errors.push(self);
    expect(stackTrace(self)).toBe(`${self.stack}\nAggregated: ${v6.stack}`);
  });

  it('a cause that throws when read ends the chain; an error with no cause or no stack is as before', () => {
    const hostile = new Error('outer');
    Object.defineProperty(hostile, 'cause', { get: () => { throw new Error('no'); } });
    expect(stackTrace(hostile)).toBe(hostile.stack);
    const plain = new Error('plain');
    expect(stackTrace(plain)).toBe(plain.stack);
    const stackless = new Error('x', { cause: new Error('y') });
    stackless.stack = undefined;
    expect(stackTrace(stackless)).toBeUndefined();
  });
});
