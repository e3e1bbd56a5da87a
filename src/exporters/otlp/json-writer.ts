import { MAX_TIME_MS } from '../../time.js';
import { ByteBuffer, litOf, type Lit } from './byte-buffer.js';

export { litOf, type Lit };

/**
 * Writes OTLP JSON straight into UTF-8 bytes. Building a string first costs more than the
 * encoding itself: a concatenated rope must be flattened (tens of ns per piece, measured) and
 * then re-encoded by TextEncoder, and `JSON.stringify` allocates a string per field. Here
 * escaping and UTF-8 encoding happen in one pass over each user string, and most of the body,
 * which is fixed key text, is copied from prepared literals eight bytes per store ({@link Lit}).
 * Plain ASCII runs, hex ids and digits are also stored several bytes at a time through `dv`.
 */
export class JsonWriter extends ByteBuffer {
  /** The seconds part of the last 13-digit epoch ms written by `unixNano`, and its 10 digits. */
  #lastSec = -1;
  #secHead = 0;
  #secTail = 0;

  /** ASCII text written as is: literals, digits, hex ids. */
  raw(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** A JSON string: quoted, escaped per RFC 8259, UTF-8 encoded (lone surrogates → U+FFFD). */
  str(s: string): void {
    const n = s.length;
    this.ensure(n * 6 + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    let i = 0;
    // Runs of plain ASCII four characters per store; the first other character ends the run.
    const dv = this.dv;
    for (; i + 4 <= n; i += 4) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) > 127 || (PLAIN[c0] & PLAIN[c1] & PLAIN[c2] & PLAIN[c3]) === 0) break;
      dv.setInt32(p, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), true);
      p += 4;
    }
    for (; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
          buf[p++] = c;
          continue;
        }
        buf[p++] = 0x5c;
        if (c === 0x22 || c === 0x5c) buf[p++] = c;
        else if (c === 0x0a) buf[p++] = 0x6e; // \n
        else if (c === 0x0d) buf[p++] = 0x72; // \r
        else if (c === 0x09) buf[p++] = 0x74; // \t
        else {
          buf[p++] = 0x75; // \u00XX
          buf[p++] = 0x30;
          buf[p++] = 0x30;
          buf[p++] = HEX.charCodeAt(c >> 4);
          buf[p++] = HEX.charCodeAt(c & 15);
        }
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
        if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 63);
        buf[p++] = 0x80 | (c & 63);
      }
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** A non-negative integer (enums, dropped counts, flags, counts) without going through String(). */
  uint(v: number): void {
    if (v < 10 && v >= 0) {
      this.ensure(1);
      this.buf[this.pos++] = 0x30 + v;
      return;
    }
    if (v > 0 && v < 2147483648 && v === Math.floor(v)) {
      this.#fixedDigits(v, v < 1e5 ? (v < 100 ? 2 : v < 1000 ? 3 : v < 1e4 ? 4 : 5) : v < 1e7 ? (v < 1e6 ? 6 : 7) : v < 1e8 ? 8 : v < 1e9 ? 9 : 10);
      return;
    }
    this.raw(v >= 9007199254740992 ? uint64Digits(v) : String(v));
  }

  /** A JSON `double`: NaN and ±Infinity as strings (OTLP-J8). */
  double(v: number): void {
    if (v === Math.floor(v) && v > -2147483648 && v < 2147483648) {
      // Integral values (bucket bounds, counts, gauges) skip number-to-string; -0 prints as 0.
      if (v < 0) {
        this.byte(0x2d);
        this.uint(-v);
      } else {
        this.uint(v);
      }
      return;
    }
    if (Number.isFinite(v)) this.raw(String(v));
    else this.raw(v !== v ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"');
  }

  /**
   * A hex id, lowercased (OTLP-J2), without quotes. Writes nothing and returns false when the
   * id has the wrong length, a non-hex digit, or is all zero (unless `zero`: a link's).
   */
  hexId(hex: string | undefined, chars: number, zero?: boolean): boolean {
    if (hex === undefined || hex.length !== chars) return false;
    this.ensure(chars);
    // Four digits per step, validated and lowercased two at a time through the pair table (0 =
    // not two hex digits), stored as one 32-bit word. `chars` is 16 or 32, a multiple of four.
    const pairs = hexPairTable();
    const dv = this.dv;
    let p = this.pos;
    let nonZero = 0;
    for (let i = 0; i < chars; i += 4) {
      const c0 = hex.charCodeAt(i);
      const c1 = hex.charCodeAt(i + 1);
      const c2 = hex.charCodeAt(i + 2);
      const c3 = hex.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) > 127) return false;
      const a = pairs[(c0 << 7) | c1];
      const b = pairs[(c2 << 7) | c3];
      if (a === 0 || b === 0) return false;
      const word = a | (b << 16);
      nonZero |= word ^ 0x30303030;
      dv.setInt32(p, word, true);
      p += 4;
    }
    if (nonZero === 0 && !zero) return false;
    this.pos = p;
    return true;
  }

  /** `prefix` + id + `"` when the id is valid; nothing at all otherwise (optional id fields). */
  idField(prefix: Lit, hex: string | undefined, chars: number): boolean {
    if (hex === undefined) return false;
    const mark = this.pos;
    this.lit(prefix);
    if (this.hexId(hex, chars)) {
      this.byte(0x22);
      return true;
    }
    this.pos = mark;
    return false;
  }

  /**
   * Epoch ms as Unix nanoseconds in decimal, the same digits as `msToUnixNano` (a property test
   * holds them equal) without building the intermediate strings (OTLP-J5, J9).
   */
  unixNano(ms: number): void {
    // Past year 2554 a time does not fit OTLP's uint64 nanoseconds (and its digits would not
    // fit the arithmetic below): it is written as 0, "unknown", like a non-positive time.
    if (!(ms > 0 && ms < MAX_TIME_MS)) {
      this.uint(0);
      return;
    }
    let whole = Math.floor(ms);
    let frac = Math.round((ms - whole) * 1e6);
    if (frac >= 1e6) {
      whole += 1;
      frac -= 1e6;
    }
    if (whole === 0) {
      this.raw(String(frac));
      return;
    }
    if (whole >= 1e12 && whole < 1e13) {
      // Epoch ms of 13 digits (years 2001–2286): 10 digits of seconds, then ms and ns as one
      // 9-digit integer. The seconds repeat across a batch, so their digits are kept from the
      // last write (as a float64 and a uint16 read back from the buffer: ASCII digits are never
      // a NaN) and copied with two stores.
      const sec = Math.floor(whole / 1000);
      this.ensure(27);
      const dv = this.dv;
      const p = this.pos;
      if (sec === this.#lastSec) {
        dv.setFloat64(p, this.#secHead, true);
        dv.setUint16(p + 8, this.#secTail, true);
        this.pos = p + 10;
      } else {
        const top = Math.floor(sec / 1e5);
        this.#fixedDigits(top, 5);
        this.#fixedDigits(sec - top * 1e5, 5);
        this.#lastSec = sec;
        this.#secHead = this.dv.getFloat64(p, true);
        this.#secTail = this.dv.getUint16(p + 8, true);
      }
      this.#fixedDigits((whole - sec * 1000) * 1e6 + frac, 9);
      return;
    }
    // Split so every part is a small integer: String() of a 13-digit double takes the slow
    // float-printing path, digit arithmetic on int32 does not.
    const hi = Math.floor(whole / 1e7);
    if (hi > 0) {
      this.uint(hi);
      this.#fixedDigits(whole - hi * 1e7, 7);
    } else {
      this.uint(whole);
    }
    this.#fixedDigits(frac, 6);
  }

  /** `v` (0 ≤ v < 2^31) as exactly `width` decimal digits, zero-padded; two digits per store. */
  #fixedDigits(v: number, width: number): void {
    this.ensure(width);
    const dv = this.dv;
    let p = this.pos + width;
    while (p - this.pos >= 2) {
      const q = (v / 100) | 0;
      p -= 2;
      dv.setUint16(p, DIGIT_PAIRS[v - q * 100], true);
      v = q;
    }
    if (p > this.pos) this.buf[p - 1] = 0x30 + (v % 10);
    this.pos += width;
  }
}

