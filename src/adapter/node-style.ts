/**
 * @module
 * Node-style handlers `(req, res)`: Vercel's Node.js runtime, Express apps, plain
 * `http.createServer` listeners. Everything is read by shape (duck typing), so the core keeps no
 * Node import; the serverless and Node adapters build on it.
 */
import { contextStorage } from '../context/active.js';
import { endsWithItsClient, type RequestTelemetry } from '../http/handle-request.js';
import { normalizeMethod, serverSpanName } from '../http/request-attributes.js';

/** The parts of `IncomingMessage` read here. */
export interface NodeRequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly socket?: { readonly encrypted?: boolean; readonly remoteAddress?: string; readonly localAddress?: string; readonly localPort?: number } | null;
  /** Set by Express once a route matched: `route.path` below `baseUrl`. */
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: string;
  /** The whole request body was received (false: the client left mid-upload). */
  readonly complete?: boolean;
  /** The target as received, before a router took its mount path off `url` (Express). */
  readonly originalUrl?: string;
  /** The Express app the request is in: its router's layers and, mounted, its `path()`. */
  readonly app?: ExpressApp;
}

/**
 * An Express app or router layer, as read here. Express 5: `rawPath` is the pattern a router was
 * mounted on; Express 4 keeps only its RegExp (`fast_slash` for `/`) and parameter `keys`.
 */
interface Layer {
  readonly route?: object;
  readonly rawPath?: unknown;
  readonly regexp?: RegExp & { readonly fast_slash?: boolean };
  readonly keys?: ReadonlyArray<{ readonly name?: unknown }>;
  readonly handle?: { readonly stack?: unknown };
}
interface ExpressApp {
  readonly router?: { readonly stack?: unknown };
  /** Express 4's router (reading `router` there throws). */
  readonly _router?: { readonly stack?: unknown };
  path?(): string;
}

/** The parts of `ServerResponse` read here. */
export interface NodeResponseLike {
  statusCode: number;
  readonly writableFinished?: boolean;
  /** `end()` was called (the response is on its way, `finish` follows). */
  readonly writableEnded?: boolean;
  readonly destroyed?: boolean;
  readonly headersSent?: boolean;
  setHeader(name: string, value: unknown): unknown;
  end(...args: unknown[]): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
  removeListener?(event: 'finish' | 'close', listener: () => void): unknown;
  getHeaders?(): Record<string, unknown>;
}

export function isNodeStyleCall(args: readonly unknown[]): boolean {
  const [req, res] = args as [Partial<NodeRequestLike> | undefined, Partial<NodeResponseLike> | undefined];
  return (
    typeof req === 'object' && req !== null && typeof req.method === 'string' && typeof req.headers === 'object' && req.headers !== null &&
    typeof res === 'object' && res !== null && typeof res.end === 'function' && typeof res.setHeader === 'function' && typeof res.once === 'function'
  );
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** One `key=value` of a `Forwarded` element (RFC 7239), with its separator: a quoted value may hold `,` or `;`. */
const PAIR = /\s*([^\s=;,"]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;,"]*)\s*([;,]?)/y;

/**
 * The `key` parameter of the first (client-side) element of a `Forwarded` header. Parsing stops
 * at the first element's end or at anything malformed, which is ignored: the next source is used.
 */
function forwarded(value: string | undefined, key: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  PAIR.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = PAIR.exec(value)) !== null; ) {
    // A value followed by neither a separator nor the end (`host=a b`, `host="a"b`) is malformed.
    if (m[3] === '' && PAIR.lastIndex < value.length) break;
    if (m[1]!.toLowerCase() === key) return (m[2]!.charCodeAt(0) === 34 ? m[2]!.slice(1, -1).replace(/\\(.)/g, '$1') : m[2]) || undefined;
    if (m[3] !== ';') break;
  }
  return undefined;
}

