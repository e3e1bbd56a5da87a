/**
 * Hex ids and base64 bytes without `Buffer`: ids stay hex strings in the model and are turned
 * into bytes (protobuf) only at export.
 */

/**
 * Two char codes (each < 128) as `c0 << 7 | c1` → the byte they spell in hex (either case,
 * OTLP-J2), or -1 when either is not a hex digit: one lookup per byte instead of two. Built on
 * the first protobuf export, not at module load: a Worker evaluates its modules' top-level code
 * on every cold start, and this 16,384-entry loop was a sixth of the bundle's start-up.
 */
export function hexByteTable(): Int16Array {
  return (hexByte ??= buildHexByte());
}

let hexByte: Int16Array | undefined;

function buildHexByte(): Int16Array {
  const t = new Int16Array(128 * 128).fill(-1);
  const digits = '0123456789abcdefABCDEF';
  for (const a of digits) for (const b of digits) t[(a.charCodeAt(0) << 7) | b.charCodeAt(0)] = parseInt(a + b, 16);
  return t;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding: proto3 JSON's form for `bytes` other than ids (OTLP-J7). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  if (i < n) {
    const rest = n - i;
    const v = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
    out += B64[v >> 18] + B64[(v >> 12) & 63] + (rest === 2 ? B64[(v >> 6) & 63] : '=') + '=';
  }
  return out;
}
