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
    // Bytes (a Logs API body) as 0x and hex, not JSON's {"0":1,...}: read from the holder, as a
    // Node Buffer's toJSON() ({"type":"Buffer",...}) has replaced it before the replacer sees it.
    return JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
      const b = this[k];
      return b instanceof Uint8Array ? '0x' + Array.from(b, (n) => n.toString(16).padStart(2, '0')).join('') : x;
    }) ?? 'null';
  } catch {
    return '"[Unserializable]"';
  }
}

export function formatAttributes(attrs: Record<string, AnyValue> | undefined, max = 20): string {
  if (!attrs) return '';
  const keys = Object.keys(attrs);
  if (keys.length === 0) return '';
  const parts = keys.slice(0, max).map((k) => `${oneLine(k)}=${oneLine(formatValue(attrs[k]))}`);
  if (keys.length > max) parts.push(`…+${keys.length - max}`);
  return ` {${parts.join(' ')}}`;
}

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms < 10 ? 2 : 1)}ms`;
}
