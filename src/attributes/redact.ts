import { defineSafe } from './sanitize.js';

/**
 * Redaction of secrets by attribute name, the original's `LoggingConfig.redact_fields`.
 * Names match case-insensitively and ignoring `-` and `_` (so `api_key` also catches
 * `apiKey` and `API-KEY`), also as the last segment of a dotted key
 * (`http.request.header.authorization`), and by their words (see `secretByWords`:
 * `X-Session-Token`, `db_password`, `stripeApiKey`). URL-valued attributes have matching query
 * and fragment parameters masked and their credentials (`user:password@`) replaced; values of
 * connection strings and of names ending in `url`, `uri`, `dsn` or `proxy` keep their host but lose their
 * credentials and everything from their first secret `name=value` pair on. The signed-URL and
 * connection-string names below (`X-Amz-Signature`, `sig`, a pair name ending in `key`) belong to
 * these defaults: a list without every default name (`redactDefaults: false`) leaves them out too.
 *
 * Besides the usual names: tokens by their kind (`jwt`, `bearer`), passwords by other names
 * (`passphrase`, `otp`, `pwd`: `MYSQL_PWD`; a logged `PWD` environment variable, a directory, is
 * redacted too), and keys whose names say they are secret: `signing_key`, `encryption_key`,
 * `master_key`, Azure's `account_key` (storage), `shared_access_key` (Service Bus, Event Hubs),
 * `subscription_key` (API Management's `Ocp-Apim-Subscription-Key`), `x-functions-key`, `auth_key`
 * (Cloudflare's `X-Auth-Key`) and `access_key`.
 * Personal data (national ids, card numbers) is the user's to list in `redactFields`.
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
  'jwt',
  'bearer',
  'passphrase',
  'otp',
  'pwd',
  'signing_key',
  'encryption_key',
  'master_key',
  'account_key',
  'shared_access_key',
  'subscription_key',
  'x-functions-key',
  // Keys that are the credential themselves: Cloudflare's `X-Auth-Key` (the account's global API
  // key) and the `access_key` API keys of query strings (`?access_key=…`); `access_key_id` and
  // `accessKeyId` name the key's id and are kept.
  'auth_key',
  'access_key',
]);

export const REDACTED = '[REDACTED]';

/**
 * Query keys of signed URLs (S3, GCS, Azure SAS) whose values OpenTelemetry's semantic
 * conventions ask to replace by `REDACTED` in `url.full` and `url.query` by default. Their words
 * are no secret on their own (`signature`, `credential`), so they are listed here and match only
 * as URL parameters, ASCII-case-insensitively (semconv compares exactly; matching more breaks no
 * spec).
 */
// `key` is how Google's APIs take an API key (Maps, Gemini, YouTube: `?key=AIza…`); as an
// attribute name it stays a lookup key, and a URL under a name of its own masks it already (CONN_SECRET).
// Other credentials of URLs, whose names as attributes are mostly no secret (a status `code`, an
// `auth` method): OAuth's authorization `code` and PKCE `code_verifier`, Firebase's `auth`, `pass`,
// and session ids (`PHPSESSID`, `sessionid`, `jsessionid`).
const SIGNED_URL_KEYS = new Set('awsaccesskeyid signature sig x-goog-signature x-amz-signature x-amz-credential x-amz-security-token key code code_verifier auth pass phpsessid sessionid jsessionid'.split(' '));
/** What a URL parameter's value becomes: the semantic conventions' `REDACTED` (stays a valid query). */
const URL_REDACTED = 'REDACTED';

// `url.fragment` too: the fragment apart from `url.full`, where OAuth's implicit flow puts its tokens
// (`access_token=…&token_type=bearer`); a fragment of no pairs (`section-2`) is kept as it is.
const URL_KEYS = new Set(['url.full', 'http.url', 'http.target', 'url.original', 'http.request.url', 'url.fragment']);

/**
 * Free text that quotes URLs: an error's message and stack (Deno's fetch writes `error sending
 * request for url (https://…?token=…)`, ky and ofetch their request's URL), which stood beside
 * the span's masked `url.full`.
 */
const TEXT_KEYS = new Set(['exception.message', 'exception.stacktrace']);