const HOST = /^[\w.~%!$&'()*+,;=:[\]-]+$/;
/** Only http or https: any other value a client sends would become a `url.scheme` metric label. */
function scheme(v: string | undefined): string | undefined {
  const s = v?.trim().toLowerCase();
  return s === 'http' || s === 'https' ? s : undefined;
}
/** A host and port only: a `/`, `?` or `@` in a header would change the path or the user info. */
function hostOnly(v: string | undefined): string | undefined {
  const s = v?.trim();
  return s && HOST.test(s) ? s : undefined;
}

/**
 * The server's own address, for a request without a Host header (an HTTP/1.0 health check), as
 * the Node adapter's `toWebRequest` gives it: a made-up `localhost` became `server.address`.
 */
function localHost(s: NodeRequestLike['socket']): string | undefined {
  const a = s?.localAddress;
  return a ? `${a.includes(':') ? `[${a}]` : a}${s.localPort ? `:${s.localPort}` : ''}` : undefined;
}

/**
 * The request's URL, or undefined when no parser accepts it. A host the HOST pattern lets through
 * but a URL does not (`x:99999`, `a:b:c`: Node accepts any Host) is the server's own address, as
 * a malformed one is: the URL made without it was `http://localhost/`, losing the path and query.
 */
function urlOf(proto: string, host: string, target: string, socket: NodeRequestLike['socket']): string | undefined {
  const path = target.charCodeAt(0) === 47;
  try {
    return new URL(path ? `${proto}://${host}${target}` : target, `${proto}://${host}`).href;
  } catch {
    const local = localHost(socket) ?? 'localhost';
    if (local === host) return undefined;
    try {
      return new URL(path ? `${proto}://${local}${target}` : target, `${proto}://${local}`).href;
    } catch {
      return undefined;
    }
  }
}

/**
 * What the request path reads of a request (`url`, `method`, `headers.get`), over Node's own
 * header object, for a request that only the telemetry reads (an Express listener gets Node's
 * `req`): a Web `Request` cost about 20 µs a request on Node 20 (undici checks every header, and
 * every Request makes an AbortSignal), more than the rest of the request path.
 */
class NodeRequestView {
  readonly headers: NodeHeaders;
  constructor(
    readonly url: string,
    readonly method: string,
    headers: NodeRequestLike['headers'],
  ) {
    this.headers = new NodeHeaders(headers);
  }
}

/**
 * Node's lower-cased header object read as `Headers` reads: repeated values joined by `, `. Not
 * only Node writes it (a middleware ahead of a mounted listener, serverless-http's req): a name
 * set in another case is still found, a number read as a string.
 */
class NodeHeaders {
  constructor(private readonly h: NodeRequestLike['headers']) {}
  get(name: string): string | null {
    const n = name.toLowerCase();
    let v: unknown = this.h[n];
    if (v === undefined) for (const k in this.h) if (k.length === n.length && k.toLowerCase() === n) v = this.h[k];
    return typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : typeof v === 'number' ? String(v) : null;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
  getSetCookie(): string[] {
    const v = this.h['set-cookie'];
    return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
  }
  /** In name order, each `set-cookie` line apart, as `Headers` iterates. */
  forEach(fn: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.h).sort()) {
      if (name.charCodeAt(0) === 58) continue;
      if (name === 'set-cookie') for (const v of this.getSetCookie()) fn(v, name);
      else {
        const v = this.get(name);
        if (v !== null) fn(v, name);
      }
    }
  }
}

/**
 * A Web `Request` with the Node request's method, URL and headers (no body: only read for
 * telemetry; with `telemetryOnly`, for a request no one else reads, a `NodeRequestView` of them).
 * The scheme and host are the socket's and `Host`'s, as `toNodeListener` gives them. With
 * `trustForwarded` (a platform whose proxy sets and overwrites them: Vercel) the URL is the
 * client's: scheme and host from `Forwarded`, then `X-Forwarded-Proto`/`-Host`, then the socket
 * and `Host` (HTTP semconv url.scheme, server.address); a value that is malformed or not allowed
 * is skipped for the next source. Not by default: on a bare Node server any client sets them, and
 * its span would claim https or another host.
 */
