/**
 * The growable byte buffer both OTLP writers (protobuf and JSON) write into: one allocation
 * that doubles when full, a DataView over it for multi-byte stores, and the bytes as a view
 * (not a copy) at the end, since fetch and Blob send exactly the viewed bytes.
 */
export class ByteBuffer {
  buf: Uint8Array;
  /** Over `buf`, for stores of several bytes at once. */
  dv: DataView;
  pos = 0;
  /** `buf.length`, kept as a plain number: the check in `ensure` runs for nearly every write. */
  cap: number;

  constructor(initialSize = 8192) {
    this.buf = new Uint8Array(initialSize);
    this.dv = new DataView(this.buf.buffer);
    this.cap = initialSize;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.cap) this.#grow(n);
  }

  #grow(n: number): void {
    const need = this.pos + n;
    let size = Math.max(64, this.buf.length * 2);
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
    this.cap = size;
  }

  /** One byte (an ASCII character, a protobuf tag or a value below 128). */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /**
   * Copies a prepared literal, eight bytes per store. The last store may write up to seven
   * bytes past the literal; they lie beyond `pos`, so the next write overwrites them.
   */
  lit(l: Lit): void {
    const n = l[0];
    this.ensure(n + 8);
    const dv = this.dv;
    let p = this.pos;
    const words = l.length;
    for (let i = 1; i < words; i++) {
      dv.setFloat64(p, l[i], true);
      p += 8;
    }
    this.pos += n;
  }

  /** The bytes written since `start`, as a literal to copy again later. */
  litSince(start: number): Lit {
    return litOf(this.buf.subarray(start, this.pos));
  }

  /** What was written. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Bytes prepared for {@link ByteBuffer.lit}: element 0 is the byte length, then the bytes in
 * 8-byte words, zero-padded, each read as a little-endian float64. A 30-byte key literal is
 * copied with 4 stores instead of 30. Moving a float64 through `DataView` keeps its bits
 * exactly unless it is a NaN (engines may canonicalise NaN payloads), and no word of valid
 * UTF-8 is one: a NaN needs its top byte to be 0x7F or 0xFF with a byte ≥ 0xF0 just before, and
 * in UTF-8 a byte ≥ 0xF0 is always followed by a continuation byte (0x80–0xBF), never by either.
 * Binary bytes (protobuf) can hold such a word: {@link binaryLitOf} refuses those.
 */
export type Lit = Float64Array;

export function litOf(bytes: Uint8Array): Lit {
  const n = bytes.length;
  const words = (n + 7) >> 3;
  const padded = new Uint8Array(words * 8);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  const l = new Float64Array(1 + words);
  l[0] = n;
  for (let i = 0; i < words; i++) l[1 + i] = view.getFloat64(i * 8, true);
  return l;
}

/** A literal of arbitrary bytes, or undefined when one of its words reads as a NaN (see {@link Lit}). */
export function binaryLitOf(bytes: Uint8Array): Lit | undefined {
  const l = litOf(bytes);
  for (let i = 1; i < l.length; i++) if (l[i] !== l[i]) return undefined;
  return l;
}
