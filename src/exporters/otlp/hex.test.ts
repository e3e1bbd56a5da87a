import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexByteTable, toBase64 } from './hex.js';

describe('hex and base64 helpers', () => {
  it('toBase64 equals Buffer base64 (OTLP-J7 bytesValue)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
      }),
    );
  });

  it('OTLP-J2: the hex byte table reads both cases and marks every other pair invalid', () => {
    const table = hexByteTable();
    const digits = '0123456789abcdefABCDEF';
    const wrong: string[] = [];
    for (let a = 0; a < 128; a++) {
      for (let b = 0; b < 128; b++) {
        const pair = String.fromCharCode(a, b);
        const expected = digits.includes(pair[0]) && digits.includes(pair[1]) ? parseInt(pair, 16) : -1;
        if (table[(a << 7) | b] !== expected) wrong.push(`${a},${b}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(table[('A'.charCodeAt(0) << 7) | 'f'.charCodeAt(0)]).toBe(0xaf);
    expect(hexByteTable()).toBe(table);
  });
});
