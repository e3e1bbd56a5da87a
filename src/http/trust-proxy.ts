/**
 * The `trustProxy` option of the server adapters (Node, Deno, Bun): behind a reverse proxy (nginx, a load balancer) the
 * socket is the proxy's, and the client's scheme, host and address are in the forwarding headers
 * the proxy sets (HTTP semconv: `url.scheme` from Forwarded#proto / X-Forwarded-Proto,
 * `server.address` from Forwarded#host / X-Forwarded-Host, `client.address` from Forwarded#for /
 * X-Forwarded-For). Off by default: on a bare server any client can send them.
 */
import { kindOf } from '../config/option-keys.js';
import type { Monitor } from '../monitor.js';

/**
 * Which proxies in front of the server are trusted to say who the client is and which URL it asked for.
 * - `false` (default) or `0`: none; the socket's peer, scheme and the `Host` header are recorded.
 * - `true`: every hop; the client is the first (left-most) address of the chain. Only when the proxy
 *   sets or overwrites the headers, so that a client's own cannot get through.
 * - a number `n`: the `n` proxies closest to the server (`1`: one nginx or load balancer); the client is
 *   the `n`-th address from the end of the chain, which a client cannot forge by sending more.
 * - a function `(address, hop) => boolean`: called with the socket's peer (hop 0), then each address the
 *   chain names from the server outward (hop 1, 2, …) until it returns something else than `true`; the
 *   first address not trusted is the client. IPv4-mapped addresses (`::ffff:10.0.0.1`) are given as IPv4.
 *   Only IP addresses are passed: an obfuscated or `unknown` hop is not trusted.
 */
export type TrustProxy = boolean | number | ((address: string, hop: number) => boolean);

/** What trusted proxies said of a request; an undefined member keeps the socket's (or Host's) value. */
export interface ForwardedRequest {
  readonly scheme: 'http' | 'https' | undefined;
  /** `host[:port]`, as a Host header writes it. */
  readonly host: string | undefined;
  readonly client: string | undefined;
}

/**
 * A request's header by its lower-case name: a Node request's `headers[name]` (an array for a
 * repeated one), or Web `Headers#get` (repeated lines joined with `, `); null or undefined when absent.
 */
export type HeaderOf = (name: string) => string | string[] | null | undefined;

/** Reads a request's forwarding headers; undefined when no trusted proxy said anything. */
export type ReadForwarded = (header: HeaderOf, peer: string | undefined) => ForwardedRequest | undefined;

const V4_SEG = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const V4 = `(?:${V4_SEG}\\.){3}${V4_SEG}`;
const V6_SEG = '(?:[0-9a-fA-F]{1,4})';
const IPV4 = new RegExp(`^${V4}$`);
/** Every IPv6 form (`::`, an embedded IPv4, a zone `%eth0`), as node:net's isIP accepts them. */
const IPV6 = new RegExp(
  '^(?:' +
    `(?:${V6_SEG}:){7}(?:${V6_SEG}|:)|` +
    `(?:${V6_SEG}:){6}(?:${V4}|:${V6_SEG}|:)|` +
    `(?:${V6_SEG}:){5}(?::${V4}|(?::${V6_SEG}){1,2}|:)|` +
    `(?:${V6_SEG}:){4}(?:(?::${V6_SEG}){0,1}:${V4}|(?::${V6_SEG}){1,3}|:)|` +
    `(?:${V6_SEG}:){3}(?:(?::${V6_SEG}){0,2}:${V4}|(?::${V6_SEG}){1,4}|:)|` +
    `(?:${V6_SEG}:){2}(?:(?::${V6_SEG}){0,3}:${V4}|(?::${V6_SEG}){1,5}|:)|` +
    `(?:${V6_SEG}:){1}(?:(?::${V6_SEG}){0,4}:${V4}|(?::${V6_SEG}){1,6}|:)|` +
    `(?::(?:(?::${V6_SEG}){0,5}:${V4}|(?::${V6_SEG}){1,7}|:))` +
    ')(?:%[0-9a-zA-Z-.:]{1,})?$',
);

/** 4, 6 or 0, as node:net's `isIP` answers, without Node: dotted-quad IPv4 (no leading zero), IPv6 with an optional zone. */
export function isIP(v: string): 0 | 4 | 6 {
  if (typeof v !== 'string') return 0;
  return IPV4.test(v) ? 4 : IPV6.test(v) ? 6 : 0;
}

