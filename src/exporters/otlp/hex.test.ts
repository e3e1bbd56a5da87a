import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidHexId, jsonHexId, toBase64 } from './hex.js';

describe('hex and base64 helpers', () => {
  it('toBase64 equals Buffer base64 (OTLP-J7 bytesValue)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(toBase64(b)).toBe(Buffer.from(b).toString('base64'));
      }),
    );
  });

  it('OTLP-J2: ids are accepted in either case and emitted lowercase; zero ids are invalid', () => {
    expect(jsonHexId('00F067AA0BA902B7', 16)).toBe('00f067aa0ba902b7');
    expect(jsonHexId('00f067aa0ba902b7', 16)).toBe('00f067aa0ba902b7');
    expect(jsonHexId('0000000000000000', 16)).toBeUndefined();
    expect(isValidHexId('abc', 16)).toBe(false);
    expect(isValidHexId(undefined, 16)).toBe(false);
  });
});
