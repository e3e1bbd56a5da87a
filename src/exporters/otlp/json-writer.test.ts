import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonWriter, lit, litOf } from './json-writer.js';

const wellFormed = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();

describe('JsonWriter', () => {
  it('str() is valid UTF-8 JSON that parses back to the string (lone surrogates → U+FFFD)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const w = new JsonWriter(2);
        w.str(s);
        const text = new TextDecoder('utf-8', { fatal: true }).decode(w.finish());
        expect(JSON.parse(text)).toBe(wellFormed(s));
      }),
    );
  });

  it('escapes quotes, backslashes and control characters', () => {
    const w = new JsonWriter(2);
    w.str('a"b\\c\nd\re\tf\u0001\u001f');
    expect(new TextDecoder().decode(w.finish())).toBe('"a\\"b\\\\c\\nd\\re\\tf\\u0001\\u001f"');
  });

  it('OTLP-J8: doubles, with NaN and ±Infinity as strings', () => {
    const w = new JsonWriter(2);
    for (const v of [0.1, -2, 1e21, 5e-324, NaN, Infinity, -Infinity]) {
      w.double(v);
      w.raw(',');
    }
    w.uint(7);
    w.uint(1234);
    expect(new TextDecoder().decode(w.finish())).toBe('0.1,-2,1e+21,5e-324,"NaN","Infinity","-Infinity",71234');
  });
});

describe('JsonWriter.unixNano', () => {
  it('OTLP-J9: writes exactly the digits of msToUnixNano from src/time.ts', async () => {
    const { msToUnixNano } = await import('../../time.js');
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: 0, max: 1e13, noNaN: true }), fc.integer({ min: 0, max: 2 ** 42 }), fc.constantFrom(0, -1, NaN, 0.0000004, 0.9999996, 1700000000123.9999999)), (ms) => {
        const w = new JsonWriter(1);
        w.unixNano(ms);
        expect(new TextDecoder().decode(w.finish())).toBe(msToUnixNano(ms));
      }),
      { numRuns: 2000 },
    );
  });

  it('OTLP-J9: the same digits through one writer, where epoch seconds repeat and are copied from the last write', async () => {
    const { msToUnixNano } = await import('../../time.js');
    const ms = fc.oneof(fc.double({ min: 1e12 - 5, max: 1e12 + 5, noNaN: true }), fc.double({ min: 1.7e12, max: 1.7e12 + 3000, noNaN: true }), fc.double({ min: 9999999999990, max: 1e13 + 10, noNaN: true }), fc.double({ min: 0, max: 1e16, noNaN: true }));
    fc.assert(
      fc.property(fc.array(ms, { minLength: 1, maxLength: 40 }), (list) => {
        const w = new JsonWriter(1);
        for (const v of list) {
          w.unixNano(v);
          w.raw(',');
        }
        expect(new TextDecoder().decode(w.finish())).toBe(list.map((v) => msToUnixNano(v) + ',').join(''));
      }),
      { numRuns: 500 },
    );
  });
});

describe('JsonWriter literals', () => {
  it('lit() copies exactly the UTF-8 bytes of any text, in 8-byte words, whatever follows', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 8 }), (texts) => {
        const w = new JsonWriter(1);
        for (const t of texts) {
          w.lit(lit(t));
          w.raw('|');
        }
        expect(new TextDecoder().decode(w.finish())).toBe(texts.map((t) => wellFormed(t) + '|').join(''));
      }),
    );
  });

  it('litSince() captures what str() wrote (lone surrogates as U+FFFD), and lit() writes it back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const w = new JsonWriter(1);
        w.str(s);
        const once = w.finish().slice();
        const copy = w.litSince(0);
        w.lit(copy);
        expect(w.finish()).toEqual(new Uint8Array([...once, ...once]));
        expect(litOf(once)[0]).toBe(once.length);
      }),
    );
  });

  it('OTLP-J8: double() writes String(v) for every finite number, integral ones included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(-0, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 1e21, 0.5, -2)), (v) => {
        const w = new JsonWriter(1);
        w.double(v);
        expect(new TextDecoder().decode(w.finish())).toBe(String(v));
      }),
    );
  });

  it('uint() writes the digits of String(v) for integers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 + 10 }), fc.constantFrom(0, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -1, -0)), (v) => {
        const w = new JsonWriter(1);
        w.uint(v);
        expect(new TextDecoder().decode(w.finish())).toBe(String(v));
      }),
    );
  });

  it('OTLP-J2: hexId() lowercases valid ids and rejects bad length, non-hex digits and all zeros', () => {
    const write = (id: string | undefined, chars: number) => {
      const w = new JsonWriter(1);
      return w.hexId(id, chars) ? new TextDecoder().decode(w.finish()) : false;
    };
    expect(write('4BF92F3577B34DA6A3CE929D0E0E4736', 32)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(write('00f067aa0ba902b7', 16)).toBe('00f067aa0ba902b7');
    expect(write('0000000000000001', 16)).toBe('0000000000000001');
    expect(write('0000000000000000', 16)).toBe(false);
    expect(write('00f067aa0ba902bg', 16)).toBe(false);
    expect(write('00f067aa0ba902b\u00e9', 16)).toBe(false);
    expect(write('00f067aa0ba902b', 16)).toBe(false);
    expect(write(undefined, 16)).toBe(false);
  });
});