/**
 * Checks a `trustProxy` option (throwing, at construction, with what to change) and returns its
 * reader, or undefined when it is off. `onError` hears of a trust function that threw (that hop
 * is then not trusted: the request is not failed by it).
 */
export function trustProxyOption(what: string, value: unknown, onError?: (error: unknown) => void): ReadForwarded | undefined {
  if (value === undefined || value === false || value === 0) return undefined;
  if (value === true) return (h, peer) => read(h, peer, Infinity, undefined, onError);
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return (h, peer) => read(h, peer, value, undefined, onError);
  if (typeof value === 'function') {
    const trusts = value as (address: string, hop: number) => unknown;
    return (h, peer) => read(h, peer, 0, trusts, onError);
  }
  throw new TypeError(
    `${what}: \`trustProxy\` must be true (trust every proxy), the number of proxies in front of the server (1 for one nginx or load balancer), ` +
      `a function (address, hop) => boolean, or false (the default), got ${kindOf(value)}` +
      (typeof value === 'string' ? '; a value read from the environment must be converted first (`Number(env.TRUST_PROXY)`).' : '.'),
  );
}

/** The comma-separated entries of a list header (Node joins repeated lines with `, `). */
function entries(v: string | string[]): string[] {
  const joined = Array.isArray(v) ? v.join(',') : String(v);
  return joined.split(',').map((s) => s.trim());
}

/** `entries[entries.length - depth]`, the first entry when there are fewer: what the outermost trusted proxy wrote. */
function at<T>(list: readonly T[], depth: number): T | undefined {
  return list[Math.max(0, list.length - depth)];
}

/** An IP address, without the brackets and port a forwarding header may add; undefined if it is none. */
function ipOf(v: string | undefined): string | undefined {
  if (!v) return undefined;
  if (v.charCodeAt(0) === 91) {
    // `[2001:db8::1]` or `[2001:db8::1]:4711`
    const end = v.indexOf(']');
    const rest = v.slice(end + 1);
    const ip = v.slice(1, end);
    return end > 0 && (rest === '' || /^:\d{1,5}$/.test(rest)) && isIP(ip) === 6 ? ip : undefined;
  }
  if (isIP(v) !== 0) return v;
  // `192.0.2.43:47011`
  const colon = v.indexOf(':');
  if (colon > 0 && colon === v.lastIndexOf(':') && /^\d{1,5}$/.test(v.slice(colon + 1))) {
    const ip = v.slice(0, colon);
    if (isIP(ip) === 4) return ip;
  }
  return undefined;
}

/** An obfuscated node of RFC 7239 §6.3 (`_hidden`): the client's identifier as the proxy gives it. */
const OBFUSCATED = /^_[A-Za-z0-9._-]+$/;
/** `host[:port]`: a name or IPv4, or a bracketed IPv6; anything else (a `/`, `@`, space) would change the URL. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/;

function schemeOf(v: string | undefined): 'http' | 'https' | undefined {
  const s = v?.toLowerCase();
  return s === 'http' || s === 'https' ? s : undefined;
}
function hostOf(v: string | undefined): string | undefined {
  if (v === undefined || !HOST.test(v)) return undefined;
  // One a URL refuses (`exa<mple.com`, a port past 65535) would leave the Host header behind with it.
  try {
    new URL(`http://${v}/`);
    return v;
  } catch {
    return undefined;
  }
}

/**
 * How many hops, counted from the server, are trusted: the socket's peer (hop 0), then the
 * addresses the chain names from its end. `chain` holds them as written, the client's first.
 */
function trustedHops<T>(
  chain: readonly T[],
  addressOf: (entry: T | undefined) => string | undefined,
  peer: string | undefined,
  fn: (address: string, hop: number) => unknown,
  onError: ((error: unknown) => void) | undefined,
): number {
  let hops = 0;
  let address = peer;
  // The first address of the chain is never tested: trusted or not, it is the client.
  for (let hop = 0; hop < Math.max(chain.length, 1); hop++) {
    if (address === undefined) break;
    let trusted: unknown;
    try {
      trusted = fn(address.length > 7 && address.slice(0, 7).toLowerCase() === '::ffff:' && isIP(address.slice(7)) === 4 ? address.slice(7) : address, hop);
    } catch (error) {
      onError?.(error);
      trusted = false;
    }
    // `=== true`: an async function's promise, truthy, must not trust every hop.
    if (trusted !== true) break;
    hops = hop + 1;
    // Read as the walk goes: a long chain a client sent costs nothing past the first untrusted hop.
    address = addressOf(chain[chain.length - 1 - hop]);
  }
  return hops;
}

