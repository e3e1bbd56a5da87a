/**
 * describe() / safeJson: the work and the text are bounded by what the caller keeps (`max`), and
 * nesting by 8 levels, while the kept part is that of the whole JSON text.
 */
import { describe as group, expect, it } from 'vitest';
import { describe, type Cut } from './sanitize.js';
import { createRedactor } from './redact.js';

/** A list whose element reads are counted (JSON.stringify reads every index it writes). */
function counted<T>(items: T[]): { list: T[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy(items, {
    get(t, k, r) {
      if (typeof k === 'string' && k.charCodeAt(0) >= 48 && k.charCodeAt(0) <= 57) reads++;
      return Reflect.get(t, k, r);
    },
  });
  return { list, reads: () => reads };
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, name: 'row' }));

group('describe: bounded by the text the caller keeps', () => {
  it('a 100,000-row list read up to the budget only, its first `max` characters those of JSON.stringify', () => {
    const data = rows(100_000);
    const { list, reads } = counted(data);
    const cut: Cut = { truncated: false };
    const text = describe(list, undefined, 16384, cut);
    expect(text.slice(0, 16384)).toBe(JSON.stringify(data).slice(0, 16384));
    // Each element is at least 2 characters: no more than 8194 of them can reach the budget.
    expect(reads()).toBeLessThanOrEqual(8200);
    // The text built is not the whole list's (2.5 MB), nor 100,000 markers: the budget, then
    // null for the rest of the elements kept when the list was met (8194 at most).
    expect(text.length).toBeLessThan(4 * 16384);
    expect(cut.truncated).toBe(true);
  });

  it('a redactor is not run on what is past the budget', () => {
    const redactor = createRedactor(['password']);
    let applied = 0;
    const apply = redactor.apply.bind(redactor);
    redactor.apply = ((k: string, v: unknown) => (applied++, apply(k, v))) as typeof redactor.apply;
    describe(rows(50_000), redactor, 4096);
    expect(applied).toBeLessThan(4096);
  });

  it('a wide map stops adding text past the budget', () => {
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`key${i}`, 'value']));
    const text = describe(wide, undefined, 1000);
    expect(text.slice(0, 1000)).toBe(JSON.stringify(wide).slice(0, 1000));
    expect(text.length).toBeLessThan(2000);
  });

  it('a value within the budget is written exactly as JSON.stringify writes it, and at any cut its prefix is', () => {
    const values: unknown[] = [
      { a: 1, b: 'two', c: [1, 2, 3, null, undefined, () => 0], d: { e: true, f: null, g: undefined }, h: '\u2028"\\' },
      [[], {}, [[1]], 'x'.repeat(50), 1.5e300, -0],
      Array.from({ length: 300 }, (_, i) => (i % 3 ? i : { i, s: String(i) })),
      { when: new Date(0), n: [1, [2, [3, [4]]]] },
    ];
    for (const v of values) {
      const whole = JSON.stringify(v);
      expect(describe(v, undefined, whole.length)).toBe(whole);
      for (const max of [0, 1, 2, 5, 17, 64, 200, 1000]) expect(describe(v, undefined, max).slice(0, max)).toBe(whole.slice(0, max));
    }
  });

  it('with no limit given, a large object shared many times still stops a little past 256 KB', () => {
    const product = { description: 'x'.repeat(64 * 1024) };
    const order = { lines: Array.from({ length: 1000 }, (_, i) => ({ qty: i, product })) };
    const text = describe(order);
    expect(text.length).toBeLessThan(400 * 1024);
    expect(text).toContain('[Truncated]');
  });
});

group('describe: nesting', () => {
  it('a 5000-level chain is cut at 8 levels ([Object]) and flagged, not written as [Unserializable]', () => {
    const head: Record<string, unknown> = {};
    let c = head;
    for (let i = 0; i < 5000; i++) c = (c.next = { v: i }) as Record<string, unknown>;
    const cut: Cut = { truncated: false };
    const text = describe(head, undefined, 16384, cut);
    expect(text).toBe('{"next":{"v":0,"next":{"v":1,"next":{"v":2,"next":{"v":3,"next":{"v":4,"next":{"v":5,"next":{"v":6,"next":"[Object]"}}}}}}}}');
    expect(cut.truncated).toBe(true);
    // Within 8 levels nothing is cut or flagged.
    const shallow = { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } };
    const none: Cut = { truncated: false };
    expect(describe(shallow, undefined, 1000, none)).toBe(JSON.stringify(shallow));
    expect(none.truncated).toBe(false);
  });
});