export function requestFromNode(req: NodeRequestLike, telemetryOnly = false, trustForwarded = false): Request {
  const h = req.headers;
  const fwd = trustForwarded ? first(h.forwarded) : undefined;
  const proto = (trustForwarded ? (scheme(forwarded(fwd, 'proto')) ?? scheme(first(h['x-forwarded-proto'])?.split(',')[0])) : undefined) ?? (req.socket?.encrypted ? 'https' : 'http');
  const host =
    (trustForwarded ? (hostOnly(forwarded(fwd, 'host')) ?? hostOnly(first(h['x-forwarded-host'])?.split(',')[0])) : undefined) ??
    hostOnly(first(h.host)) ??
    hostOnly(first(h[':authority'])) ??
    localHost(req.socket) ??
    'localhost';
  const target = req.url ?? '/';
  // Node lower-cased the names (an IncomingMessage: it has rawHeaders), so they are read in place.
  if (telemetryOnly && (req as { rawHeaders?: unknown }).rawHeaders !== undefined) {
    const url = urlOf(proto, host, target, req.socket);
    if (url !== undefined) return new NodeRequestView(url, String(req.method ?? 'GET'), h) as unknown as Request;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(h)) {
    if (value === undefined || name.startsWith(':')) continue;
    try {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    } catch {
      // a header the Fetch API refuses is only missing from the attributes
    }
  }
  // An origin-form target is a path even when it starts with `//` (not a host, as relative
  // URL resolution would take it); anything else (absolute-form, `*`) is resolved.
  if (target.charCodeAt(0) === 47) {
    try {
      // The usual request: the Request parses its URL itself (a URL made first parsed it twice).
      return new Request(`${proto}://${host}${target}`, { method: req.method, headers });
    } catch {
      // a URL or a method the Fetch API refuses: the way below
    }
  }
  const url = urlOf(proto, host, target, req.socket) ?? `${proto}://localhost/`;
  try {
    return new Request(url, { method: req.method, headers });
  } catch {
    // A method the Fetch API forbids (TRACE, CONNECT, TRACK) or no method token at all: a
    // stand-in GET carrying the real method, so the request is still traced and counted by it.
    const request = new Request(url, { headers });
    Object.defineProperty(request, 'method', { value: String(req.method) });
    return request;
  }
}

/**
 * What the telemetry records for a Node-style request it cannot read (a getter that throws): its
 * method when that can be read, and `http://localhost/`, the URL requestFromNode gives a target no
 * parser accepts.
 */
export function standInRequest(req: NodeRequestLike): Request {
  let method = 'GET';
  try {
    if (typeof req.method === 'string') method = req.method;
  } catch {
    // GET
  }
  const request = new Request('http://localhost/');
  // Any method, as requestFromNode records one the Fetch API refuses (TRACE, CONNECT).
  if (method !== 'GET') Object.defineProperty(request, 'method', { value: method });
  return request;
}

/** responseDone: the connection closed before any of the response was written. */
const CLOSED_UNANSWERED = 1;
/** responseDone: it closed after the head, before the end (a client that left mid-body). */
const CLOSED_MID_BODY = 2;
/** responseDone: it closed, then the end was written on it (nothing of it after the close left). */
const CLOSED_THEN_ENDED = 3;

/**
 * Resolves once the response has been sent (`finish`: undefined) or the connection closed first,
 * with what had been written when it closed. Read then, not later: an app that answers a client
 * that left (a body parser's 400 on an abandoned upload) writes on a closed connection, and Node
 * then reports that answer as sent (headersSent, writableFinished) though no byte of it left.
 */
export function responseDone(res: NodeResponseLike): Promise<number | undefined> {
  if (res.writableFinished || res.destroyed) return Promise.resolve(res.destroyed && !res.writableFinished ? closedAt(res) : undefined);
  return new Promise((resolve) => {
    // Each removes itself once emitted; a 'close' after 'finish' resolves nothing more.
    res.once('finish', resolve as () => void);
    res.once('close', () => resolve(closedAt(res)));
  });
}

/**
 * What was written when the connection closed. 'finish' had not come: an end already written was
 * written on the closed connection (a synchronous 'aborted' listener, as raw-body's, runs before
 * the response's 'close').
 */
function closedAt(res: NodeResponseLike): number {
  return !res.headersSent ? CLOSED_UNANSWERED : res.writableFinished ? CLOSED_THEN_ENDED : CLOSED_MID_BODY;
}

/** The connection closed before any of the response was sent (the client left, or a timeout). */
export function unanswered(res: NodeResponseLike): boolean {
  return res.destroyed === true && !res.headersSent && !res.writableFinished;
}

/**
 * What the shared HTTP instrumentation is told the response was: the status and headers the
 * function sent. The function's own return value goes back to the platform unchanged.
 */
export function sentResponse(res: NodeResponseLike): Response {
  return new SentResponse(res) as unknown as Response;
}

/**
 * Its headers are built when first read: only captured response headers read them, and a
 * Headers of every sent header was made for nothing on each request (about 0.5 µs).
 */