interface Element {
  for?: string;
  proto?: string;
  host?: string;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const QUOTED = /"((?:[^"\\]|\\.)*)"/y;

/**
 * The elements of a `Forwarded` header (RFC 7239 §4), the client's first; undefined when there is
 * none. A malformed element (a value that is neither a token nor a quoted string, a parameter
 * given twice) and everything before it are one element naming nothing (an unknown hop): they
 * were written before the proxies that append after them, by the client or a proxy further out,
 * and voiding the whole header let any client have itself recorded as the proxy's address. Read
 * again from the next `,`; hops counted from the end never reach past that element.
 */
export function parseForwarded(value: string): Element[] | undefined {
  const out: Element[] = [];
  let element: Element = {};
  let empty = true;
  let i = 0;
  const n = value.length;
  // Where a malformed element was found, else -1.
  let bad = -1;
  for (;;) {
    if (bad >= 0) {
      out.length = 0;
      out.push({});
      element = {};
      empty = true;
      i = value.indexOf(',', bad);
      bad = -1;
      if (i === -1) break;
    }
    while (i < n && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) i++;
    const c = value.charCodeAt(i);
    // The end, or the next element; an empty one (`a, , b`) is nothing (list syntax, RFC 9110 §5.6.1).
    if (i >= n || c === 44) {
      if (!empty) out.push(element);
      if (i >= n) break;
      element = {};
      empty = true;
      i++;
      continue;
    }
    // An empty pair (`for=a;;proto=http`, a trailing `;`) is allowed by the element's syntax.
    if (c === 59) {
      i++;
      continue;
    }
    TOKEN.lastIndex = i;
    const key = TOKEN.exec(value)?.[0].toLowerCase();
    if (key === undefined) {
      bad = i;
      continue;
    }
    i = TOKEN.lastIndex;
    // `=`, with no space around it
    if (value.charCodeAt(i) !== 61) {
      bad = i;
      continue;
    }
    i++;
    const m = value.charCodeAt(i) === 34 ? QUOTED : TOKEN;
    m.lastIndex = i;
    const found = m.exec(value);
    if (found === null) {
      bad = i;
      continue;
    }
    const v = m === QUOTED ? found[1]!.replace(/\\(.)/g, '$1') : found[0];
    i = m.lastIndex;
    while (i < n && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) i++;
    // After a value: the end, `;` or `,` (`host=a b` and `host="a"b` are malformed). A parameter
    // given twice in one element (RFC 7239 §4) is too: which one is meant is unknown.
    if ((i < n && value.charCodeAt(i) !== 59 && value.charCodeAt(i) !== 44) || ((key === 'for' || key === 'proto' || key === 'host') && element[key] !== undefined)) {
      bad = i;
      continue;
    }
    empty = false;
    if (key === 'for' || key === 'proto' || key === 'host') element[key] = v;
  }
  return out.length > 0 ? out : undefined;
}

/**
 * One family of headers is read, never a mix: X-Forwarded-* when the request has any of them
 * (what nearly every proxy sets: nginx, HAProxy, cloud load balancers, Traefik, Caddy), else
 * `Forwarded`. A proxy that sets only X-Forwarded-* passes a `Forwarded` from the client on
 * untouched: read first, it let any client name its own address, scheme and host.
 */