/**
 * A URL in text: a scheme (at most 32 characters, so a long run of scheme characters is not
 * re-read from each of them) or none (`//user:pw@host`, as `url.full` may be written too), `//`,
 * and all up to a space, a quote or `<>`; or a special scheme and one `/` or `\` (`https:/u:p@h`,
 * `https:\\u:p@h`: `new URL` reads both as `https://u:p@h`).
 */
const URL_IN_TEXT = /(?:(?:\b[a-z][a-z\d+.-]{0,31}:)?\/\/|\b(?:https?|wss?|ftp):[/\\])[^\s"'<>`]+/gi;
/** The rest of a URL in text from an `@` on: what URL_IN_TEXT takes after its start. */
const URL_REST = /[^\s"'<>`]*/y;
/** Quotes around a URL in text. */
const QUOTES = '"\'`';
/** What may close a sentence or a bracket around a URL in text (`(https://…):`): not masked with it. */
const URL_TRAILER = ').,;:!]}';

/** Captured headers whose value is a URL, which carries query secrets like `url.full` does (`Referer: …?token=`). */
// Any case: a header captured under its own spelling (`http.request.header.Referer`) holds the same URL.
const URL_HEADER = /\.header\.(?:referer|location|content-location)$/i;

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** A name's words, lowercased: split at non-alphanumerics and camelCase humps (`XAPIKey` → xapi, key). */
function words(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((w) => w.toLowerCase());
}

// A secret word names a secret wherever it stands unless the word right after it is one of these,
// which describe the secret instead of holding it: a count, a kind, a place, a time or a state
// leaks nothing, and turning a number or a boolean into a string would break dashboards and
// merge metric series. Any other word after it may be the secret in another form or role
// (`password_confirmation`, `password_new`, `authorization_header`, `token_jwt`, `token_sha256`,
// `credentials_json`, `client_secret_post`, `SECRET_KEY`), so an unknown word redacts. Only the
// word right after the secret decides (`password_last_changed` is kept, `password_new_hash` is
// not), and each secret word of a name is judged on its own (`password_reset_token`: its `token`
// counts). The families, in the order of the list:
// - counts, sizes and limits (`token_count`, `password_length`, `failed_password_attempts`);
// - kinds and identifiers, never the value (`token_type`, `secret.name`, `api_key_id`,
//   `aws.secretsmanager.secret.arn`, `secret.version`, `token_purpose`, `jwt_alg`, `credentials_provider`);
// - where it is kept or sent (`private_key_path`, `token_endpoint`; a name ending in `url` or
//   `uri`, such as `token_uri`, still has its value's credentials scrubbed). `file` too:
//   `credentials_file`, `private_key_file`, Docker's `PASSWORD_FILE` hold a path to the secret,
//   whose content would be `_json`, `_pem`, `_content`, which redact;
// - times and durations (`token_expires_at`, `time_to_first_token_ms`, `token_ttl`);
// - when it changed or what happened to it (`password_last_changed`, `token_issued_at`, `token_revoked`);
// - states and outcomes (`authorization_status`, `token_verified`, `password_required`, `otp_enabled`);
// - policy and checks (`aspnetcore.authorization.policy`, `password_check_result`,
//   `password_strength`, `cookie_consent`).
// Left out on purpose: `hint` (OpenID Connect's `id_token_hint` URL parameter is an ID token),
// `reset` (`password_reset_code` and `password_reset_link` hold what resets it), `key`, `prefix`,
// `claims`, `payload`, `header`, `response`, and numbers (`DB_PASSWORD_2`, `password_2fa`).
// One string, split: shorter in the bundle than a list of literals.
const DESCRIPTOR = new Set(
  'count counts length len size limit max min usage attempts type kind name id ids arn version purpose format algorithm alg scheme scope issuer audience provider source path file dir url uri endpoint expires expiry expiration exp at ts time timestamp date ms s seconds age ttl lifetime duration timeout last issued created updated changed rotated rotation refreshed expired revoked sent status state result error errors valid invalid verified required enabled disabled missing set present policy rule rules strength check consent budget estimate encoding mode'.split(' '),
);
// A name with one of these words before its secret word is a flag or a requirement about the
// secret, not the secret (`has_password`, `user.isTokenValid`, `requires_client_secret`, `withCredentials`).
const FLAG = new Set(['has', 'is', 'was', 'needs', 'requires', 'uses', 'with', 'without', 'should', 'can']);

// Pair names that hold a secret in a connection string even where they would not as an attribute
// (`key` alone is a lookup key): ODBC's `PWD`, Azure's `AccountKey`/`SharedAccessKey`/
// `SharedAccessSignature`, SAS `sig`, and a URL's `key=` (an API key). Masking a harmless one
// there costs only the rest of that value.
const CONN_SECRET = /(pwd|key|sig|signature)$/i;

/**
 * Names whose values keep their host but lose their credentials: a connection string or a URL under
 * a name of its own (`database_url`, `aws.sqs.queue.url`) says where the process talks to, which is
 * worth seeing; replacing it whole would hide that, leaving it whole would leak its password.
 */
// A number after it (`db_url2`, `REDIS_URL_1`) names a second one, no other kind of value. A proxy
// (`HTTPS_PROXY`, `proxy`) is a URL that carries credentials as often (`http://user:pass@proxy:3128`).
const CONN_NAME = /(url|uri|dsn|connectionstring|proxy)\d*$/;

/**
 * The semantic-convention namespaces of the span and log attributes the library writes, other
 * than captured headers (resource attributes are not redacted). A name added in `redactFields` is
 * the user's own (`code` for `?code=`, `name` and `address` for personal data): in these keys it
 * matches only the whole key (`client.address`), so `http.response.status_code`, `server.address`
 * and `db.system.name` keep their values and metric series. The default names match in them as
 * anywhere (`db.password`).
 */
const OWN = /^(?:http|url|server|client|network|db|error|exception|messaging|rpc|faas|cloud(?:flare)?|gen_ai|user_agent|aws)\.(?!.*header)/;

/** What `apply` does with a key's values. */
const enum Kind {
  Keep,
  Secret,
  Url,
  /** `url.query`: a query string without its `?`, all pairs (a later value may hold `?`). */
  Query,
  Conn,
  /** Free text (TEXT_KEYS): each URL in it masked as `redactUrl` masks one. */
  Text,
}

export interface Redactor {
  /** True when an attribute with this key must not leave the process (not a connection string's: `apply` scrubs those). */
  isSecret(key: string): boolean;
  /**
   * Masks the secret query and fragment parameters and the `user:password@` of a URL, or a query
   * string's secret parameters (a value whose first `=` comes before any `/`, `?`, `#` or `:`).
   */
  redactUrl(value: string): string;
  /**
   * Returns the value to keep for `key`: `[REDACTED]`, a masked URL, query string or connection
   * string (also each string of an array: `http.request.header.referer` is a `string[]`), an
   * `exception.message` or `exception.stacktrace` with the URLs it quotes masked, or the value itself.
   */
  apply<T>(key: string, value: T): T | string;
  /**
   * True when `apply` may change a value under `key` (a secret name, a URL or connection string). Spans
   * ask as each key is first set, so export walks only the spans that hold such a key.
   */
  mayRedact(key: string): boolean;
}

const CACHE_LIMIT = 4096;

/**
 * `builtins`: whether the signed-URL parameters (`X-Amz-Signature`, …) and the connection-string
 * pair names (`PWD`, `AccountKey`, `sig`, `key`) are masked too. They belong to the defaults: by
 * default, on when `fields` holds every name of DEFAULT_REDACT_FIELDS (the monitor passes them
 * unless `redactDefaults: false`). A URL's `user:password@` is replaced either way.
 */
export function createRedactor(fields: readonly string[], builtins?: boolean): Redactor {
  const names = new Set(fields.map(normalize));
  const on = builtins ?? DEFAULT_REDACT_FIELDS.every((f) => names.has(normalize(f)));
  // No pair name to mask: no name listed and no built-in one (`createRedactor([], true)` has some).
  const none = names.size === 0 && !on;
  const fieldWords = fields.map(words);
  const joined = new Set(fieldWords.map((w) => w.join('')));
  const longest = Math.max(0, ...fieldWords.map((w) => w.length));
  // What matches in OWN keys besides the whole key, by last segment or by words: the default names
  // listed (a default's normalized form is its words joined, so one set serves both).
  const base = new Set(DEFAULT_REDACT_FIELDS.map(normalize).filter((n) => names.has(n)));
  /**
   * Secret by words: a run of adjacent words, joined, is a redacted name (`token` in
   * `X-Session-Token`, api+key in `stripeApiKey`, x+api+key), with no word of FLAG before it and
   * no word of DESCRIPTOR right after it (`SECRET_KEY`: `key` is no descriptor). Whole words,
   * never substrings: `author` is not `authorization`, `passwordless` (a login method) and
   * `tokenizer` are not secrets, and the plural `tokens` is a count (`gen_ai.usage.input_tokens`,
   * `max_tokens`), while other plurals are lists of secrets (`passwords`, `api_keys`, `cookies`). `key` alone is a lookup key (`cache.key`, `messaging.kafka.message.key`): only
   * api+key, private+key and the other listed key compounds are secrets (`public_key` and
   * `idempotency_key` are not). `session.id` (OpenTelemetry) is an identifier to correlate by, not
   * a credential; session tokens and cookies are caught by their own words. Pagination cursors
   * (`next_page_token`, `NextToken`) end in `token` and are redacted: opaque, unique per request,
   * useless as a dimension, and some can be replayed. The price of whole words: a compound
   * written as one lowercase word (`x-authtoken`, `DBPASSWORD`) is not split, and needs its own
   * entry in `redactFields`.
   */
  const secretByWords = (key: string, joined: Set<string>): boolean => {
    const w = words(key);
    // A flag word ends the search: every run after it has a flag before it.
    for (let i = 0; i < w.length && !FLAG.has(w[i]); i++) {
      let run = '';
      for (let j = i; j < w.length && j < i + longest; j++) {
        run += w[j];
        // A plural holds the same secrets (`passwords`, `apiKeys`, `cookies`: a cookie jar, by
        // cookie name), but for `tokens`, a count (`max_tokens`).
        if ((joined.has(run) || (run !== 'tokens' && run.endsWith('s') && joined.has(run.slice(0, -1)))) && !DESCRIPTOR.has(w[j + 1])) return true;
      }
    }
    return false;
  };
  const secretName = (key: string): boolean => {
    const dot = key.lastIndexOf('.');
    const own = OWN.test(key);
    return names.has(normalize(key)) || (dot >= 0 && (own ? base : names).has(normalize(key.slice(dot + 1)))) || secretByWords(key, own ? base : joined);
  };
  // Keys repeat endlessly (the same handful of attribute names), so decisions are cached;
  // the cache is bounded so hostile keys cannot grow it.
  const cache = new Map<string, Kind>();
  const kind = (key: string): Kind => {
    let hit = cache.get(key);
    if (hit !== undefined) return hit;
    hit = secretName(key)
      ? Kind.Secret
      : key === 'url.query'
        ? Kind.Query
        : URL_KEYS.has(key) || URL_HEADER.test(key)
          ? Kind.Url
          : CONN_NAME.test(normalize(key))
            ? Kind.Conn
            : TEXT_KEYS.has(key)
              ? Kind.Text
              : Kind.Keep;
    if (cache.size < CACHE_LIMIT) cache.set(key, hit);
    return hit;
  };
  const isSecret = (key: string): boolean => kind(key) === Kind.Secret;
  // URL and connection-string parameter names come from values (a client picks them, any number),
  // so they get a small cache of their own, emptied when full, and never fill the one of keys.
  const params = new Map<string, boolean>();
  const secretParam = (name: string): boolean => {
    let hit = params.get(name);
    if (hit === undefined) {
      hit = secretName(name) || (on && SIGNED_URL_KEYS.has(name.toLowerCase()));
      if (params.size >= 256) params.clear();
      params.set(name, hit);
    }
    return hit;
  };
  /**
   * Masks the values of secret `k=v` pairs in an `&`-separated list. Walked with indexOf, not
   * split, and a name decoded only when it has `%` or `+`: every request's query comes here
   * twice (as recorded, and at export), and split and decode were most of a request's cost.
   * A `;` starts a pair too (HTML 4's other separator, which some servers and frameworks still
   * split at: `?a=1;password=…`), but a masked value runs to the next `&`, since a server that
   * does not split at `;` reads it as part of the value (`password=ab;cd`).
   */
  const maskPairs = (list: string): string => {
    if (none || !list.includes('=')) return list;
    let out = '';
    let copied = 0;
    // The next `=` (and `;`) from `start` on, found again only once passed, and the next `&`
    // found again only once passed too where a `;` may start a pair before it: linear in the list's length.
    let eq = -1;
    let semi = list.indexOf(';');
    for (let start = 0, end = -1; start <= list.length; ) {
      if (end < start) {
        end = list.indexOf('&', start);
        if (end < 0) end = list.length;
      }
      if (semi >= 0 && semi < start) semi = list.indexOf(';', start);
      let stop = semi >= 0 && semi < end ? semi : end;
      if (eq < start) eq = list.indexOf('=', start);
      if (eq < 0) break;
      if (eq < stop) {
        let name = list.slice(start, eq);
        if (name.includes('%') || name.includes('+')) {
          try {
            name = decodeURIComponent(name.replace(/\+/g, ' '));
          } catch {
            // keep the raw name
          }
        }
        if (secretParam(name)) {
          out += list.slice(copied, eq + 1) + URL_REDACTED;
          copied = stop = end;
        }
      }
      start = stop + 1;
    }
    return copied === 0 ? list : out + list.slice(copied);
  };
  const redactUrl = (value: string): string => {
    // Nothing to mask without credentials (`@`) or `k=v` pairs (`=`): the usual URL, per request.
    if (value.indexOf('=') < 0 && value.indexOf('@') < 0) return value;
    let url = redactUserinfo(value);
    const hash = url.indexOf('#');
    let fragment = '';
    if (hash >= 0) {
      // Tokens travel in fragments too (OAuth's implicit flow: `#access_token=…`), also after a
      // hash route's own `?` (`#/cb?token=…`): a `?` before the first `=` opens the route's
      // parameters; after it, the `?` is inside a value (`#access_token=…&next=/a?b=c`).
      const f = url.slice(hash + 1);
      const fq = f.indexOf('?');
      const fe = f.indexOf('=');
      fragment = '#' + (fq >= 0 && (fe < 0 || fq < fe) ? f.slice(0, fq + 1) + maskPairs(f.slice(fq + 1)) : maskPairs(f));
      url = url.slice(0, hash);
    }
    // The query starts at the first `?` before the fragment. A value without `?`, or whose first
    // `=` comes before any `/`, `?` or `:` (no URL's scheme, authority or path holds one there), is a
    // query string on its own, pairs only: its later values may hold `?` (`token=T&next=/a?b=1`).
    const q = url.indexOf('?');
    const eq = url.indexOf('=');
    if (q < 0 || (eq >= 0 && eq < q && !/[/:]/.test(url.slice(0, eq)))) url = maskPairs(url);
    else url = url.slice(0, q + 1) + maskPairs(url.slice(q + 1));
    url += fragment;
    return url === value ? value : url;
  };
  const redactText = (value: string): string => {
    if (!/\/\/|:[/\\]/.test(value)) return value;
    let out = '';
    let copied = 0;
    // The next `@`, line end and quote of each kind from a match's end on, each found again only
    // once passed: linear in the text's length.
    const found: Record<string, number> = {};
    const next = (c: string, from: number): number => {
      const p = found[c] ?? -2;
      return p !== -1 && p < from ? (found[c] = value.indexOf(c, from)) : p;
    };
    URL_IN_TEXT.lastIndex = 0;
    for (let m; (m = URL_IN_TEXT.exec(value)); ) {
      const start = m.index;
      let stop = URL_IN_TEXT.lastIndex;
      const nl = next('\n', stop);
      // A URL in quotes (`[GET] "https://…": 404`) runs to its closing quote on the line: a space
      // inside it (`"https://u:1234 5@h/"`, `"https://h/a b?token=…"`) cuts nothing. (Before the
      // text's start, `value[-1]` is undefined: no quote.)
      const q = value[start - 1];
      let closed = false;
      if (QUOTES.includes(q) && value[stop] !== q) {
        const e = next(q, stop);
        closed = e >= 0 && (nl < 0 || e < nl);
        if (closed) stop = URL_IN_TEXT.lastIndex = e;
      }
      if (!closed) {
        // Credentials cut short by a space or a quote (`https://bob:p w@h/`, `"https://bob:a"b@h/"`):
        // the match ends inside an authority that is no host[:port]. What follows, to the next `@`
        // on the line, is the rest of the password; a host cut by a space (`https://example.com and
        // a@b.c`) is a whole URL. An all-digit password cut there reads as a port and is not found.
        const at = next('@', stop);
        if (at >= 0 && (nl < 0 || at < nl) && cutShort(m[0])) {
          URL_REST.lastIndex = at;
          URL_REST.exec(value);
          stop = URL_IN_TEXT.lastIndex = URL_REST.lastIndex;
        }
      }
      let end = stop;
      while (end > start && URL_TRAILER.includes(value[end - 1])) end--;
      const url = value.slice(start, end);
      const masked = redactUrl(url);
      if (masked !== url) {
        out += value.slice(copied, start) + masked;
        copied = end;
      }
    }
    return copied === 0 ? value : out + value.slice(copied);
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
    if (none) return v;
    // A name starts the value or follows a separator: tried from every character instead, a long
    // run of name characters not followed by `=` would be re-scanned from each (quadratic).
    const re = /(?:^|[\s;&?#/:@])([^\s;&?#/:@=]+)\s*=/g;
    for (let m; (m = re.exec(v)); ) {
      // A URL form's parameter name may be percent-encoded (`pass%77ord=`), as libpq and URL parsers read it.
      let name = m[1];
      if (name.includes('%')) {
        try {
          name = decodeURIComponent(name);
        } catch {
          // keep the raw name
        }
      }
      if (secretParam(name) || (on && CONN_SECRET.test(name))) return v.slice(0, re.lastIndex) + REDACTED;
    }
    return v;
  };
  // The last key asked per slot (from the key's length and two of its characters) and its kind:
  // the same few keys are set on every span and walked again at export, so one string comparison
  // usually answers without a Map lookup. The slot formula keeps the keys of an HTTP server or
  // client span, a database span, and common others apart (server.address and client.address,
  // url.scheme and user_agent.original shared one slot, and missed in turn on every span).
  const lastKey: string[] = new Array<string>(64).fill('');
  const lastKind: Kind[] = new Array<Kind>(64).fill(Kind.Keep);
  const cachedKind = (key: string): Kind => {
    const i = (5 * key.length + 13 * key.charCodeAt(key.length >> 1) + key.charCodeAt(1)) & 63;
    if (lastKey[i] === key) return lastKind[i];
    const k = kind(key);
    lastKey[i] = key;
    lastKind[i] = k;
    return k;
  };
  /**
   * A header list, whose names are indexes: under any key, an entry `[name, value]` with a secret
   * name (`[['Authorization', 'Bearer …']]`, as `new Headers(init)` takes them and `Object.entries`
   * gives them); under a key ending in `headers` (Node's `rawHeaders`), an even list of names and
   * values in turn (`['Authorization', 'Bearer …', 'Host', 'h']`) whose secret name is written as a
   * header name is (no spaces, quotes or brackets). A list of words under another key
   * (`tags: ['password', 'reset']`) is no header list. Names come from clients here: they are
   * judged without the caches (secretName), which they could fill.
   */
  const headerList = (key: string, a: unknown[]): unknown[] => {
    let out: unknown[] | undefined;
    const flat = !(a.length & 1) && /headers$/i.test(key);
    for (let i = 0; i < a.length; i++) {
      const e = a[i];
      if (Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && secretName(e[0])) (out ??= a.slice())[i] = [e[0], hide(e[1])];
      else if (flat && !(i & 1) && typeof e === 'string' && /^[\w-]+$/.test(e) && secretName(e)) (out ??= a.slice())[i + 1] = hide(a[++i]);
    }
    return out ?? a;
  };
  return {
    isSecret,
    redactUrl,
    mayRedact: (key) => cachedKind(key) !== Kind.Keep,
    apply<T>(key: string, value: T): T | string {
      const k = cachedKind(key);
      if (k === Kind.Secret) return hide(value) as T | string;
      if (k === Kind.Keep) return Array.isArray(value) ? (headerList(key, value) as T) : value;
      const one = k === Kind.Url ? redactUrl : k === Kind.Query ? maskPairs : k === Kind.Text ? redactText : scrub;
      if (typeof value === 'string') return one(value);
      if (!Array.isArray(value)) return value;
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const e: unknown = value[i];
        if (typeof e !== 'string') continue;
        const s = one(e);
        if (s !== e) (out ??= value.slice())[i] = s;
      }
      return (out ?? value) as T;
    },
  };
}

/** A secret value: an array stays an array (captured headers are string[] by the HTTP conventions). */
function hide(value: unknown): string | string[] {
  return Array.isArray(value) ? [REDACTED] : REDACTED;
}

/**
 * A URL's authority that holds no credentials: `host[:port]`, an `[IPv6]` one, or a list of
 * them (`h1:27017,h2:27017`, as MongoDB and libpq write several hosts). Empty (`file:///`) too.
 */
const HOSTS = /^(?:(?:\[[^\]]*\]|[^\s:@,[\]]+)(?::\d*)?(?:,|$))*$/;

/**
 * A URL's scheme and slashes (group 1) and authority (group 2). A special scheme is read as WHATWG
 * URL parsing (`new URL`, fetch) reads it: any run of `/` and `\` after it (`https:/h`, `https:\\h`
 * and `https:h` are all `https://h`). Any other needs `//`, at the start or right after a scheme's
 * `:`. The authority ends at `/`, `?`, `#` or `\` (a backslash in another scheme's authority only
 * makes what reads as its host no host, which masks more, never less).
 */
const AUTHORITY = /^([\0- ]*(?:https?|wss?|ftp):[/\\]*|(?:[^/?#]*:)?\/\/)([^/?#\\]*)/i;

/**
 * `scheme://user:password@host/…` with the credentials replaced by `REDACTED:REDACTED`: a URL
 * attribute must not carry them (OpenTelemetry HTTP semantic conventions, `url.full`).
 */
function redactUserinfo(value: string): string {
  // Most URLs have no `@`: they skip the regular expressions.
  const last = value.lastIndexOf('@');
  if (last < 0) return value;
  // The authority (group 2) follows the scheme and its slashes (group 1). As WHATWG URL parsing,
  // libpq, Python and Node's url.parse read it, its userinfo ends at its last `@`, and a later
  // `@` is in the path, query or fragment (`https://u:p@registry/@babel/core`,
  // `https://h/users/@me?email=a@b.c`), kept with the host. A password may hold `#`, `?` or `/`
  // unencoded (`redis://:s3cr#t@cache`), which no parser reads so, but which cuts the authority
  // short: when what reads as the host is no host[:port] (`:s3cr`, `u:pa`, `ss:w0rd`), the
  // credentials run to the value's last `@`. A password of `@` and then `/`, `?` or `#`
  // (`p@ss/w0rd`) is read as these parsers read it, and keeps what they call the host and path
  // (`ss/w0rd`); a password of digits and then `/`, `?` or `#` (`u:2024/x@h`) reads as a port:
  // no rule tells either from an ordinary URL (`http://localhost:5173/@vite/client`).
  const m = AUTHORITY.exec(value);
  if (m === null) return value;
  const [, head, auth] = m;
  const at = auth.lastIndexOf('@');
  if (last < head.length || (at < 0 && HOSTS.test(auth))) return value;
  // With one `@` (the usual), both readings end the userinfo there: no host to check.
  const from = at >= 0 && (head.length + at === last || HOSTS.test(auth.slice(at + 1))) ? head.length + at : last;
  return `${head}REDACTED:REDACTED${value.slice(from)}`;
}

/**
 * Whether a URL found in text ends inside an authority that is no host[:port] and holds no `@`
 * (`https://bob:p`): the text cut its credentials short at a space or a quote.
 */
function cutShort(url: string): boolean {
  const m = AUTHORITY.exec(url);
  return m !== null && m[0].length === url.length && !m[2].includes('@') && !HOSTS.test(m[2]);
}

/**
 * The value to keep under `key` in a log record or a nested map: `apply` (secret, URL and
 * connection-string values, also in arrays), then the keys of any map inside.
 */
export function redactEntry(key: string, value: unknown, redactor: Redactor, depth: number): unknown {
  let v = redactor.apply(key, value);
  if (typeof v === 'string') return v;
  // A list inside a list is under the same name (`{ database_url: [[url]] }`): `apply` masks the
  // strings of one list only, and an index names nothing, so the inner ones were kept as given.
  if (Array.isArray(v) && depth <= 8 && redactor.mayRedact(key)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      if (!Array.isArray(e)) continue;
      const r = redactEntry(key, e, redactor, depth + 1);
      if (r !== e) (out ??= v.slice())[i] = r;
    }
    if (out !== undefined) v = out;
  }
  return redactDeep(v, redactor, depth);
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
    const r = redactEntry(key, v, redactor, depth + 1);
    if (r !== v) {
      out ??= { ...src };
      defineSafe(out, key, r);
    }
  }
  return out ?? value;
}
