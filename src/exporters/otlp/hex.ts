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

/**
 * Two char codes (each < 128) as `c0 << 7 | c1` → the byte they spell in hex, or -1 when either
 * is not a hex digit: one lookup per byte instead of two.
 */
export const HEX_BYTE: Int16Array = /* @__PURE__ */ (() => {
  const t = new Int16Array(128 * 128).fill(-1);
  for (let a = 0; a < 128; a++) {
    if (NIBBLE[a] < 0) continue;
    for (let b = 0; b < 128; b++) if (NIBBLE[b] >= 0) t[(a << 7) | b] = (NIBBLE[a] << 4) | NIBBLE[b];
  }
  return t;
})();

const LOWER_HEX = /* @__PURE__ */ (() => {
  const t = new Uint8Array(128);
  for (let i = 0; i < 128; i++) if (NIBBLE[i] >= 0) t[i] = '0123456789abcdef'.charCodeAt(NIBBLE[i]);
  return t;
})();

/**
 * Writes `hex` lowercased as ASCII into `out` at `pos` while validating it; false (bytes
 * written are garbage) for non-hex or all-zero ids. The caller checks the length and makes room.
 */
export function lowerHexInto(hex: string, out: Uint8Array, pos: number): boolean {
  const n = hex.length;
  let nonZero = false;
  for (let i = 0; i < n; i++) {
    const c = hex.charCodeAt(i);
    const l = c < 128 ? LOWER_HEX[c] : 0;
    if (l === 0) return false;
    if (l !== 0x30) nonZero = true;
    out[pos++] = l;
  }
  return nonZero;
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
