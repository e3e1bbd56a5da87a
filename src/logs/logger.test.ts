import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { SeverityNumber } from '../model/log-data.js';
import type { Monitor } from '../monitor.js';

const quiet = { onDiagnostic: () => {} };

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]));
}

describe('logger', () => {
  it('records severity, text, timestamp and the active span ids', async () => {
    const { monitor, memory } = createTestMonitor({ ...quiet, logging: { level: 'debug' } });
    monitor.logger.debug('d');
    await monitor.tracer.startActiveSpan('op', async (span) => {
      await Promise.resolve();
      monitor.logger.warn('w', { n: 1 });
      expect(span.isRecording()).toBe(true);
    });
    monitor.logger.error(new Error('bad'));
    await monitor.flush();
    const [d, w, e] = memory.logs;
    expect(d).toMatchObject({ severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', body: 'd' });
    expect(d.traceId).toBeUndefined();
    expect(w).toMatchObject({ severityNumber: 13, severityText: 'WARN', attributes: { n: 1 }, spanId: memory.spans[0].spanId });
    expect(e.body).toBe('Error: bad');
    expect(e.attributes['exception.type']).toBe('Error');
    expect(Math.abs(w.time - Date.now())).toBeLessThan(5000);
  });

  it('drops records below the level and supports child loggers', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    monitor.logger.debug('hidden');
    const child = monitor.logger.child({ component: 'db' });
    child.info('shown', { q: 1 });
    await monitor.flush();
    expect(memory.logs.map((l) => l.body)).toEqual(['shown']);
    expect(memory.logs[0].attributes).toEqual({ component: 'db', q: 1 });
  });

  it('redacts secrets by name, case-insensitively, ignoring - and _, at any depth and as the last dotted segment', async () => {
    const { monitor, memory } = createTestMonitor({ ...quiet, logging: { redactFields: ['ssn'] } });
    monitor.logger.info('login', {
      password: 'p1',
      apiKey: 'k1',
      API_KEY: 'k2',
      'Set-Cookie': 'c1',
      'http.request.header.authorization': 'Bearer t',
      nested: { deeper: { Token: 't2', ok: 'fine' }, list: [{ secret: 's' }] },
      SSN: '123',
      'url.full': 'https://x/?password=p3&q=1',
      user: 'alice',
    });
    await monitor.flush();
    const a = memory.logs[0].attributes as Record<string, unknown>;
    const text = JSON.stringify(a);
    for (const secret of ['p1', 'k1', 'k2', 'c1', 'Bearer t', 't2', '"s"', '123', 'p3']) expect(text).not.toContain(secret);
    expect(a.user).toBe('alice');
    expect((a.nested as { deeper: { ok: string } }).deeper.ok).toBe('fine');
    expect(String(a['url.full'])).toContain('q=1');
  });

  it('redacts an object or array body with the attribute redactor before it becomes text (README: secrets redacted)', async () => {
    const lines: string[] = [];
    const { ConsoleBackend } = await import('../index.js');
    const { monitor, memory } = createTestMonitor({ ...quiet, backends: [new ConsoleBackend({ write: (l) => lines.push(l) })] });
    monitor.logger.info({ user: 'alice', password: 'BODY_PW', apiKey: 'BODY_KEY', nested: { 'url.full': 'https://x/?token=BODY_URL&q=1' } });
    monitor.logger.info([{ token: 'BODY_TOKEN' }, 'plain']);
    await monitor.flush();
    const text = JSON.stringify(memory.logs) + lines.join('\n');
    for (const secret of ['BODY_PW', 'BODY_KEY', 'BODY_URL', 'BODY_TOKEN']) expect(text).not.toContain(secret);
    expect(JSON.parse(memory.logs[0].body as string)).toEqual({ user: 'alice', password: '[REDACTED]', apiKey: '[REDACTED]', nested: { 'url.full': 'https://x/?token=REDACTED&q=1' } });
    expect(JSON.parse(memory.logs[1].body as string)).toEqual([{ token: '[REDACTED]' }, 'plain']);
  });

  it('logger.error(err) keeps exception.message and exception.stacktrace within attributeValueLengthLimit and counts the cut (ENV-15)', async () => {
    const { monitor, memory } = createTestMonitor({ ...quiet, limits: { attributeValueLengthLimit: 20 } });
    const big = new Error('m'.repeat(5000));
    big.stack = 's'.repeat(1 << 20);
    const small = new Error('short');
    small.stack = 'at f';
    monitor.logger.error(big);
    monitor.logger.error(small);
    await monitor.flush();
    const a = memory.logs[0].attributes as Record<string, string>;
    expect(a['exception.message']).toBe('m'.repeat(20));
    expect(a['exception.stacktrace']).toBe('s'.repeat(20));
    expect(memory.logs[1].attributes).toMatchObject({ 'exception.message': 'short', 'exception.stacktrace': 'at f' });
    expect(dropped(monitor).attribute_truncated).toBe(1);
  });

  it('log attribute values that are cut (long strings, maps and lists past 128 entries, nesting past 8 levels) are counted and reported once (ENV-15)', async () => {
    const diagnostics: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.kind), limits: { attributeValueLengthLimit: 10 } });
    let deep: Record<string, unknown> = { v: 'leaf' };
    for (let i = 0; i < 12; i++) deep = { d: deep };
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    monitor.logger.info('x', { long: 'y'.repeat(50), wide, list: Array.from({ length: 500 }, (_, i) => i), deep, ok: 'short' });
    monitor.logger.info('y', { nested: { long: 'z'.repeat(50) } });
    await monitor.flush();
    const a = memory.logs[0].attributes as Record<string, unknown>;
    expect(a.long).toBe('y'.repeat(10));
    expect(Object.keys(a.wide as object)).toHaveLength(128);
    expect(a.list).toHaveLength(128);
    expect(dropped(monitor).attribute_truncated).toBe(5);
    expect(diagnostics.filter((k) => k === 'attribute_truncated')).toHaveLength(1);
  });

  it('a child logger\'s attributes and the call\'s count together against attributeCountLimit; the excess is dropped, counted and in droppedAttributesCount', async () => {
    const { monitor, memory } = createTestMonitor({ ...quiet, limits: { attributeCountLimit: 10 } });
    const attrs = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [prefix + i, i]));
    monitor.logger.child(attrs('b', 8)).info('merged', { ...attrs('c', 8), b0: 'replaced' });
    const wideChild = monitor.logger.child(attrs('w', 12));
    wideChild.info('child over the limit');
    wideChild.info('child over the limit, with more', { extra: 1 });
    monitor.logger.error(new Error('e'), attrs('e', 9));
    await monitor.flush();
    const [merged, over, overMore, error] = memory.logs;
    expect(Object.keys(merged.attributes)).toHaveLength(10);
    expect(merged.attributes.b0).toBe('replaced');
    expect(merged.droppedAttributesCount).toBe(6);
    expect(Object.keys(over.attributes)).toHaveLength(10);
    expect(over.droppedAttributesCount).toBe(2);
    expect(overMore.droppedAttributesCount).toBe(3);
    expect(Object.keys(error.attributes)).toEqual([...Object.keys(attrs('e', 9)), 'exception.type']);
    expect(error.droppedAttributesCount).toBe(2);
    // 6 + 2 (the child, once) + 1 + 2
    expect(dropped(monitor).attribute_limit).toBe(11);
  });

  it('logger.log() takes levels case-insensitively, as logging.level does; an unknown level is counted and reported once', async () => {
    const diagnostics: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.kind), logging: { level: 'WARN' as never } });
    monitor.logger.log('ERROR' as never, 'upper');
    monitor.logger.log('Warn' as never, 'mixed');
    monitor.logger.log('INFO' as never, 'below the level');
    monitor.logger.log('critical' as never, 'unknown');
    monitor.logger.log('constructor' as never, 'not a level either');
    monitor.logger.log(undefined as never, 'none');
    await monitor.flush();
    expect(memory.logs.map((l) => [l.body, l.severityText, l.severityNumber])).toEqual([
      ['upper', 'ERROR', SeverityNumber.ERROR],
      ['mixed', 'WARN', SeverityNumber.WARN],
    ]);
    expect(monitor.logger.isEnabled('ERROR' as never)).toBe(true);
    expect(monitor.logger.isEnabled('constructor' as never)).toBe(false);
    expect(dropped(monitor).invalid_value).toBe(3);
    expect(diagnostics).toEqual(['invalid_value']);
  });

  it('attributes that are not an object (logger.info(msg, id) as with console.log) are dropped, counted and reported; the record is kept', async () => {
    const diagnostics: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.message) });
    monitor.logger.info('user', 'usr-7' as never);
    monitor.logger.warn('count', 42 as never);
    monitor.logger.child('tenant' as never).info('child');
    monitor.logger.info('none', undefined);
    await monitor.flush();
    expect(memory.logs.map((l) => [l.body, l.attributes])).toEqual([
      ['user', {}],
      ['count', {}],
      ['child', {}],
      ['none', {}],
    ]);
    expect(dropped(monitor).invalid_value).toBe(3);
    expect(diagnostics).toEqual(['logger attributes must be an object of name → value, got a string; they were dropped (the record was kept)']);
  });

  it('an Error given as the attributes (logger.error(msg, err)) gives exception.type, message and stacktrace, with its own enumerable fields', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const err = Object.assign(new TypeError('card declined'), { code: 'E_CARD', password: 'hunter2' });
    monitor.logger.error('charge failed', err);
    await monitor.flush();
    const [record] = memory.logs;
    expect(record!.body).toBe('charge failed');
    expect(record!.attributes).toMatchObject({ code: 'E_CARD', password: '[REDACTED]', 'exception.type': 'TypeError', 'exception.message': 'card declined' });
    expect(String(record!.attributes['exception.stacktrace'])).toContain('TypeError: card declined');
  });

  it("a second monitor's log records written inside the first monitor's scope go to their own monitor, with the active span's ids", async () => {
    const a = createTestMonitor({ ...quiet, serviceName: 'app' });
    const b = createTestMonitor({ ...quiet, serviceName: 'lib' });
    const scopeA = a.monitor.openScope();
    scopeA.run(() =>
      a.monitor.tracer.startActiveSpan('app-op', () => {
        a.monitor.logger.info('app-log');
        b.monitor.logger.info('lib-log');
      }),
    );
    expect(scopeA.logs.map((l) => l.body)).toEqual(['app-log']);
    await scopeA.close();
    await b.monitor.flush();
    expect(a.memory.logs.map((l) => l.body)).toEqual(['app-log']);
    expect(b.memory.logs.map((l) => l.body)).toEqual(['lib-log']);
    expect(b.memory.logs[0].spanId).toBe(a.memory.spans[0].spanId);
  });

  it('redacts span attributes before export', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const s = monitor.tracer.startSpan('x', { attributes: { 'http.request.header.cookie': 'c', 'db.password': 'p', ok: 1 } });
    s.end();
    await monitor.flush();
    expect(memory.spans[0].attributes).toEqual({ 'http.request.header.cookie': '[REDACTED]', 'db.password': '[REDACTED]', ok: 1 });
  });

  it('redacts span link attributes before export, as event and span attributes are', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const a = monitor.tracer.startSpan('a');
    a.end();
    const b = monitor.tracer.startSpan('b', { links: [{ context: a.spanContext(), attributes: { token: 'LINK_TOKEN', 'url.full': 'https://x/?token=LINK_URL&q=1', ok: 1 } }] });
    b.end();
    await monitor.flush();
    expect(memory.spans[1].links[0].attributes).toEqual({ token: '[REDACTED]', 'url.full': 'https://x/?token=REDACTED&q=1', ok: 1 });
  });

  it('redacts the keys of an object or array given as a span attribute before it becomes JSON text', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const span = monitor.tracer.startSpan('s', { attributes: { start: { apiKey: 'START_KEY', n: 1 } } });
    span.setAttribute('user', { name: 'alice', password: 'SPAN_PW' });
    span.setAttribute('list', [{ token: 'ARR_TOKEN' }, 'plain']);
    span.addEvent('e', { body: { secret: 'EVENT_SECRET' } });
    span.end();
    await monitor.flush();
    const text = JSON.stringify(memory.spans[0]);
    for (const secret of ['START_KEY', 'SPAN_PW', 'ARR_TOKEN', 'EVENT_SECRET']) expect(text).not.toContain(secret);
    expect(JSON.parse(memory.spans[0]!.attributes.user as string)).toEqual({ name: 'alice', password: '[REDACTED]' });
  });

  it('circular objects, BigInt, Errors and prototype keys in attributes never throw or pollute', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const circ: Record<string, unknown> = { a: 1 };
    circ.self = circ;
    const evil = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');
    expect(() => monitor.logger.info('x', { circ, big: 10n ** 30n, small: 5n, err: new Error('e'), evil, fn: () => 1, sym: Symbol('s') })).not.toThrow();
    const span = monitor.tracer.startSpan('s');
    expect(() => span.setAttributes({ circ, big: 10n ** 30n, err: new Error('e'), ...evil })).not.toThrow();
    span.end();
    await monitor.flush();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const a = memory.logs[0].attributes as Record<string, unknown>;
    expect((a.circ as Record<string, unknown>).self).toBe('[Circular]');
    expect(a.big).toBe('1000000000000000000000000000000');
    expect(a.small).toBe(5);
    // A log value keeps the error's fields (src/logs/error-bigint-date-values.test.ts); a span attribute its text.
    expect(a.err).toMatchObject({ name: 'Error', message: 'e' });
    expect(memory.spans[0].attributes.err).toBe('Error: e');
  });

  it('log messages cannot forge lines in console output', async () => {
    const lines: string[] = [];
    const { ConsoleBackend, createMonitor } = await import('../index.js');
    const monitor = createMonitor({ ...quiet, backends: [new ConsoleBackend({ write: (l) => lines.push(l) })] });
    monitor.logger.info('a\n[log] INFO forged\r\u2028', { 'k\nx': 'v\nw' });
    await monitor.flush();
    const logLines = lines.filter((l) => l.startsWith('[log]'));
    expect(logLines).toHaveLength(1);
    expect(lines.every((l) => !/[\n\r\u2028]/.test(l))).toBe(true);
  });
});