class SentResponse {
  readonly status: number;
  readonly statusText = '';
  readonly body = null;
  #headers: Headers | undefined;
  readonly #res: NodeResponseLike;
  constructor(res: NodeResponseLike) {
    this.#res = res;
    this.status = res.statusCode;
  }
  get headers(): Headers {
    return (this.#headers ??= sentHeaders(this.#res));
  }
}

function sentHeaders(res: NodeResponseLike): Headers {
  const headers = new Headers();
  try {
    for (const [name, value] of Object.entries(res.getHeaders?.() ?? {})) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, String(v));
      else if (value !== undefined) headers.set(name, String(value));
    }
  } catch {
    // headers are best effort
  }
  return headers;
}

/**
 * The Content-Type a response sent: `writeHead(status, headers)` writes its headers without
 * keeping them for `getHeaders()`, so the head as sent (`_header`, which Node has always kept) is
 * read when they do not have it.
 */
function sentContentType(res: NodeResponseLike): unknown {
  try {
    const type = res.getHeaders?.()['content-type'];
    if (type !== undefined) return type;
    const head = (res as { _header?: unknown })._header;
    return typeof head === 'string' ? /\r\ncontent-type:[ \t]*([^\r]*)/i.exec(head)?.[1] : undefined;
  } catch {
    return undefined;
  }
}

/** A route's or mount's path as written: a string, a RegExp (`/^\/re\/(\d+)$/`) or an array of them (`/a,/b`). */
function template(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  if (Array.isArray(path)) return path.map((p) => template(p) ?? '').join(',');
  return undefined;
}

const NOT_FOUND = 0;
const AMBIGUOUS = 1;
/**
 * The routers above `route` in `stack`, outermost first; NOT_FOUND, or AMBIGUOUS when the route
 * is below two mounts.
 */
function mountsOf(stack: unknown, route: object, depth = 0): Layer[] | typeof NOT_FOUND | typeof AMBIGUOUS {
  let found: Layer[] | typeof NOT_FOUND | typeof AMBIGUOUS = NOT_FOUND;
  if (!Array.isArray(stack) || depth > 32) return found;
  for (const layer of stack as Layer[]) {
    const here = layer?.route === route ? [] : layer?.handle ? mountsOf(layer.handle.stack, route, depth + 1) : NOT_FOUND;
    if (here === NOT_FOUND) continue;
    if (found !== NOT_FOUND) return AMBIGUOUS;
    found = here === AMBIGUOUS || layer.route === route ? here : [layer, ...here];
  }
  return found;
}

/**
 * The mounts' patterns joined (`/api/v1`); Express 4's layers themselves when one's pattern cannot
 * be read back, matched per request (see matched); AMBIGUOUS for a layer that says neither.
 */
function joined(mounts: Layer[]): string | Layer[] | typeof AMBIGUOUS {
  let out = '';
  for (const layer of mounts) {
    const t = template(layer.rawPath) ?? patternOf(layer);
    if (t === undefined) return layer.regexp instanceof RegExp ? mounts : AMBIGUOUS;
    out += t;
  }
  return out;
}

/**
 * A `/:name` in a RegExp's source as path-to-regexp 0.1 writes it: `\/(?:([^\/]+?))` (0.1.7, Express
 * up to 4.19) or `(?:\/([^/]+?))` (0.1.10 on, Express 4.20 on: `[^/]` as engines print a class made
 * from a string); `(?:\/([^\/]+?))?` when optional.
 */
const PARAM = /(\\\/\(\?:\(\[\^\\?\/\]\+\?\)\)|\(\?:\\\/\(\[\^\\?\/\]\+\?\)\)\??)/;
/** What a mount's source holds between `^` and its end, `\/?(?=\/|$)`: the path escaped by 0.1. */
const MOUNT = /^\^(.*?)(?:\\\/\?)?\(\?=\\\/\|\$\)$/;

/**
 * An Express 4 mount's pattern as written (`/api/:version`), read back from the RegExp
 * path-to-regexp 0.1 made of it: literal segments and `:name`, `:name?` parameters. Undefined for
 * any other shape (a RegExp, `*`, a custom capture): that mount is then matched per request.
 */
function patternOf(layer: Layer): string | undefined {
  const re = layer.regexp;
  if (!re) return undefined;
  if (re.fast_slash) return '';
  const body = MOUNT.exec(re.source)?.[1];
  if (body === undefined) return undefined;
  const parts = body.split(PARAM);
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 0) {
      // A literal: only what 0.1 escapes (`/`, `.`) or leaves as it is, nothing of a RegExp.
      if (!/^(?:\\[/.]|[^\\()[\]{}*+?|^$.])*$/.test(part)) return undefined;
      out += part.replace(/\\(.)/g, '$1');
    } else {
      const name = layer.keys?.[(i - 1) / 2]?.name;
      if (typeof name !== 'string') return undefined;
      out += part.endsWith('?') ? `/:${name}?` : `/:${name}`;
    }
  }
  return out;
}

