import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { Diagnostic } from '../model/batch.js';

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

describe('log attributes that throw when read', () => {
  it('a revoked Proxy, a throwing getter, or one nested: the record keeps its message, its bound attributes and the keys that could be read, the misuse counted as invalid_attribute (as for spans), not lost as internal_error', async () => {
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const getter = Object.defineProperty({ ok: 1 }, 'bad', { get: () => { throw new Error('read'); }, enumerable: true });
    const log = monitor.logger.child({ region: 'eu' });
    expect(() => {
      log.info('revoked', revoked() as never);
      log.warn('getter', getter as never);
      log.error('nested', { deep: revoked() } as never);
      log.info(revoked() as never);
    }).not.toThrow();
    await monitor.flush();
    expect(memory.logs.slice(0, 3).map((l) => [l.body, { ...(l.attributes as object) }])).toEqual([
      ['revoked', { region: 'eu' }],
      ['getter', { region: 'eu', ok: 1 }],
      ['nested', { region: 'eu' }],
    ]);
    // A message that throws when read is described as text, and counted too.
    expect(memory.logs[3]!.body).toBeTypeOf('string');
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]))).toEqual({ invalid_attribute: 4 });
    expect(seen.map((d) => d.kind)).toEqual(['invalid_attribute']);
  });
});

describe('a log message that throws when read', () => {
  it('keeps the attributes given with it, and is counted once, as log data (not as attributes)', async () => {
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    monitor.logger.child({ region: 'eu' }).info(revoked() as never, { 'order.id': 'ord-42' });
    await monitor.flush();
    expect({ ...(memory.logs[0]!.attributes as object) }).toEqual({ region: 'eu', 'order.id': 'ord-42' });
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]))).toEqual({ invalid_attribute: 1 });
    expect(seen.map((d) => d.message)).toEqual(['log data that throws when read was dropped']);
  });
});

describe('a getter that throws among readable attributes', () => {
  const getter = () => Object.defineProperty({ ok: 1 }, 'bad', { get: () => { throw new Error('read'); }, enumerable: true });

  it('loses only its own key, on a record and on a child logger; each unreadable key is counted', async () => {
    const { monitor, memory } = createTestMonitor();
    monitor.logger.info('order placed', { 'order.id': 'ord-42', nested: getter(), flat: 2 });
    const twoBad = Object.defineProperty(getter(), 'worse', { get: () => { throw new Error('read'); }, enumerable: true });
    monitor.logger.info('two bad', twoBad as never);
    monitor.logger.child(getter() as never).warn('from a child');
    await monitor.flush();
    expect(memory.logs.map((l) => [l.body, { ...(l.attributes as object) }])).toEqual([
      // A nested object with a throwing getter is written as text, and counted.
      ['order placed', { 'order.id': 'ord-42', nested: '[Unserializable]', flat: 2 }],
      ['two bad', { ok: 1 }],
      ['from a child', { ok: 1 }],
    ]);
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]))).toEqual({ invalid_attribute: 1 + 2 + 1 });
  });

  it('an object message with a throwing getter is written as [Unserializable] and counted', async () => {
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    monitor.logger.info(getter(), { 'order.id': 'ord-42' });
    await monitor.flush();
    expect(memory.logs[0]!.body).toBe('[Unserializable]');
    expect({ ...(memory.logs[0]!.attributes as object) }).toEqual({ 'order.id': 'ord-42' });
    expect(seen.map((d) => [d.kind, d.message])).toEqual([['invalid_attribute', 'log data that throws when read was dropped']]);
  });
});

describe('an Error whose name, message or stack throws when read', () => {
  const throwing = (e: Error, ...keys: ('name' | 'message' | 'stack')[]): Error => {
    // V8 formats the stack when first read, from the name and message: done before they throw.
    void e.stack;
    for (const key of keys) {
      Object.defineProperty(e, key, {
        get: () => {
          throw new Error('read');
        },
      });
    }
    return e;
  };

  it('keeps the record and the exception attributes that could be read; each unreadable one is counted as invalid_attribute, not lost as internal_error', async () => {
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    monitor.logger.error('bad message', throwing(new TypeError('m'), 'message'));
    monitor.logger.error('bad stack', throwing(new RangeError('out of range'), 'stack'));
    monitor.logger.error('bad name and stack', throwing(new Error('n'), 'name', 'stack'));
    await monitor.flush();
    const logs = memory.logs.map((l) => [l.body, Object.keys(l.attributes as object).sort()]);
    expect(logs).toEqual([
      ['bad message', ['exception.stacktrace', 'exception.type']],
      ['bad stack', ['exception.message', 'exception.type']],
      ['bad name and stack', ['exception.message']],
    ]);
    expect(memory.logs[0]!.attributes['exception.type']).toBe('TypeError');
    expect(memory.logs[1]!.attributes).toEqual({ 'exception.type': 'RangeError', 'exception.message': 'out of range' });
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]))).toEqual({ invalid_attribute: 4 });
    expect(seen.map((d) => d.kind)).toEqual(['invalid_attribute']);
  });
});

describe('a Map given as the attributes', () => {
  it('records its entries, redacted and within the count limit, as a nested Map keeps them (it was {} with nothing counted)', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { logAttributeCountLimit: 3 } });
    monitor.logger.info('map', new Map<unknown, unknown>([['password', 'TOPMAP'], ['user', 'ann'], [7, 'seven'], ['extra', 1]]) as never);
    monitor.logger.child(new Map([['region', 'eu']]) as never).info('child');
    await monitor.flush();
    expect(memory.logs.map((l) => [l.body, { ...(l.attributes as object) }])).toEqual([
      ['map', { password: '[REDACTED]', user: 'ann', '7': 'seven' }],
      ['child', { region: 'eu' }],
    ]);
    expect(memory.logs[0]!.droppedAttributesCount).toBe(1);
  });
});

describe('child() given no attributes after a record with an unreadable one', () => {
  it('counts nothing more: the earlier record was counted once, child(undefined) adds no invalid_attribute', () => {
    const { monitor } = createTestMonitor();
    const counts = (): Record<string, number> => {
      const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
      return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]));
    };
    monitor.logger.info('getter', Object.defineProperty({}, 'bad', { get: () => { throw new Error('read'); }, enumerable: true }) as never);
    expect(counts()).toEqual({ invalid_attribute: 1 });
    monitor.logger.child(undefined as never);
    monitor.logger.child(null as never);
    monitor.logger.child(7 as never);
    // child(7) is misuse of its own (invalid_value); none of the three read an unreadable key.
    expect(counts()).toEqual({ invalid_attribute: 1, invalid_value: 1 });
  });
});