/**
 * `v` ≥ 2^53 as a uint64 in decimal, saturated at 2^64-1 like `ProtoWriter.fixed64Number`.
 * String() would print the shortest round-trip digits (wrong in the last places), or an exponent
 * from 1e21, neither of them the integer a decoder must read (OTLP-J5).
 */
function uint64Digits(v: number): string {
  return v < 18446744073709551616 ? BigInt(v).toString() : '18446744073709551615';
}

/** A literal for fixed JSON text (field names, punctuation). */
export function lit(text: string): Lit {
  return litOf(UTF8.encode(text));
}

/**
 * `make()`'s result, made on the first call and kept. The JSON encoders keep their literals
 * this way rather than as module constants: a Worker evaluates its bundle's top-level code on
 * every cold start, and the 70-odd literals cost about 0.1 ms there even when the Worker only
 * ever exports protobuf.
 */
export function once<T>(make: () => T): () => T {
  let done = false;
  let made: T;
  return () => {
    if (!done) {
      made = make();
      done = true;
    }
    return made;
  };
}

const UTF8 = /* @__PURE__ */ new TextEncoder();
const HEX = '0123456789abcdef';

/** 1 for ASCII characters a JSON string holds as they are, 0 for controls, `"` and `\\`. */
const PLAIN = /* @__PURE__ */ (() => {
  const t = new Uint8Array(128);
  for (let c = 0x20; c < 0x80; c++) t[c] = c === 0x22 || c === 0x5c ? 0 : 1;
  return t;
})();

/** `n` (0…99) as two ASCII digits in one little-endian 16-bit word. */
const DIGIT_PAIRS = /* @__PURE__ */ (() => {
  const t = new Uint16Array(100);
  for (let n = 0; n < 100; n++) t[n] = (0x30 + ((n / 10) | 0)) | ((0x30 + (n % 10)) << 8);
  return t;
})();

/**
 * Two char codes (each < 128) as `c0 << 7 | c1` → the two lowercase hex digits as one
 * little-endian 16-bit word, or 0 when either is not a hex digit. Built on the first JSON
 * export rather than at module load, which every cold start of a Worker pays for.
 */
function hexPairTable(): Uint16Array {
  return (hexPairs ??= buildHexPairs());
}

let hexPairs: Uint16Array | undefined;

function buildHexPairs(): Uint16Array {
  const t = new Uint16Array(128 * 128);
  const digits = '0123456789abcdefABCDEF';
  for (const a of digits) for (const b of digits) t[(a.charCodeAt(0) << 7) | b.charCodeAt(0)] = a.toLowerCase().charCodeAt(0) | (b.toLowerCase().charCodeAt(0) << 8);
  return t;
}
