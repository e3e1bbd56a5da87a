import { defineSafe } from './sanitize.js';

/**
 * Redaction of secrets by attribute name, the original's `LoggingConfig.redact_fields`.
 * Names match case-insensitively and ignoring `-` and `_` (so `api_key` also catches
 * `apiKey` and `API-KEY`), also as the last segment of a dotted key
 * (`http.request.header.authorization`), and by their words (see `secretByWords`:
 * `X-Session-Token`, `db_password`, `stripeApiKey`). URL-valued attributes have matching query
 * and fragment parameters masked and their credentials (`user:password@`) replaced; values of
 * connection strings and of names ending in `url`, `uri` or `dsn` keep their host but lose their
 * credentials and everything from their first secret `name=value` pair on.
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

/**
 * Query keys of signed URLs (S3, GCS, Azure SAS) whose values OpenTelemetry's semantic
 * conventions ask to replace by `REDACTED` in `url.full` and `url.query` by default. Their words
 * are no secret on their own (`signature`, `credential`), so they are listed here and match only
 * as URL parameters, ASCII-case-insensitively (semconv compares exactly; matching more breaks no
 * spec).
 */
const SIGNED_URL_KEYS = new Set(['awsaccesskeyid', 'signature', 'sig', 'x-goog-signature', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token']);
/** What a URL parameter's value becomes: the semantic conventions' `REDACTED` (stays a valid query). */
const URL_REDACTED = 'REDACTED';

const URL_KEYS = new Set(['url.full', 'url.query', 'http.url', 'http.target', 'url.original', 'http.request.url']);

/** Captured headers whose value is a URL, which carries query secrets like `url.full` does (`Referer: …?token=`). */
const URL_HEADER = /\.header\.(?:referer|location|content-location)$/;

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** A name's words, lowercased: split at non-alphanumerics and camelCase humps (`XAPIKey` → xapi, key). */
function words(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((w) => w.toLowerCase());
}

// A secret word followed by one of these names something about the secret that is safe and useful
// to see (`token_count`, `llm.token_count.prompt`, `token_type`, `password_length`): a count or a
// kind leaks nothing, and hiding token counts would blind LLM cost dashboards. `hash` and `id` are
// not here: a password hash can be cracked, and some token ids are the bearer itself.
const ABOUT = new Set(['count', 'length', 'size', 'type', 'name', 'limit', 'usage']);

// Pair names that hold a secret in a connection string even where they would not as an attribute
// (`key` alone is a lookup key, `PWD` a working directory):
// ODBC's `PWD`, Azure's `AccountKey`/`SharedAccessKey`/`SharedAccessSignature`, SAS `sig`, and a
// URL's `key=` (an API key). Masking a harmless one there costs only the rest of that value.
const CONN_SECRET = /(pwd|key|sig|signature)$/i;

/**
 * Names whose values keep their host but lose their credentials: a connection string or a URL under
 * a name of its own (`database_url`, `aws.sqs.queue.url`) says where the process talks to, which is
 * worth seeing; replacing it whole would hide that, leaving it whole would leak its password.
 */
const CONN_NAME = /(url|uri|dsn|connectionstring)$/;

/** What `apply` does with a key's values. */
const enum Kind {
  Keep,
  Secret,
  Url,
  Conn,
}

export interface Redactor {
  /** True when an attribute with this key must not leave the process (not a connection string's: `apply` scrubs those). */
  isSecret(key: string): boolean;
  /** Masks the secret query and fragment parameters and the `user:password@` of a URL, or a query string's secret parameters. */
  redactUrl(value: string): string;
  /** Returns the value to keep for `key`: `[REDACTED]`, a masked URL or connection string, or the value itself. */
  apply<T>(key: string, value: T): T | string;
  /**
   * True when `apply` may change a value under `key` (a secret name, a URL or connection string). Spans
   * ask as each key is first set, so export walks only the spans that hold such a key.
   */
  mayRedact(key: string): boolean;
}

const CACHE_LIMIT = 4096;

export function createRedactor(fields: readonly string[]): Redactor {
  const names = new Set(fields.map(normalize));
  const joined = new Set(fields.map((f) => words(f).join('')));
  const longest = Math.max(0, ...fields.map((f) => words(f).length));
  /**
   * Secret by words: some run of adjacent words, joined, is a redacted name (`token` in
   * `X-Session-Token`, api+key in `stripeApiKey`, x+api+key). Whole words, never substrings:
   * `author` is not `authorization`, `passwordless` (a login method) and `tokenizer` are not
   * secrets, and the plural `tokens` is a count (`gen_ai.usage.input_tokens`, `max_tokens`).
   * `key` alone is a lookup key (`cache.key`, `messaging.kafka.message.key`): only api+key and
   * private+key are secrets. `session.id` (OpenTelemetry) is an identifier to correlate by, not a
   * credential; session tokens and cookies are caught by their own words. A run followed by a word
   * of ABOUT does not count. The price of whole words: a compound written as one lowercase word
   * (`x-authtoken`, `DBPASSWORD`) is not split, and needs its own entry in `redactFields`.
   */
  const secretByWords = (key: string): boolean => {
    const w = words(key);
    for (let i = 0; i < w.length; i++) {
      let run = '';
      for (let j = i; j < w.length && j < i + longest; j++) {
        run += w[j];
        if (joined.has(run) && !ABOUT.has(w[j + 1])) return true;
      }
    }
    return false;
  };
  // Keys repeat endlessly (the same handful of attribute names), so decisions are cached;
  // the cache is bounded so hostile keys cannot grow it.
  const cache = new Map<string, Kind>();
  const kind = (key: string): Kind => {
    let hit = cache.get(key);
    if (hit !== undefined) return hit;
    const dot = key.lastIndexOf('.');
    hit =
      names.has(normalize(key)) || (dot >= 0 && names.has(normalize(key.slice(dot + 1)))) || secretByWords(key)
        ? Kind.Secret
        : URL_KEYS.has(key) || URL_HEADER.test(key)
          ? Kind.Url
          : CONN_NAME.test(normalize(key))
            ? Kind.Conn
            : Kind.Keep;
    if (cache.size < CACHE_LIMIT) cache.set(key, hit);
    return hit;
  };
  const isSecret = (key: string): boolean => kind(key) === Kind.Secret;
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
      if (isSecret(name) || SIGNED_URL_KEYS.has(name.toLowerCase())) {
        parts[i] = p.slice(0, eq + 1) + URL_REDACTED;
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
  /**
   * A connection string (URL, JDBC, ADO.NET, ODBC, libpq or Azure form) without its `user:password@`
   * and with everything from the first secret `name=` on masked: a value may hold spaces
   * (ADO.NET's `Password=my pass`) or quote a separator (`Password="a;b"`), and cutting there
   * needs no parsing of each dialect's quoting, so none of it can leak. Hosts come first in every
   * form. Only values under a connection-like key get here: no other string is scanned.
   */
  const scrub = (value: string): string => {
    const v = redactUserinfo(value);
    if (names.size === 0) return v;
    // A name starts the value or follows a separator: tried from every character instead, a long
    // run of name characters not followed by `=` would be re-scanned from each (quadratic).
    const re = /(?:^|[\s;&?#/:@])([^\s;&?#/:@=]+)\s*=/g;
    for (let m; (m = re.exec(v)); ) if (isSecret(m[1]) || CONN_SECRET.test(m[1])) return v.slice(0, re.lastIndex) + REDACTED;
    return v;
  };
  // The last key asked per slot (from the key's length and middle character) and its answer:
  // the same few keys are set on every span, so one string comparison usually answers without
  // a Map lookup.
  const lastKey: string[] = new Array<string>(64).fill('');
  const lastAnswer: boolean[] = new Array<boolean>(64).fill(false);
  const mayRedact = (key: string): boolean => {
    const i = (key.length + 7 * key.charCodeAt(key.length >> 1)) & 63;
    if (lastKey[i] === key) return lastAnswer[i];
    const hit = kind(key) !== Kind.Keep;
    lastKey[i] = key;
    lastAnswer[i] = hit;
    return hit;
  };
  return {
    isSecret,
    redactUrl,
    mayRedact,
    apply<T>(key: string, value: T): T | string {
      const k = kind(key);
      if (k === Kind.Secret) return REDACTED;
      if (typeof value !== 'string') return value;
      return k === Kind.Url ? redactUrl(value) : k === Kind.Conn ? scrub(value) : value;
    },
  };
}

/**
 * `scheme://user:password@host/…` with the credentials replaced by `REDACTED:REDACTED`: a URL
 * attribute must not carry them (OpenTelemetry HTTP semantic conventions, `url.full`).
 */
function redactUserinfo(value: string): string {
  // `//` must open the authority: at the start, or right after a scheme's `:`; the credentials end
  // at the authority's last `@`, and the authority at the first `/`, `?` or `#`.
  // Most URLs have no `@`: they skip the regular expression.
  return value.indexOf('@') < 0 ? value : value.replace(/^([^/?#]*:)?\/\/[^/?#]*@/, '$1//REDACTED:REDACTED@');
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
