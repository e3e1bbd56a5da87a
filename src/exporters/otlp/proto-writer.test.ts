import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { MAX_TIME_MS, msToUnixNanoParts } from '../../time.js';
import { ProtoWriter } from './proto-writer.js';

describe('ProtoWriter', () => {
  it('strings are the same UTF-8 as TextEncoder, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const w = new ProtoWriter(4);
        w.string(s);
        const r = protobuf.Reader.create(w.finish());
        const bytes = r.bytes();
        expect(Buffer.from(bytes)).toEqual(Buffer.from(new TextEncoder().encode(s)));
        expect(r.pos).toBe(r.len);
      }),
    );
  });

  it('int64 and uvarint round-trip through protobufjs for any safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.maxSafeNat(), (i, u) => {
        const w = new ProtoWriter(1);
        w.int64(i);
        w.uvarint(u);
        const r = protobuf.Reader.create(w.finish());
        expect(r.int64().toString()).toBe(String(i));
        expect(r.uint64().toString()).toBe(String(u));
      }),
    );
    const w = new ProtoWriter(1);
    w.int64(-(2 ** 63));
    expect(protobuf.Reader.create(w.finish()).int64().toString()).toBe('-9223372036854775808');
  });

  it('fixed64, double and fixed32 are little-endian', () => {
    const w = new ProtoWriter(1);
    w.fixed64Number(2 ** 40 + 5);
    w.double(-1.5);
    w.fixed32(0x301);
    const r = protobuf.Reader.create(w.finish());
    expect(r.fixed64().toString()).toBe(String(2 ** 40 + 5));
    expect(r.double()).toBe(-1.5);
    expect(r.fixed32()).toBe(0x301);
  });

  it('ldelim moves the body when the length needs 2, 3 or 4 varint bytes', () => {
    for (const size of [0, 127, 128, 16383, 16384, 2_097_151, 2_097_152]) {
      const w = new ProtoWriter(16);
      w.byte(0x07);
      const m = w.fork();
      w.ensure(size);
      for (let i = 0; i < size; i++) w.buf[w.pos++] = i & 0xff;
      w.ldelim(m);
      w.byte(0x09);
      const r = protobuf.Reader.create(w.finish());
      expect(r.uint32()).toBe(7);
      const body = r.bytes();
      expect(body.length).toBe(size);
      if (size > 0) expect(body[size - 1]).toBe((size - 1) & 0xff);
      expect(r.uint32()).toBe(9);
    }
  });

  it('hexId writes 16/8 bytes and refuses wrong length, non-hex and all-zero ids', () => {
    const w = new ProtoWriter();
    expect(w.hexId(0x0a, '4bf92f3577b34da6a3ce929d0e0e4736', 32)).toBe(true);
    expect(w.hexId(0x0a, '4BF92F3577B34DA6A3CE929D0E0E4736', 32)).toBe(true);
    expect(w.hexId(0x12, '00000000000000000', 16)).toBe(false);
    expect(w.hexId(0x12, '0000000000000000', 16)).toBe(false);
    expect(w.hexId(0x12, '00f067aa0ba902bz', 16)).toBe(false);
    const out = w.finish();
    expect(out.length).toBe(36);
    expect(Buffer.from(out.subarray(2, 18)).toString('hex')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(Buffer.from(out.subarray(20)).toString('hex')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('time() writes the tag and the same fixed64 as msToUnixNanoParts', () => {
    const ms = fc.oneof(fc.double({ min: -10, max: MAX_TIME_MS + 10, noNaN: true }), fc.constantFrom(0, NaN, Infinity, 1_700_000_000_123.4567, 999.9999996, MAX_TIME_MS - 0.0001));
    fc.assert(
      fc.property(ms, (t) => {
        const w = new ProtoWriter(1);
        w.time(0x39, t);
        const { lo, hi } = msToUnixNanoParts(t);
        const want = new ProtoWriter(1);
        want.byte(0x39);
        want.fixed64(lo, hi);
        expect(w.finish()).toEqual(want.finish());
      }),
    );
  });

  it('ldelimN writes the length in as many bytes as it needs, whatever was reserved', () => {
    for (const reserve of [1, 2, 3]) {
      for (const size of [0, 127, 128, 16383, 16384, 2_097_152]) {
        const w = new ProtoWriter(16);
        w.byte(0x07);
        const m = w.forkN(reserve);
        w.ensure(size);
        for (let i = 0; i < size; i++) w.buf[w.pos++] = i & 0xff;
        const used = w.ldelimN(m, reserve);
        expect(used).toBe(size < 128 ? 1 : size < 16384 ? 2 : size < 2097152 ? 3 : 4);
        w.byte(0x09);
        const r = protobuf.Reader.create(w.finish());
        expect(r.uint32()).toBe(7);
        const body = r.bytes();
        expect(body.length).toBe(size);
        if (size > 0) expect(body[size - 1]).toBe((size - 1) & 0xff);
        expect(r.uint32()).toBe(9);
        expect(r.pos).toBe(r.len);
      }
    }
  });
});
