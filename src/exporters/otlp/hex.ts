/**
 * Hex ids and base64 bytes without `Buffer`: ids stay hex strings in the model and are turned
 * into bytes (protobuf) or checked and lowercased (JSON) only here, at export.
 */

/** Char code → nibble value, or -1. Case-insensitive on input (OTLP-J2). */
const NIBBLE: Int8Array = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[97 + i] = 10 + i;
    t[65 + i] = 10 + i;
  }
  return t;
})();

/**
 * Whether `hex` is a usable id of `chars` hex digits: right length, hex only, not all zeros
 * (an all-zero id means "no id" in OTLP, so it is never sent).
 */
export function isValidHexId(hex: string | undefined, chars: number): hex is string {
  if (hex === undefined || hex.length !== chars) return false;
  let nonZero = false;
  for (let i = 0; i < chars; i++) {
    const c = hex.charCodeAt(i);
    const v = c < 128 ? NIBBLE[c] : -1;
    if (v < 0) return false;
    if (v !== 0) nonZero = true;
  }
  return nonZero;
}

/** The id lowercased for JSON, or undefined when it is not a valid id of that length. */
export function jsonHexId(hex: string | undefined, chars: number): string | undefined {
  if (!isValidHexId(hex, chars)) return undefined;
  // Ids made by this library are already lowercase; only foreign ones pay for the copy.
  for (let i = 0; i < chars; i++) {
    const c = hex.charCodeAt(i);
    if (c >= 65 && c <= 70) return hex.toLowerCase();
  }
  return hex;
}

/** Writes the bytes of a (validated) hex id into `out` at `pos`. */
export function hexToBytesInto(hex: string, out: Uint8Array, pos: number): void {
  const n = hex.length >> 1;
  for (let i = 0; i < n; i++) {
    out[pos + i] = (NIBBLE[hex.charCodeAt(2 * i)] << 4) | NIBBLE[hex.charCodeAt(2 * i + 1)];
  }
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
