import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonWriter } from './json-writer.js';

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
});
