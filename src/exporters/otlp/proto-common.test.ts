import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { AnyValue } from '../../model/attributes.js';
import { type KeySlots, StringCache, writeAttributes } from './proto-common.js';
import { ProtoWriter } from './proto-writer.js';

/** One KeyValue under `tag`, encoded by protobufjs: the reference for the cached writer. */
function reference(tag: number, key: string, v: AnyValue): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(tag).fork().uint32(0x0a).string(key).uint32(0x12).fork();
  if (typeof v === 'string') w.uint32(0x0a).string(v);
  else if (typeof v === 'boolean') w.uint32(0x10).bool(v);
  else if (Number.isInteger(v) && Math.abs(v as number) < 2 ** 63) w.uint32(0x18).int64(v as number);
  else w.uint32(0x21).double(v as number);
  return w.ldelim().ldelim().finish();
}

describe('writeAttributes with the per-position key and value cache', () => {
  it('writes the same bytes as protobufjs whether a key or value is new, repeated, moved or changed', () => {
    const key = fc.constantFrom('http.route', 'k', 'é', 'n', 'x'.repeat(130));
    const value = fc.oneof(
      fc.constantFrom<AnyValue>('GET', '', 200, 0, -1, 12.5, -0, NaN, 2 ** 40, true, false, 'x'.repeat(300), 'y'.repeat(128)),
      fc.string({ unit: 'grapheme', maxLength: 10 }),
      fc.integer(),
      fc.double({ noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(fc.dictionary(key, value, { maxKeys: 4 }), { maxLength: 12 }), fc.constantFrom(0x4a, 0x1a), (list, tag) => {
        const slots: KeySlots = [];
        const w = new ProtoWriter(1);
        const plain = new ProtoWriter(1);
        const parts: Uint8Array[] = [];
        for (const attrs of list) {
          writeAttributes(w, tag, attrs, slots);
          writeAttributes(plain, tag, attrs);
          for (const [k, v] of Object.entries(attrs)) parts.push(reference(tag, k, v));
        }
        const want = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        parts.reduce((at, p) => (want.set(p, at), at + p.length), 0);
        expect(w.finish()).toEqual(want);
        expect(plain.finish()).toEqual(want);
      }),
    );
  });
});

describe('StringCache', () => {
  it('writes the same field as byte(tag) + string() on first, repeated and changed values', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('GET /a', 'x', '', 'z'.repeat(200)), fc.string({ unit: 'binary', maxLength: 10 })), { maxLength: 20 }), (names) => {
        const cache = new StringCache(0x2a);
        const a = new ProtoWriter(1);
        const b = new ProtoWriter(1);
        for (const n of names) {
          cache.write(a, n);
          b.byte(0x2a);
          b.string(n);
        }
        expect(a.finish()).toEqual(b.finish());
      }),
    );
  });
});
