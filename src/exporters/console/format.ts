import type { AnyValue } from '../../model/attributes.js';

/**
 * Escapes control characters so a message or attribute can never forge an extra line in
 * console output (log injection).
 */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  // C1 controls too: U+0085 (NEL) ends a line for Python's splitlines and several log viewers.
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s) ? s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)) : s;
}

export function formatValue(v: AnyValue | undefined): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return json(v, 0);
  } catch {
    return '"[Unserializable]"';
  }
}

/**
 * JSON text of a list or map, except that NaN and ±Infinity print as they are held (OTLP sends
 * them as doubles) where JSON.stringify wrote `null`, like a real null; and bytes (a Logs API
 * body) print as 0x and hex, not `{"0":1,...}`. Throws past depth 64 (a cycle given straight to
 * the backend) and on what JSON cannot write (a BigInt): the caller prints "[Unserializable]".
 */
function json(v: unknown, depth: number): string {
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : String(v);
  if (typeof v !== 'object' || v === null) {
    // Strings, booleans and null as JSON writes them; a BigInt throws, as it does there.
    if (typeof v === 'bigint') throw new TypeError('BigInt');
    return JSON.stringify(v) ?? 'null';
  }
  if (depth > 64) throw new RangeError('too deep');
  if (v instanceof Uint8Array) return '"0x' + Array.from(v, (n) => n.toString(16).padStart(2, '0')).join('') + '"';
  if (Array.isArray(v)) return '[' + v.map((x) => (x === undefined || typeof x === 'function' || typeof x === 'symbol' ? 'null' : json(x, depth + 1))).join(',') + ']';
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return json(toJSON.call(v), depth + 1);
  const parts: string[] = [];
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== 'function' && typeof x !== 'symbol') parts.push(JSON.stringify(k) + ':' + json(x, depth + 1));
  }
  return '{' + parts.join(',') + '}';
}

const EXCEPTION = ['exception.type', 'exception.message'];

export function formatAttributes(attrs: Record<string, AnyValue> | undefined, max = 20): string {
  if (!attrs) return '';
  const keys = Object.keys(attrs);
  if (keys.length === 0) return '';
  const shown = keys.slice(0, max);
  // What an error record is about is printed whatever the number of attributes before it (a
  // child logger's bound ones): only its stack trace may be left out.
  if (keys.length > max) for (const k of EXCEPTION) if (keys.indexOf(k) >= max) shown.push(k);
  const parts = shown.map((k) => `${oneLine(k)}=${oneLine(formatValue(attrs[k]))}`);
  if (keys.length > shown.length) parts.push(`…+${keys.length - shown.length}`);
  return ` {${parts.join(' ')}}`;
}

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms < 10 ? 2 : 1)}ms`;
}