function read(h: HeaderOf, peer: string | undefined, hops: number, fn: ((address: string, hop: number) => unknown) | undefined, onError: ((error: unknown) => void) | undefined): ForwardedRequest | undefined {
  const xff = h('x-forwarded-for') ?? undefined;
  const xfp = h('x-forwarded-proto') ?? undefined;
  const xfh = h('x-forwarded-host') ?? undefined;
  if (xff !== undefined || xfp !== undefined || xfh !== undefined) {
    const chain = xff === undefined ? [] : entries(xff);
    const depth = fn === undefined ? hops : trustedHops(chain, ipOf, peer, fn, onError);
    if (depth === 0) return undefined;
    return {
      client: ipOf(at(chain, depth)),
      scheme: xfp === undefined ? undefined : schemeOf(at(entries(xfp), depth)),
      host: xfh === undefined ? undefined : hostOf(at(entries(xfh), depth)),
    };
  }
  const fwd = h('forwarded');
  if (fwd === undefined || fwd === null) return undefined;
  const elements = parseForwarded(Array.isArray(fwd) ? fwd.join(', ') : String(fwd));
  if (elements === undefined) return undefined;
  const depth = fn === undefined ? hops : trustedHops(elements, (e) => ipOf(e?.for), peer, fn, onError);
  if (depth === 0) return undefined;
  const first = Math.max(0, elements.length - depth);
  const node = elements[first]!.for;
  // proto and host: of the outermost trusted element that has them (the closest to the client's request).
  let proto: string | undefined;
  let host: string | undefined;
  for (let i = first; i < elements.length && (proto === undefined || host === undefined); i++) {
    proto ??= elements[i]!.proto;
    host ??= elements[i]!.host;
  }
  return {
    client: ipOf(node) ?? (node !== undefined && OBFUSCATED.test(node) ? node : undefined),
    scheme: schemeOf(proto),
    host: hostOf(host),
  };
}

/**
 * What a `trustProxy` function that threw is reported to (`monitor()`, read when it throws: the
 * monitor is made after the option is checked). The hop is not trusted, and the request goes on.
 */
export function trustFunctionFailed(monitor: () => Monitor | undefined, runtime: string): (error: unknown) => void {
  return (error) => {
    try {
      monitor()?.diag.report(
        'config',
        () => `trustProxy: the function threw (${error instanceof Error ? error.message : String(error)}); the hop it was asked about is not trusted`,
        error,
        `${runtime}:trust-proxy`,
      );
    } catch {
      // reporting is best effort
    }
  };
}

const ORIGINAL = Symbol('trustProxy.original');
const CLIENT = Symbol('trustProxy.client');

/**
 * The telemetry's view of a runtime's own Request (Deno, Bun) behind trusted proxies: its `url`
 * has the scheme and host they gave, everything else is the Request's own (read from it, methods
 * bound to it, so the runtime's checks of `this` pass). The runtime's Request cannot be rewritten
 * without copying it (and a copy is refused by `Deno.upgradeWebSocket`, `server.upgrade` and
 * `server.requestIP`), so the view is what the span and the metrics read, and the handler is given
 * the original (`originalRequest`). Undefined when the proxies gave no scheme, host nor client.
 */
export function forwardedView(request: Request, forwarded: ForwardedRequest | undefined): Request | undefined {
  if (forwarded === undefined || (forwarded.scheme === undefined && forwarded.host === undefined && forwarded.client === undefined)) return undefined;
  let url = request.url;
  if (forwarded.scheme !== undefined || forwarded.host !== undefined) {
    const slashes = url.indexOf('://');
    const path = url.indexOf('/', slashes + 3);
    if (slashes > 0) {
      const authority = path === -1 ? url.slice(slashes + 3) : url.slice(slashes + 3, path);
      url = `${forwarded.scheme ?? url.slice(0, slashes)}://${forwarded.host ?? authority}${path === -1 ? '/' : url.slice(path)}`;
    }
  }
  const client = forwarded.client;
  return new Proxy(request, {
    get(target, key) {
      if (key === 'url') return url;
      if (key === ORIGINAL) return target;
      if (key === CLIENT) return client;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The runtime's own Request behind a `forwardedView` (the request itself otherwise). */
export function originalRequest(request: Request): Request {
  return ((request as { [ORIGINAL]?: Request })[ORIGINAL]) ?? request;
}

/** The client a `forwardedView`'s proxies named; undefined for any other request. */
export function forwardedClient(request: Request): string | undefined {
  return (request as { [CLIENT]?: string })[CLIENT];
}

/** A Web `Headers`' reader for `ReadForwarded`. */
export function webHeaders(headers: Headers): HeaderOf {
  return (name) => headers.get(name);
}