/** Express 4's mount RegExps with match indices (the `d` flag), made once each. */
const indexed = new WeakMap<RegExp, RegExp>();

/**
 * Express 4 keeps no mount pattern, only its RegExp: the part of the path each mount matched, as
 * Express builds `baseUrl` (which it resets once an error leaves the router), with each
 * parameter's value put back as its name (`/api/:version`, not `/api/v1`), lower-cased when the
 * mount ignores case (`/N/12` gives `/n/:num`).
 */
function matched(mounts: readonly Layer[], url: string | undefined): string | undefined {
  let path = url?.split('?', 1)[0];
  let out = '';
  for (const layer of mounts) {
    const re = layer.regexp;
    if (!re || path?.charCodeAt(0) !== 47) return undefined;
    if (re.fast_slash) continue;
    let d = indexed.get(re);
    if (!d) indexed.set(re, (d = new RegExp(re.source, re.flags.replace(/[dgy]/g, '') + 'd')));
    const m = d.exec(path);
    if (!m) return undefined;
    let text = m[0];
    // Matched without case (Express 4's default): the request's case is not the route's, and
    // would make a new http.route (a metric label) per spelling. Lower-cased where the indices hold.
    const low = text.toLowerCase();
    if (re.ignoreCase && low.length === text.length) text = low;
    for (let i = m.length - 1; i > 0; i--) {
      const at = m.indices?.[i];
      const name = layer.keys?.[i - 1]?.name;
      if (at) text = text.slice(0, at[0]) + (typeof name === 'string' ? `:${name}` : '*') + text.slice(at[1]);
    }
    path = path.slice(m[0].length);
    if (path.charCodeAt(0) !== 47) path = `/${path}`;
    out += text.endsWith('/') ? text.slice(0, -1) : text;
  }
  return out;
}

/**
 * The template above a matched route (`/admin/api/v1`, or Express 4's mounts to match) by app,
 * then route: an app's routers do not move, but one router may be mounted in two apps (a public
 * and an admin server), at other paths.
 */
const mounts = new WeakMap<object, WeakMap<object, string | Layer[] | number>>();

/**
 * `/users/:id` when Express matched a route for this request: the patterns the app and the
 * routers above it were mounted on, not `baseUrl`, which is the path as sent (`/API/42` for
 * `app.use('/api/:v')`) and is already reset once an error left those routers.
 */
function expressRoute(req: NodeRequestLike): string | undefined {
  const route = req.route;
  const path = template(route?.path);
  if (path === undefined) return undefined;
  const app = req.app;
  let known = app && mounts.get(app);
  let base = known?.get(route!);
  if (base === undefined) {
    // Found only from the app the route is in (sub-apps are not searched): its path() is the prefix.
    const stack = (app?._router ?? app?.router)?.stack;
    const found = mountsOf(stack, route!);
    // Not in its app: the route of a sub-app an error has left, which its parent cannot reach.
    if (found === NOT_FOUND && stack) return undefined;
    base = typeof found === 'object' ? joined(found) : found;
    if (typeof base === 'string' && typeof app?.path === 'function') base = app.path() + base;
    if (found !== NOT_FOUND) {
      if (!known) mounts.set(app!, (known = new WeakMap()));
      known.set(route!, base);
    }
  }
  // Express 4 layers are matched from the app's root: a mounted sub-app's path is its own.
  const prefix = typeof base === 'string' ? base : (typeof base === 'object' && !app?.path?.() ? matched(base, req.originalUrl ?? req.url) : undefined) ?? req.baseUrl ?? '';
  // A mounted router's '/' route answers its mount path: `/api`, not `/api/`.
  return (prefix && path === '/' ? prefix : prefix + path).replace(/\/{2,}/g, '/') || undefined;
}

