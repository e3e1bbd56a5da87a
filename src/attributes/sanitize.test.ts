import { describe as group, expect, it } from 'vitest';
import { createRedactor } from './redact.js';
import { describe, Fix, sanitizeAttribute } from './sanitize.js';

group('describe / safeJson: shared references and cycles', () => {
  it('an object referenced twice without a cycle is written both times, as JSON.stringify does', () => {
    const address = { city: 'Paris' };
    const order = { billing: address, shipping: address, lines: [address, address] };
    expect(describe(order)).toBe(JSON.stringify(order));
    const tags = ['a'];
    expect(describe([tags, { tags }, [tags]])).toBe('[["a"],{"tags":["a"]},[["a"]]]');
  });

  it('only an ancestor on the current path is [Circular]', () => {
    const a: Record<string, unknown> = { name: 'a' };
    const b: Record<string, unknown> = { name: 'b', a };
    a.b = b;
    a.self = a;
    expect(describe(a)).toBe('{"name":"a","b":{"name":"b","a":"[Circular]"},"self":"[Circular]"}');
    const list: unknown[] = [1];
    list.push(list);
    expect(describe(list)).toBe('[1,"[Circular]"]');
    // Shared and circular at once: the sibling is written, the back edge is cut.
    const shared: Record<string, unknown> = { v: 1 };
    shared.me = shared;
    expect(describe({ x: shared, y: shared })).toBe('{"x":{"v":1,"me":"[Circular]"},"y":{"v":1,"me":"[Circular]"}}');
  });

  it('toJSON results and redacted keys keep working on the path', () => {
    const when = new Date(0);
    expect(describe({ a: when, b: when })).toBe('{"a":"1970-01-01T00:00:00.000Z","b":"1970-01-01T00:00:00.000Z"}');
    const creds = { password: 'p', user: 'u' };
    expect(describe({ x: creds, y: creds }, createRedactor(['password']))).toBe('{"x":{"password":"[REDACTED]","user":"u"},"y":{"password":"[REDACTED]","user":"u"}}');
  });

  it('a graph sharing every level four times stays bounded instead of growing 4^depth', () => {
    // Within the 8 levels written (deeper ones are '[Object]'): 4^7 references to the leaf.
    let node: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 7; i++) node = { a: node, b: node, c: node, d: node };
    const text = describe(node);
    expect(text.length).toBeLessThan(200_000);
    expect(text).toContain('[Repeated]');
    expect(text).not.toContain('[Circular]');
  });
});

group('sanitizeAttribute: arrays with null elements (OpenTelemetry common: kept as-is)', () => {
  const value = (v: unknown) => {
    const s = sanitizeAttribute(v, 100);
    return { value: s.value, fix: s.fix };
  };

  it('a homogeneous array keeps its type and its nulls; undefined and holes become null', () => {
    expect(value([1, null, 3])).toEqual({ value: [1, null, 3], fix: Fix.None });
    expect(value(['a', null, 'c'])).toEqual({ value: ['a', null, 'c'], fix: Fix.None });
    expect(value([null, true, undefined])).toEqual({ value: [null, true, null], fix: Fix.None });
    // eslint-disable-next-line no-sparse-arrays
    expect(value([1, , 3])).toEqual({ value: [1, null, 3], fix: Fix.None });
    expect(value([null, null])).toEqual({ value: [null, null], fix: Fix.None });
    expect(value([])).toEqual({ value: [], fix: Fix.None });
  });

  it('a mixed array still becomes strings, without inventing "null"', () => {
    expect(value([1, 'a', null, { k: 1 }])).toEqual({ value: ['1', 'a', null, '{"k":1}'], fix: Fix.Converted });
  });

  it('long strings beside nulls are still cut', () => {
    expect(sanitizeAttribute(['abcdef', null], 3).value).toEqual(['abc', null]);
  });
});

group('a large object shared many times', () => {
  it('stops expanding past 256 KB of text ([Truncated]) instead of writing it once per reference', () => {
    const product = { description: 'x'.repeat(64 * 1024) };
    const order = { lines: Array.from({ length: 1000 }, (_, i) => ({ qty: i, product })) };
    const text = describe(order);
    // 64 KB × 1000 references would be 64 MB; the text stops a little past the budget.
    expect(text.length).toBeLessThan(400 * 1024);
    expect(text).toContain('[Truncated]');
    expect(JSON.parse(text).lines[0].product.description).toHaveLength(64 * 1024);
  });
});

