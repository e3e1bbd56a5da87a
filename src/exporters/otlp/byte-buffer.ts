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

  constructor(initialSize = 8192) {
    this.buf = new Uint8Array(initialSize);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  /** One byte (an ASCII character, a protobuf tag or a value below 128). */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** What was written. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
