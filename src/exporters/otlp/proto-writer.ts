import { MAX_TIME_MS } from '../../time.js';
import { ByteBuffer } from './byte-buffer.js';
import { HEX_BYTE } from './hex.js';

/**
 * A minimal protobuf writer: just the wire types OTLP needs, into one growable buffer.
 *
 * Nested messages use reserve-and-backpatch: `fork()` reserves one length byte, `ldelim()`
 * writes the length and, only when the body turned out to be 128 bytes or more, shifts the body
 * right by the extra varint bytes (one `copyWithin`). Most attributes fit in one byte, so the
 * common case never moves memory and never sizes anything twice. Messages whose usual size is
 * known (spans, the envelope) reserve more bytes up front with `forkN`/`ldelimN`.
 */
export class ProtoWriter extends ByteBuffer {

  /** Unsigned varint for 0 ≤ v < 2^53 (lengths, counts, enums). */
  uvarint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    if (v < 0x80000000) {
      while (v > 127) {
        buf[p++] = (v & 127) | 128;
        v >>>= 7;
      }
      buf[p++] = v;
      this.pos = p;
      return;
    }
    let hi = Math.floor(v / 4294967296);
    let lo = v >>> 0;
    while (hi > 0 || lo > 127) {
      buf[p++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  /** Signed int64 varint for an integral number in ±2^63 (two's complement, 10 bytes if negative). */
  int64(v: number): void {
    if (v >= 0) {
      this.uvarint(v);
      return;
    }
    const a = -v;
    let hi = Math.floor(a / 4294967296);
    let lo = a - hi * 4294967296;
    // Negate the 64-bit magnitude: invert and add one.
    lo = ~lo >>> 0;
    hi = ~hi >>> 0;
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (hi > 0 || lo > 127) {
      buf[p++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  /** A varint field: `tag` (one byte), then `v` (0 ≤ v < 2^53). */
  tagVarint(tag: number, v: number): void {
    if (v >= 0 && v < 128) {
      this.ensure(2);
      const p = this.pos;
      this.buf[p] = tag;
      this.buf[p + 1] = v;
      this.pos = p + 2;
      return;
    }
    this.byte(tag);
    this.uvarint(v);
  }

  /** A fixed32 field under a two-byte tag, given as a little-endian 16-bit number. */
  tagFixed32(tag2: number, v: number): void {
    this.ensure(6);
    const p = this.pos;
    this.dv.setUint16(p, tag2, true);
    this.dv.setUint32(p + 2, v >>> 0, true);
    this.pos = p + 6;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    this.dv.setUint32(this.pos, lo >>> 0, true);
    this.dv.setUint32(this.pos + 4, hi >>> 0, true);
    this.pos += 8;
  }

  /** fixed64 from a non-negative integral number below 2^53 (counts). */
  fixed64Number(v: number): void {
    const hi = Math.floor(v / 4294967296);
    this.fixed64(v - hi * 4294967296, hi);
  }

  double(v: number): void {
    this.ensure(8);
    this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Reserves the length of a nested message; pass the result to `ldelim`. */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the message started at `start`, moving its body if the length needs more bytes. */
  ldelim(start: number): void {
    const len = this.pos - start - 1;
    if (len < 128) {
      this.buf[start] = len;
      return;
    }
    const extra = len < 16384 ? 1 : len < 2097152 ? 2 : len < 268435456 ? 3 : 4;
    this.ensure(extra);
    const buf = this.buf;
    buf.copyWithin(start + 1 + extra, start + 1, this.pos);
    this.pos += extra;
    let p = start;
    let v = len;
    while (v > 127) {
      buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[p] = v;
  }

  /** Reserves `n` bytes (1 to 5) for the length of a nested message; pass both to `ldelimN`. */
  forkN(n: number): number {
    this.ensure(n);
    const start = this.pos;
    this.pos = start + n;
    return start;
  }

  /**
   * Writes the length of the message started at `start` with `n` reserved bytes, moving its
   * body when the length needs another number of bytes. Returns the number it needed.
   */
  ldelimN(start: number, n: number): number {
    const len = this.pos - start - n;
    const need = len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
    if (need !== n) {
      if (need > n) this.ensure(need - n);
      this.buf.copyWithin(start + need, start + n, this.pos);
      this.pos += need - n;
    }
    const buf = this.buf;
    let p = start;
    let v = len;
    while (v > 127) {
      buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[p] = v;
    return need;
  }

  /**
   * `tag`, then epoch ms as Unix nanoseconds in a fixed64, exact (OTLP-J9): the same value as
   * `msToUnixNanoParts` without its result object. 0 for a time OTLP cannot carry.
   */
  time(tag: number, ms: number): void {
    this.ensure(9);
    const p = this.pos;
    this.buf[p] = tag;
    let lo = 0;
    let hi = 0;
    if (ms > 0 && ms < MAX_TIME_MS) {
      let whole = Math.floor(ms);
      let frac = Math.round((ms - whole) * 1e6);
      if (frac >= 1e6) {
        whole += 1;
        frac -= 1e6;
      }
      // whole * 1e6 + frac with whole = wh * 2^32 + wl: wl * 1e6 + frac < 2^53 is exact, and
      // wh * 1e6 (wh < 4295 before year 2554) adds to the high word.
      const wh = Math.floor(whole / 4294967296);
      const t = (whole - wh * 4294967296) * 1e6 + frac;
      const th = Math.floor(t / 4294967296);
      lo = t - th * 4294967296;
      hi = wh * 1e6 + th;
    }
    this.dv.setUint32(p + 1, lo, true);
    this.dv.setUint32(p + 5, hi, true);
    this.pos = p + 9;
  }

  /** A length-delimited UTF-8 string (without the tag). */
  string(s: string): void {
    const n = s.length;
    // Worst case 3 bytes per UTF-16 unit, plus up to 5 length bytes.
    this.ensure(n * 3 + 5);
    if (n > 42) {
      this.longString(s);
      return;
    }
    const buf = this.buf;
    const start = this.pos++;
    let p = this.pos;
    let i = 0;
    // Runs of ASCII four characters per store; the first other character ends the run.
    const dv = this.dv;
    for (; i + 4 <= n; i += 4) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) > 127) break;
      dv.setInt32(p, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), true);
      p += 4;
    }
    for (; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[p++] = c;
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        buf[p++] = 0xf0 | (c >> 18);
        buf[p++] = 0x80 | ((c >> 12) & 63);
        buf[p++] = 0x80 | ((c >> 6) & 63);
        buf[p++] = 0x80 | (c & 63);
      } else {
        // Lone surrogates become U+FFFD, as TextEncoder does.
        if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 63);
        buf[p++] = 0x80 | (c & 63);
      }
    }
    // At most 42 units × 3 bytes = 126: the one reserved length byte always suffices.
    buf[start] = p - start - 1;
    this.pos = p;
  }

  private longString(s: string): void {
    const start = this.fork();
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += written;
    this.ldelim(start);
  }

  /** A `bytes` field holding a hex id; skipped (returns false) when the id is invalid or all zero. */
  hexId(tag: number, hex: string | undefined, chars: number): boolean {
    if (hex === undefined || hex.length !== chars) return false;
    this.ensure((chars >> 1) + 2);
    const dv = this.dv;
    const start = this.pos;
    let p = start + 2;
    // Eight digits per step, two per lookup, four bytes per store. `acc` goes negative on a
    // non-hex digit and stays 0 for an all-zero id. `chars` is 16 or 32, a multiple of eight.
    let acc = 0;
    for (let i = 0; i < chars; i += 8) {
      const c0 = hex.charCodeAt(i);
      const c1 = hex.charCodeAt(i + 1);
      const c2 = hex.charCodeAt(i + 2);
      const c3 = hex.charCodeAt(i + 3);
      const c4 = hex.charCodeAt(i + 4);
      const c5 = hex.charCodeAt(i + 5);
      const c6 = hex.charCodeAt(i + 6);
      const c7 = hex.charCodeAt(i + 7);
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) > 127) return false;
      const b0 = HEX_BYTE[(c0 << 7) | c1];
      const b1 = HEX_BYTE[(c2 << 7) | c3];
      const b2 = HEX_BYTE[(c4 << 7) | c5];
      const b3 = HEX_BYTE[(c6 << 7) | c7];
      acc |= b0 | b1 | b2 | b3;
      dv.setInt32(p, (b0 & 255) | ((b1 & 255) << 8) | ((b2 & 255) << 16) | (b3 << 24), true);
      p += 4;
    }
    if (acc <= 0) return false;
    this.buf[start] = tag;
    this.buf[start + 1] = chars >> 1;
    this.pos = p;
    return true;
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const encoder = /* @__PURE__ */ new TextEncoder();
