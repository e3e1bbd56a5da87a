import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyValue } from '../../model/attributes.js';
import { TextCache, jsonAttributes } from './json-common.js';
import { JsonWriter } from './json-writer.js';

const wellFormed = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();

function expected(v: AnyValue): unknown {
  if (typeof v === 'string') return { stringValue: wellFormed(v) };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: BigInt(v as number).toString() };
  return { doubleValue: v };
}

describe('jsonAttributes with the per-key value cache', () => {
  it('OTLP-J7: the same KeyValues whether a value is new, repeated or changed, through one writer', () => {
    const key = fc.constantFrom('http.route', 'k', 'é', 'a"b', 'n');
    const value = fc.oneof(fc.constantFrom<AnyValue>('GET', '', 200, 0, -1, 12.5, true, false, 'x'.repeat(300)), fc.string({ unit: 'binary', maxLength: 10 }), fc.integer());
    fc.assert(
      fc.property(fc.array(fc.dictionary(key, value, { maxKeys: 4 }), { maxLength: 12 }), (list) => {
        const w = new JsonWriter(1);
        for (const attrs of list) {
          w.raw('\n');
          jsonAttributes(w, attrs);
        }
        const lines = new TextDecoder().decode(w.finish()).split('\n').slice(1);
        expect(lines.map((l) => JSON.parse(l))).toEqual(list.map((attrs) => Object.entries(attrs).map(([k, v]) => ({ key: wellFormed(k), value: expected(v) }))));
      }),
    );
  });
});

describe('TextCache', () => {
  it('writes the same JSON string as str() on first, repeated and changed values', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('GET /a', 'x', ''), fc.string({ unit: 'binary', maxLength: 10 })), { maxLength: 20 }), (names) => {
        const cache = new TextCache();
        const a = new JsonWriter(1);
        const b = new JsonWriter(1);
        for (const n of names) {
          cache.write(a, n);
          b.str(n);
        }
        expect(a.finish()).toEqual(b.finish());
      }),
    );
  });
});