/**
 * Runs a Node-style handler inside its request's telemetry and resolves, once the response has
 * been sent, with what was sent (status and headers) for the server span and the metrics. An
 * Express route matched on the way names the span (`GET /users/:id`) and becomes `http.route`.
 *
 * The span ends when the response is sent, as for any other server: work an async listener does
 * after `res.end()` is not the request's duration. A listener that rejects before sending fails
 * the request (this rejects). `returned` is the listener's result (a promise of it when async),
 * for the platform: reading it makes the caller answer for a rejection that comes after the
 * response; unread (a Node server ignores what a listener returns), that rejection stays
 * unhandled, as it would be without the library.
 */
export async function runNodeStyle(
  call: () => unknown,
  req: NodeRequestLike,
  res: NodeResponseLike,
  telemetry: RequestTelemetry,
): Promise<{ response: Response; readonly returned: unknown }> {
  // Whether the response had begun when the client left mid-upload: a body parser answers that
  // (Express's 400) from its own 'aborted' listener, after this one, and on Node 24 the connection
  // then closes with that answer begun but not ended, as a body cut mid-way would.
  let begunWhenLeft: boolean | undefined;
  (req as { once?(event: 'aborted', f: () => void): unknown }).once?.('aborted', () => void (begunWhenLeft = res.headersSent === true));
  // The handler's listeners on `req` and `res` ('end', 'close', 'finish') run in its request's context.
  emitsInRequest(req);
  emitsInRequest(res);
  let returned = call();
  let claimed = false;
  let closed: number | undefined;
  if (returned !== null && typeof returned === 'object' && typeof (returned as PromiseLike<unknown>).then === 'function') {
    const result = Promise.resolve(returned as PromiseLike<unknown>);
    returned = result;
    const done = responseDone(res);
    let sent = false;
    await new Promise<void>((resolve, reject) => {
      void done.then((how) => {
        sent = true;
        closed = how;
        resolve();
      });
      result.then(undefined, (err: unknown) => {
        // Before the response: the request failed; it rejects here and the adapter hands it on.
        if (!sent && !res.writableEnded) return reject(err);
        // After `res.end()`: the caller answers for it once it read `returned` (right after this
        // resolves); unread, it is raised again as an unhandled rejection.
        void done.then(() => setTimeout(() => claimed || void Promise.reject(err), 0));
      });
    });
  } else {
    closed = await responseDone(res);
  }
  // An end written after the client left mid-upload is a body parser's answer (Express's 400,
  // Fastify's) that never left: unanswered. A complete request's (an event stream ended on its
  // 'aborted') followed a head that had left: a body cut short.
  if (closed === CLOSED_UNANSWERED || ((closed === CLOSED_THEN_ENDED || begunWhenLeft === false) && closed !== undefined && req.complete === false)) telemetry.scope.unanswered = true;
  else if (closed !== undefined) {
    // Closed after the status, before the whole body was sent (a client that left mid-body; the
    // normal end of an event stream, see endsWithItsClient).
    if (!endsWithItsClient(sentContentType(res))) telemetry.scope.bodyCut = true;
    telemetry.span.setAttribute('http.response.body.incomplete', true);
  }
  try {
    const route = expressRoute(req);
    if (route && telemetry.span.isRecording()) {
      telemetry.span.setAttribute('http.route', route);
      telemetry.span.updateName(serverSpanName(normalizeMethod(req.method ?? 'GET'), route));
    }
  } catch {
    // naming is best effort
  }
  const response = sentResponse(res);
  return {
    response,
    get returned() {
      claimed = true;
      return returned;
    },
  };
}

/**
 * Makes `ee`'s events run in the request's context (the current one: the handler's). Node emits
 * a request's 'end' and 'close' and a response's 'finish' from the socket's parser, outside the
 * request, so spans and logs made in the app's listeners for them lost their request (a span
 * started on 'end' became a new root). `@opentelemetry/instrumentation-http` binds both emitters
 * (a wrapper per listener added); one wrapper around `emit` does the same for every listener:
 * about 20 ns a request to install on both, and about 20 ns more per event emitted (Node 20).
 */
export function emitsInRequest(ee: object | null | undefined): void {
  const storage = contextStorage();
  const active = storage.get();
  if (active === undefined) return;
  try {
    const emitter = ee as { emit?: (...args: never[]) => unknown } | null | undefined;
    const emit = emitter?.emit;
    if (typeof emit !== 'function') return;
    emitter!.emit = function (this: unknown) {
      // eslint-disable-next-line prefer-rest-params
      const args = arguments;
      return storage.run(active, () => Reflect.apply(emit, this, args));
    };
  } catch {
    // a frozen or proxied emitter, or one whose `emit` cannot be read: left as it is
  }
}
