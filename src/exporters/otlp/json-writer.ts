import { lowerHexInto } from './hex.js';

/**
 * Writes OTLP JSON straight into UTF-8 bytes. Building a string first costs more than the
 * encoding itself: a concatenated rope must be flattened and then re-encoded by TextEncoder,
 * and `JSON.stringify` allocates a string per field. Here escaping and UTF-8 encoding happen in
 * one pass over each user string, and literals are copied byte by byte.
 */
export class JsonWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialSize = 8192) {
    this.buf = new Uint8Array(initialSize);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

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
    for (let i = 0; i < n; i++) {
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
          buf[p++] = HEX[c >> 4];
          buf[p++] = HEX[c & 15];
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

  /**
   * `{"key":<key>,"value":` for an attribute key. Keys repeat across spans, so their escaped
   * UTF-8 form is kept in a bounded cache and copied instead of re-encoded.
   */
  keyPrefix(key: string): void {
    let bytes = KEY_CACHE.get(key);
    if (bytes === undefined) {
      const start = this.pos;
      this.raw('{"key":');
      this.str(key);
      this.raw(',"value":');
      if (KEY_CACHE.size < KEY_CACHE_LIMIT) KEY_CACHE.set(key, this.buf.slice(start, this.pos));
      return;
    }
    const n = bytes.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = bytes[i];
    this.pos = p;
  }

  /** A small non-negative integer (enums, dropped counts, flags) without going through String(). */
  uint(v: number): void {
    if (v < 10 && v >= 0) {
      this.ensure(1);
      this.buf[this.pos++] = 0x30 + v;
      return;
    }
    this.raw(String(v));
  }

  /** A JSON `double`: NaN and ±Infinity as strings (OTLP-J8). */
  double(v: number): void {
    if (Number.isFinite(v)) this.raw(String(v));
    else this.raw(v !== v ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"');
  }

  /**
   * A hex id, lowercased (OTLP-J2), without quotes. Writes nothing and returns false when the
   * id has the wrong length, a non-hex digit, or is all zero.
   */
  hexId(hex: string | undefined, chars: number): boolean {
    if (hex === undefined || hex.length !== chars) return false;
    this.ensure(chars);
    if (!lowerHexInto(hex, this.buf, this.pos)) return false;
    this.pos += chars;
    return true;
  }

  /** `prefix` + id + `"` when the id is valid; nothing at all otherwise (optional id fields). */
  idField(prefix: string, hex: string | undefined, chars: number): boolean {
    if (hex === undefined) return false;
    const mark = this.pos;
    this.raw(prefix);
    if (this.hexId(hex, chars)) {
      this.raw('"');
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
    if (!(ms > 0)) {
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
    // Split so every part is a small integer: String() of a 13-digit double takes the slow
    // float-printing path, String() of a small integer and digit arithmetic on int32 do not.
    const hi = Math.floor(whole / 1e7);
    if (hi > 0) {
      this.raw(String(hi));
      this.fixedDigits(whole - hi * 1e7, 7);
    } else {
      this.raw(String(whole));
    }
    this.fixedDigits(frac, 6);
  }

  /** `v` (0 ≤ v < 2^31) as exactly `width` decimal digits, zero-padded. */
  private fixedDigits(v: number, width: number): void {
    this.ensure(width);
    const buf = this.buf;
    let p = this.pos + width;
    for (let i = 0; i < width; i++) {
      const q = (v / 10) | 0;
      buf[--p] = 0x30 + v - q * 10;
      v = q;
    }
    this.pos += width;
  }

  finish(): Uint8Array {
    // A view, not a copy: fetch and Blob send exactly the viewed bytes.
    return this.buf.subarray(0, this.pos);
  }
}

/** Bounded so that unbounded attribute keys cannot grow memory; past it keys are encoded each time. */
const KEY_CACHE_LIMIT = 4096;
const KEY_CACHE = /* @__PURE__ */ new Map<string, Uint8Array>();

const HEX = /* @__PURE__ */ new TextEncoder().encode('0123456789abcdef');