group('Map and Set values', () => {
  it('a Map is written as the object of its entries and a Set as an array, with keys redacted and cycles cut', () => {
    const creds = new Map<unknown, unknown>([['user', 'u'], ['password', 'hunter2'], [42, true]]);
    expect(describe({ creds, tags: new Set(['a', 'b']) }, createRedactor(['password']))).toBe('{"creds":{"42":true,"user":"u","password":"[REDACTED]"},"tags":["a","b"]}');
    const self = new Map<string, unknown>([['name', 'm']]);
    self.set('self', self);
    expect(describe(self)).toBe('{"name":"m","self":"[Circular]"}');
    expect(sanitizeAttribute(new Set([1, 2]), 100).value).toBe('[1,2]');
  });

  it('a log attribute keeps a Map as a map and a Set as a list (they were {})', async () => {
    const { createTestMonitor } = await import('../testing/index.js');
    const { monitor, memory } = createTestMonitor();
    const m = new Map<string, unknown>([['region', 'eu'], ['token', 't0k3n']]);
    m.set('self', m);
    monitor.logger.info('cart', { meta: m, ids: new Set([1, 2, 3]) });
    await monitor.flush();
    const attrs = memory.logs[0]!.attributes as Record<string, unknown>;
    expect(attrs.meta).toEqual({ region: 'eu', token: '[REDACTED]', self: '[Circular]' });
    expect(attrs.ids).toEqual([1, 2, 3]);
  });
});

group('truncation never splits a surrogate pair', () => {
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  // 9 letters and an emoji (2 UTF-16 units): a cut at 10 would keep half of the emoji.
  const text = 'aaaaaaaaa\u{1F600}tail';

  it('span and log attributes, log bodies, array elements and label values end before the pair', async () => {
    const { createTestMonitor } = await import('../testing/index.js');
    const { monitor, memory } = createTestMonitor({ limits: { attributeValueLengthLimit: 10, labelValueLengthLimit: 10, logMessageLengthLimit: 10 } });
    monitor.tracer.startSpan('s', { attributes: { a: text, list: [text] } }).end();
    monitor.logger.info(text, { a: text, nested: { b: text } });
    monitor.metrics.createCounter('c_total', 'c', { labelNames: ['l'] }).increment(1, { l: text });
    await monitor.flush();
    const span = memory.spans[0]!;
    const log = memory.logs[0]!;
    const values = [span.attributes.a, (span.attributes.list as string[])[0], log.body, log.attributes.a, (log.attributes.nested as { b: string }).b];
    const label = memory.metricSnapshots.flatMap((s) => s.metrics).find((m) => m.name === 'c_total')!.points[0]!.attributes.l;
    for (const v of [...values, label]) {
      expect(v).toBe('aaaaaaaaa');
      expect(lone.test(v as string)).toBe(false);
    }
    // A cut that falls between two pairs keeps both whole.
    expect(sanitizeAttribute('aaaaaaaa\u{1F600}\u{1F600}', 10).value).toBe('aaaaaaaa\u{1F600}');
  });
});

group('sanitizeAny: a value written as text meets the length limit', () => {
  it('a Date is cut to the limit and the cut reported, as a span attribute Date is (ENV-15)', async () => {
    const { sanitizeAny } = await import('./sanitize.js');
    const cut = { truncated: false };
    expect(sanitizeAny(new Date(0), 10, 0, undefined, cut)).toBe('1970-01-01');
    expect(cut.truncated).toBe(true);
    expect(sanitizeAttribute(new Date(0), 10).value).toBe('1970-01-01');
    const whole = { truncated: false };
    expect(sanitizeAny(new Date(0), 100, 0, undefined, whole)).toBe('1970-01-01T00:00:00.000Z');
    expect(whole.truncated).toBe(false);
  });
});

group('Headers and URLSearchParams values', () => {
  it('a span attribute keeps their entries, secret names redacted (they were written as {})', async () => {
    const { createTestMonitor } = await import('../testing/index.js');
    const { monitor, memory } = createTestMonitor();
    monitor.tracer
      .startSpan('s', { attributes: { 'app.headers': new Headers({ authorization: 'Bearer SECRET', 'x-tenant': 'acme' }), 'app.params': new URLSearchParams('page=2&token=SECRET') } })
      .end();
    monitor.logger.info('m', { headers: new Headers({ authorization: 'Bearer SECRET', 'x-tenant': 'acme' }) });
    await monitor.flush();
    const attrs = memory.spans[0]!.attributes;
    expect(JSON.parse(attrs['app.headers'] as string)).toEqual({ authorization: '[REDACTED]', 'x-tenant': 'acme' });
    expect(JSON.parse(attrs['app.params'] as string)).toEqual({ page: '2', token: '[REDACTED]' });
    expect(memory.logs[0]!.attributes.headers).toEqual({ authorization: '[REDACTED]', 'x-tenant': 'acme' });
  });
});
