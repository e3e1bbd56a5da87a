import { defineSafe } from './sanitize.js';

/**
 * Redaction of secrets by attribute name, the original's `LoggingConfig.redact_fields`.
 * Names match case-insensitively and ignoring `-` and `_` (so `api_key` also catches
 * `apiKey` and `API-KEY`), and also as the last segment of a dotted key
 * (`http.request.header.authorization`). URL-valued attributes have matching query and
 * fragment parameters masked and their credentials (`user:password@`) replaced.
 */
export const DEFAULT_REDACT_FIELDS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'x-api-key',
  'private_key',
  'credentials',
]);

export const REDACTED = '[REDACTED]';

const URL_KEYS = new Set(['url.full', 'url.query', 'http.url', 'http.target', 'url.original', 'http.request.url']);

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

export interface Redactor {
  /** True when an attribute with this key must not leave the process. */
  isSecret(key: string): boolean;
  /** Masks the secret query and fragment parameters and the `user:password@` of a URL, or a query string's secret parameters. */
  redactUrl(value: string): string;
  /** Returns the value to keep for `key`: `[REDACTED]`, a masked URL, or the value itself. */
  apply<T>(key: string, value: T): T | string;
  /**
   * True when `apply` may change a value under `key` (a secret name or a URL attribute). Spans
   * ask as each key is first set, so export walks only the spans that hold such a key.
   */
  mayRedact(key: string): boolean;
}

const CACHE_LIMIT = 4096;

export function createRedactor(fields: readonly string[]): Redactor {
  const names = new Set(fields.map(normalize));
  // Keys repeat endlessly (the same handful of attribute names), so decisions are cached;
  // the cache is bounded so hostile keys cannot grow it.
  const cache = new Map<string, boolean>();
  const isSecret = (key: string): boolean => {
    let hit = cache.get(key);
    if (hit !== undefined) return hit;
    const dot = key.lastIndexOf('.');
    hit = names.has(normalize(key)) || (dot >= 0 && names.has(normalize(key.slice(dot + 1))));
    if (cache.size < CACHE_LIMIT) cache.set(key, hit);
    return hit;
  };
  /** Masks the values of secret `k=v` pairs in an `&`-separated list. */
  const maskPairs = (list: string): string => {
    if (names.size === 0 || !list.includes('=')) return list;
    const parts = list.split('&');
    let changed = false;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      let name = p.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      if (isSecret(name)) {
        parts[i] = p.slice(0, eq + 1) + encodeURIComponent(REDACTED);
        changed = true;
      }
    }
    return changed ? parts.join('&') : list;
  };
  const redactUrl = (value: string): string => {
    // Nothing to mask without credentials (`@`) or `k=v` pairs (`=`): the usual URL, per request.
    if (value.indexOf('=') < 0 && value.indexOf('@') < 0) return value;
    let url = redactUserinfo(value);
    const hash = url.indexOf('#');
    let fragment = '';
    if (hash >= 0) {
      // Tokens travel in fragments too (OAuth's implicit flow: `#access_token=…`), also after a
      // hash route's own `?` (`#/cb?token=…`).
      const f = url.slice(hash + 1);
      const fq = f.indexOf('?');
      fragment = '#' + (fq >= 0 ? f.slice(0, fq + 1) + maskPairs(f.slice(fq + 1)) : maskPairs(f));
      url = url.slice(0, hash);
    }
    const q = url.indexOf('?');
    // Without `?`, a value holding `=` is a query string on its own (`url.query`).
    if (q >= 0) url = url.slice(0, q + 1) + maskPairs(url.slice(q + 1));
    else url = maskPairs(url);
    url += fragment;
    return url === value ? value : url;
  };
  // The last key asked per slot (from the key's length and middle character) and its answer:
  // the same few keys are set on every span, so one string comparison usually answers without
  // a Map lookup.
  const lastKey: string[] = new Array<string>(64).fill('');
  const lastAnswer: boolean[] = new Array<boolean>(64).fill(false);
  const mayRedact = (key: string): boolean => {
    const i = (key.length + 7 * key.charCodeAt(key.length >> 1)) & 63;
    if (lastKey[i] === key) return lastAnswer[i];
    const hit = isSecret(key) || URL_KEYS.has(key);
    lastKey[i] = key;
    lastAnswer[i] = hit;
    return hit;
  };
  return {
    isSecret,
    redactUrl,
    mayRedact,
    apply<T>(key: string, value: T): T | string {
      if (isSecret(key)) return REDACTED;
      if (typeof value === 'string' && URL_KEYS.has(key)) return redactUrl(value);
      return value;
    },
  };
}

/**
 * `scheme://user:password@host/…` with the credentials replaced by `REDACTED:REDACTED`: a URL
 * attribute must not carry them (OpenTelemetry HTTP semantic conventions, `url.full`).
 */
function redactUserinfo(value: string): string {
  const sep = value.indexOf('//');
  if (sep < 0 || value.indexOf('@') < 0) return value;
  // `//` must open the authority: at the start, or right after a scheme's `:`.
  if (sep > 0 && (value.charCodeAt(sep - 1) !== 58 /* : */ || /[/?#]/.test(value.slice(0, sep - 1)))) return value;
  const from = sep + 2;
  let end = from;
  while (end < value.length) {
    const c = value.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  const at = value.lastIndexOf('@', end - 1);
  if (at < from) return value;
  return value.slice(0, from) + 'REDACTED:REDACTED' + value.slice(at);
}

/** Redacts a nested log value in place-free fashion: returns a copy only where something changed. */
export function redactDeep(value: unknown, redactor: Redactor, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 8 || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const r = redactDeep(value[i], redactor, depth + 1);
      if (r !== value[i]) (out ??= value.slice())[i] = r;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const src = value as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    const v = src[key];
    const r = redactor.isSecret(key) ? REDACTED : typeof v === 'string' ? redactor.apply(key, v) : redactDeep(v, redactor, depth + 1);
    if (r !== v) {
      out ??= { ...src };
      defineSafe(out, key, r);
    }
  }
  return out ?? value;
}
