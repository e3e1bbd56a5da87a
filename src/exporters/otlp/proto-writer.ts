import { MAX_TIME_MS } from '../../time.js';
import { ByteBuffer } from './byte-buffer.js';
import { hexByteTable } from './hex.js';

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
    if (v < 0x80000000) {
      this.ensure(5);
      const buf = this.buf;
      let p = this.pos;
      while (v > 127) {
        buf[p++] = (v & 127) | 128;
        v >>>= 7;
      }
      buf[p++] = v;
      this.pos = p;
      return;
    }
    this.#varint64(v >>> 0, Math.floor(v / 4294967296));
  }

  /** Signed int64 varint for an integral number in ±2^63 (two's complement, 10 bytes if negative). */
  int64(v: number): void {
    if (v >= 0) {
      this.uvarint(v);
      return;
    }
    const a = -v;
    const hi = Math.floor(a / 4294967296);
    // Negate the 64-bit magnitude: invert and add one.
    const lo = (~(a - hi * 4294967296) + 1) >>> 0;
    this.#varint64(lo, (lo === 0 ? ~hi + 1 : ~hi) >>> 0);
  }

  /** The varint of the unsigned 64-bit number `hi` · 2^32 + `lo`. */
  #varint64(lo: number, hi: number): void {
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

  /** fixed64 from a non-negative integral number (counts), saturated at 2^64-1 rather than wrapped. */
  fixed64Number(v: number): void {
    if (v >= 18446744073709551616) {
      this.fixed64(0xffffffff, 0xffffffff);
      return;
    }
    const hi = Math.floor(v / 4294967296);
    this.fixed64(v - hi * 4294967296, hi);
  }

  /** sfixed64 from an integral number within ±2^63 (`as_int`), two's complement. */
  sfixed64(v: number): void {
    this.ensure(8);
    this.dv.setBigInt64(this.pos, BigInt(v), true);
    this.pos += 8;
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
    if (len < 128) this.buf[start] = len;
    else this.ldelimN(start, 1);
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
      this.#longString(s);
      return;
    }
    const buf = this.buf;
    const start = this.pos++;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
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

  #longString(s: string): void {
    const start = this.fork();
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += written;
    this.ldelim(start);
  }

  /**
   * A `bytes` field holding a hex id; skipped (returns false) when the id is invalid, or all zero
   * unless `zero` (a link's: kept as zero bytes, as OpenTelemetry's SDK writes it).
   */
  hexId(tag: number, hex: string | undefined, chars: number, zero?: boolean): boolean {
    if (hex === undefined || hex.length !== chars) return false;
    this.ensure((chars >> 1) + 2);
    const buf = this.buf;
    const start = this.pos;
    let p = start + 2;
    const hexByte = hexByteTable();
    // Two digits per lookup; `acc` goes negative on a non-hex digit and stays 0 for an all-zero id.
    let acc = 0;
    for (let i = 0; i < chars; i += 2) {
      const a = hex.charCodeAt(i);
      const b = hex.charCodeAt(i + 1);
      const v = (a | b) < 128 ? hexByte[(a << 7) | b] : -1;
      acc |= v;
      buf[p++] = v;
    }
    if (acc < 0 || !(acc || zero)) return false;
    buf[start] = tag;
    buf[start + 1] = chars >> 1;
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
