/// <reference types="node" />
/**
 * Node's `http` ↔ Web `Request`/`Response`, streaming both ways, without dependencies:
 * request bodies are read as they arrive, response bodies are written with backpressure, and
 * a client that goes away cancels the response body (so a watched body's span ends) and aborts
 * `request.signal`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { decodedByFetch } from '../../../src/http/decoded-body.js';
import { clientLeftReasons } from '../../../src/http/handle-request.js';
import { checkOptionKeys } from '../../../src/config/option-keys.js';
import type { Monitor } from '../../../src/monitor.js';
import { trustProxyOption, type ForwardedRequest, type ReadForwarded, type TrustProxy } from './trust-proxy.js';
import { trustFunctionFailed as reportTrustFailure } from '../../../src/http/trust-proxy.js';
import type { OpenRequests } from '../../../src/adapter/process-server.js';

/**
 * The key of undici's own slot for a `Request`'s signal (Node's global `Request`), found by
 * feature test; undefined where there is none (a later undici keeping it private). Given as
 * `init.signal`, a signal is followed: undici makes a second AbortController, a WeakRef and a
 * FinalizationRegistry entry, which cost about 15 µs a request in a loop and 30 to 55 µs of CPU
 * a request under load (their garbage collection; bench/node-server.ts). Put in that slot instead, the controller
 * that follows the client's connection is the request's own: `request.signal`, and what undici
 * reads from it (`new Request(request)`, `fetch(request)`, `request.clone()`, which follow it).
 */
const SIGNAL = (() => {
  try {
    const probe = new Request('http://localhost/');
    const key = Reflect.ownKeys(probe).find((k): k is symbol => typeof k === 'symbol' && k.description === 'signal');
    if (key === undefined || (probe as unknown as Record<symbol, unknown>)[key] !== probe.signal) return undefined;
    // The slot must be what `signal` reads back, or the request would not abort.
    const own = new AbortController().signal;
    (probe as unknown as Record<symbol, unknown>)[key] = own;
    return probe.signal === own ? key : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * The controllers of the clones following each served request's signal: one listener aborts
 * them all, as undici's own clones add none (more than 10 would print MaxListenersExceededWarning).
 */
const followers = new WeakMap<AbortSignal, AbortController[]>();

/**
 * A Web `Request` whose clones' signals follow its own. undici makes a clone's signal follow the
 * original's only through the mechanism a followed `init.signal` sets up, which SIGNAL avoids.
 * Its clones are ServedRequests too, so that a clone's clone follows as well; `constructor` is
 * `Request`, as before.
 */
class ServedRequest extends Request {
  override clone(): Request {
    const copy = super.clone();
    if (SIGNAL !== undefined) {
      const own = this.signal;
      const follower = new AbortController();
      let list = followers.get(own);
      if (own.aborted) follower.abort(own.reason);
      else if (list) list.push(follower);
      else {
        followers.set(own, (list = [follower]));
        own.addEventListener('abort', () => list!.forEach((c) => c.abort(own.reason)), { once: true });
      }
      (copy as unknown as Record<symbol, AbortSignal>)[SIGNAL] = follower.signal;
      Object.setPrototypeOf(copy, ServedRequest.prototype);
    }
    return copy;
  }
}
ServedRequest.prototype.constructor = Request;

/** Node's request as a Web `Request`; `signal` aborts when the client disconnects. */
export function toWebRequest(req: IncomingMessage, res?: ServerResponse): Request {
  return webRequest(req, res, undefined);
}

/** toWebRequest, with the scheme and host trusted proxies gave (`trustProxy`) in place of the socket's and Host's. */
function webRequest(req: IncomingMessage, res: ServerResponse | undefined, forwarded: ForwardedRequest | undefined): Request {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const origin = `${forwarded?.scheme ?? (encrypted ? 'https' : 'http')}://`;
  const target = req.url ?? '/';
  // origin-form (`/x`) is the common case; absolute-form (`http://host/x`, from a forward proxy)
  // is the URL itself, its host winning over Host (RFC 9112 §3.2.2), as on Deno; asterisk-form
  // (`OPTIONS *`) is `/*`, as on Deno. Both were answered 400 from a URL glued to the Host.
  const absolute = target.charCodeAt(0) !== 47 && /^https?:\/\//i.test(target);
  const path = absolute || target.charCodeAt(0) === 47 ? target : `/${target}`;
  // Under node:http2's compatibility API the host is the `:authority` pseudo-header (a client
  // need send no Host): without it the URL named the server's socket address, not the host asked for.
  const host = forwarded?.host ?? (req.headers.host || (req.headers[':authority'] as string | undefined));
  const url = absolute ? target : `${origin}${host || localHost(req)}${path}`;
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // HTTP/2 pseudo-headers are not headers.
    if (name.charCodeAt(0) === 58) continue;
    try {
      headers.append(name, raw[i + 1]!);
    } catch {
      // a header value Web Headers refuse: left out
    }
  }
  const controller = new AbortController();
  const abort = (): void => {
    if (controller.signal.aborted) return;
    // Known as a client that left when a proxied body fails with it (fetch with request.signal).
    const reason = new Error('client disconnected');
    clientLeftReasons.add(reason);
    controller.abort(reason);
  };
  if (res) res.once('close', () => (res.writableFinished ? undefined : abort()));
  else req.once('close', () => (req.complete ? undefined : abort()));
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (SIGNAL === undefined) init.signal = controller.signal;
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = lazyBody(req);
    init.duplex = 'half';
  }
  let request: Request;
  try {
    request = new ServedRequest(url, init);
  } catch (err) {
    // A Host header no URL accepts (`a b`): Node answers such a request, so the handler sees it
    // under the server's own address rather than the client getting a 400 from us.
    if (!host || absolute) throw err;
    request = new ServedRequest(`${origin}${localHost(req)}${path}`, init);
  }
  if (SIGNAL !== undefined) (request as unknown as Record<symbol, AbortSignal>)[SIGNAL] = controller.signal;
  return request;
}

/** Requests whose body the handler started to read (see toNodeListener). */
const bodyRead = new WeakSet<IncomingMessage>();

/**
 * The request body, read from `req` only once the handler reads it. `Readable.toWeb(req)` made at
 * once starts consuming `req`, and a body the handler never read (a 413, a 401 before the upload)
 * then stayed paused on the socket: node:http no longer discarded it, so the next request on
 * that kept-alive connection was never answered. Untouched, `req` is discarded by node:http when
 * the response ends, as without this library; cancelled unread, it is discarded here.
 */
function lazyBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!reader) {
          reader = (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>).getReader();
          bodyRead.add(req);
        }
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (err) {
          // The body stopped before its end (Node's `aborted`, ECONNRESET): its client left, which
          // the handler's failure with it is recorded as (connection_closed), not printed.
          if (!req.complete && err !== null && typeof err === 'object') clientLeftReasons.add(err);
          throw err;
        }
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
      cancel(reason) {
        if (reader) return reader.cancel(reason);
        req.resume();
      },
    },
    // No read ahead: `pull` runs only when the handler reads.
    { highWaterMark: 0 },
  );
}

/**
 * The server's own address, for a request without a usable Host header (HTTP/1.0 health
 * checks): an IPv6 address (`::`, the default listen address, gives `::ffff:127.0.0.1`) in
 * brackets, as a URL needs it.
 */
function localHost(req: IncomingMessage): string {
  const address = req.socket?.localAddress;
  const port = req.socket?.localPort;
  const host = address === undefined ? 'localhost' : address.includes(':') ? `[${address}]` : address;
  return port ? `${host}:${port}` : host;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

/** The hop-by-hop header names: the fixed ones and those a `Connection` header lists. */
function hopByHop(connection: string | null): Set<string> {
  const names = new Set(HOP_BY_HOP);
  if (connection) for (const n of connection.split(',')) if (n.trim()) names.add(n.trim().toLowerCase());
  return names;
}

/**
 * The key of undici's internal state on a `Response` of this realm (Node's global one), where a
 * body made from a string or bytes keeps that source beside its stream; undefined where there is
 * none (another undici, a later one keeping its state private): every body is then streamed.
 */
const STATE = (() => {
  try {
    return Reflect.ownKeys(new Response(null)).find((k): k is symbol => typeof k === 'symbol' && k.description === 'state');
  } catch {
    return undefined;
  }
})();

/** Responses whose body was written from its source: its stream was never read, so bodyUsed stays false. */
const sentFromSource = new WeakSet<Response>();

/**
 * The string or bytes a body was made from, when it can be written as it is: its stream unread,
 * and the Response not written before (a second time it is used, as its stream would be).
 */
function bodySource(response: Response, body: ReadableStream): string | Uint8Array | undefined {
  // Checked first: a HEAD between two GETs cancels the stream, which then reads as empty.
  if (sentFromSource.has(response)) throw new TypeError('Response body is already used');
  const source = sourceOf(response, body);
  if (source !== undefined) sentFromSource.add(response);
  return source;
}

/** The string or bytes a body was made from, its stream unread; the Response is not marked as sent. */
function sourceOf(response: Response, body: ReadableStream): string | Uint8Array | undefined {
  // A locked stream (a reader taken, a tee) is not the Response's to send: getReader() throws.
  if (STATE === undefined || body.locked || response.bodyUsed) return undefined;
  const source = (response as unknown as Record<symbol, { body?: { source?: unknown } } | undefined>)[STATE]?.body?.source;
  return typeof source === 'string' || source instanceof Uint8Array ? source : undefined;
}

/** Writes a Web `Response` to Node's `ServerResponse`; resolves when it was sent or the client left. */
export async function writeWebResponse(res: ServerResponse, response: Response, method = 'GET'): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  const cookies = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
  // undici hands over the decoded bytes: the upstream's coding and length would make the
  // response invalid (`return fetch(upstream)` of a gzip API).
  const decoded = decodedByFetch(response);
  // Hop-by-hop headers (RFC 9110 §7.6.1) describe the upstream's connection, not this one: an
  // upstream's `connection: keep-alive` would override the client's `Connection: close`.
  const hop = hopByHop(response.headers.get('connection'));
  let length = false;
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie' || hop.has(name) || (decoded && (name === 'content-encoding' || name === 'content-length'))) return;
    if (name === 'content-length') length = true;
    res.setHeader(name, value);
  });
  if (cookies.length) res.setHeader('set-cookie', cookies);
  const body = response.body;
  if (res.destroyed || res.closed) {
    // The client left while the handler ran: 'close' came before this function listened for
    // it, so nothing would ever cancel the body (an SSE stream kept producing, a watched body's
    // span never ended and flush() waited its whole bound) and the first write waited forever.
    if (body) await body.cancel(new Error('client disconnected')).catch(() => {});
    return;
  }
  if (body === null || method === 'HEAD') {
    if (body) {
      // HEAD gets the Content-Length GET would send (RFC 9110 §9.3.2), as from Deno.serve and
      // Bun.serve: a text or bytes body's, known without reading it (a stream's is not).
      const source = length ? undefined : sourceOf(response, body);
      if (source !== undefined) res.setHeader('content-length', typeof source === 'string' ? Buffer.byteLength(source) : source.byteLength);
      await body.cancel().catch(() => {});
    }
    res.end();
    return;
  }
  // A text or bytes body (`new Response(string)`, `Response.json()`) is written as it was given,
  // with its headers in one write and a Content-Length: read through its stream, the stream's
  // promises and a chunked encoding cost more CPU than the rest of the response.
  const source = bodySource(response, body);
  // Only where the response can be corked: writeWebResponse is public, and a stand-in response may lack it.
  const canCork = typeof res.cork === 'function' && typeof res.uncork === 'function';
  if (source !== undefined) {
    // Framed by its length, not chunked (the length of a decoded upstream's body was left out
    // above, but such a body has no source); write and end, corked, are one write.
    const bytes = typeof source === 'string' ? Buffer.from(source) : source;
    if (!length) res.setHeader('content-length', bytes.byteLength);
    if (canCork) res.cork();
    res.write(bytes);
    res.end();
    if (canCork) res.uncork();
    return;
  }
  // Before the headers leave: a body already used (one Response returned for every request)
  // throws here, and toNodeListener answers 500 as Deno and Bun do, not a 200 cut short. One an
  // earlier HEAD cancelled is not locked, and would read as empty: used too.
  if (response.bodyUsed) throw new TypeError('Response body is already used');
  const reader = body.getReader();
  // Corked until the next tick: the headers, a stream that is there already (a Blob's) and its
  // end leave in one write, where the headers alone were a write (a syscall) of their own; a body
  // that takes longer still has its headers sent then.
  let corked = canCork;
  // Uncorked before end(): Node 22 and 24 buffer a corked response's chunks and let end() write
  // the last chunk ahead of them ("0\r\n\r\n" first: the client read an empty body).
  const uncork = (): void => {
    if (corked) {
      corked = false;
      res.uncork();
    }
  };
  if (corked) res.cork();
  res.flushHeaders();
  if (corked) process.nextTick(uncork);
  let closed = false;
  const onClose = (): void => {
    closed = true;
    reader.cancel(new Error('client disconnected')).catch(() => {});
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || closed) break;
      if (!res.write(value)) {
        // A chunk that filled the buffer while corked (a first chunk of 64 KB): Node 22 emits no
        // 'drain' for it once the socket took it whole, and the response hung there.
        if (corked) {
          uncork();
          if (res.socket && !res.socket.writableNeedDrain) continue;
        }
        await new Promise<void>((resolve) => {
          const go = (): void => {
            res.off('drain', go);
            res.off('close', go);
            resolve();
          };
          res.on('drain', go);
          res.on('close', go);
        });
      }
    }
    uncork();
    if (!closed) res.end();
  } catch (err) {
    // The body failed mid-stream: the client sees a cut connection, as with any Node server.
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  } finally {
    res.off('close', onClose);
  }
}

/** What a Node request listener adapted from a fetch handler passes as `info`. */
export interface NodeRequestInfo {
  readonly incoming: IncomingMessage;
  readonly response: ServerResponse;
  /**
   * The client's address: the connection's peer, or with `trustProxy` the client the trusted
   * proxies name (the peer stays in `incoming.socket.remoteAddress`).
   */
  readonly remoteAddress: string | undefined;
}

/** Options of `toNodeListener`. */
export interface NodeListenerOptions {
  /**
   * Behind a reverse proxy: read the client's scheme, host and address from the headers the
   * proxies set (`X-Forwarded-Proto`/`-Host`/`-For`, or `Forwarded`), for `request.url`,
   * `info.remoteAddress` and the span's `url.scheme`, `server.address`/`server.port` and
   * `client.address`. Default false: on a bare server any client can send those headers.
   */
  trustProxy?: TrustProxy;
}

const LISTENER_OPTION_KEYS: Record<keyof NodeListenerOptions, 0> = { trustProxy: 0 };

/**
 * A plain 500 for a handler that failed, and the error on stderr as Deno.serve and Bun.serve
 * print it: without it a failing handler left no trace outside the span (none at all without
 * instrument()).
 */
function internalError(res: ServerResponse, err: unknown): void {
  console.error(err);
  if (res.headersSent) {
    // Part of the response is out: the client can only see it cut short.
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  // Headers the failed Response had set (cookies, an ETag) are not the 500's.
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusCode = 500;
  res.statusMessage = 'Internal Server Error';
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end('Internal Server Error');
}

function describe(value: unknown): string {
  return value === null || value === undefined ? String(value) : `a value of type ${typeof value}`;
}

/**
 * Turns a fetch-style handler into a listener for `http.createServer`. A handler that throws,
 * rejects or returns something else than a Response before responding gets a plain 500, and
 * the error is printed with `console.error`, as Deno.serve and Bun.serve do.
 *
 * With `trustProxy`, the request's URL has the scheme and host the trusted proxies give, and
 * `info.remoteAddress` the client they name, so the app and the span see the same request.
 *
 * @param handler `(request, info) => Response`, such as what `instrument()` returns
 * @param options `trustProxy` (default false): `true`, a number of proxies, or `(address, hop) => boolean`
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(toNodeListener((req) => new Response('hi'))).listen(3000);
 * // behind one nginx or load balancer:
 * createServer(toNodeListener(instrument(app, { serviceName: 'api' }), { trustProxy: 1 })).listen(3000);
 * ```
 */
export function toNodeListener(
  handler: (request: Request, info: NodeRequestInfo) => Response | Promise<Response>,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  if (options === null || typeof options !== 'object') throw new TypeError(`toNodeListener(handler, options): options must be an object ({ trustProxy }), got ${typeof options}.`);
  checkOptionKeys('toNodeListener', options, LISTENER_OPTION_KEYS);
  return nodeListener(handler, trustProxyOption('toNodeListener', options.trustProxy, trustFunctionFailed(handler)));
}

/**
 * What a `trustProxy` function that threw is reported to: the handler's monitor, when it is an
 * instrumented one. The hop is not trusted, and the request goes on.
 */
export function trustFunctionFailed(owner: unknown): (error: unknown) => void {
  return reportTrustFailure(() => (owner as { monitor?: Monitor } | undefined)?.monitor, 'node');
}

/** toNodeListener with its options read (`serve()` reads them under its own name). */
export function nodeListener(
  handler: (request: Request, info: NodeRequestInfo) => Response | Promise<Response>,
  readForwarded: ReadForwarded | undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  // An instrumented handler's requests are counted while it answers them, for flushOnExit to
  // wait for (an app's own server, shut down on a signal); nothing is allocated for it per request.
  const open = (handler as { open?: OpenRequests }).open;
  const end = open?.end;
  return function nodeListener(req, res) {
    let request: Request;
    let forwarded: ForwardedRequest | undefined;
    if (readForwarded !== undefined) {
      try {
        forwarded = readForwarded(req.headers, req.socket?.remoteAddress);
      } catch {
        // headers that cannot be read: the socket's values
      }
    }
    try {
      request = webRequest(req, res, forwarded);
    } catch {
      res.statusCode = 400;
      res.end('Bad Request');
      return;
    }
    const info: NodeRequestInfo = { incoming: req, response: res, remoteAddress: forwarded?.client ?? req.socket?.remoteAddress };
    open?.begin();
    Promise.resolve()
      .then(() => handler(request, info))
      .then(
        (response) => {
          end?.();
          // By shape: a Response of another realm or of the undici package counts.
          if (response !== null && typeof response === 'object' && typeof (response as Response).status === 'number') {
            // A body read in part (a size limit hit, then 413) is not discarded by node:http once
            // read from: the next request on this connection would never be answered. The
            // response closes the connection instead (`Connection: close`), as Deno's does.
            if (!req.complete && bodyRead.has(req)) res.shouldKeepAlive = false;
            return writeWebResponse(res, response, req.method);
          }
          // Answered as Deno.serve and Bun.serve answer it, not by cutting the connection.
          internalError(res, new TypeError(`toNodeListener: the handler returned ${describe(response)}, not a Response`));
        },
        (err: unknown) => {
          end?.();
          // The body it read failed as its client left: no one to answer, nothing of the app's to print.
          if (res.destroyed && clientLeftReasons.has(err as object)) return;
          internalError(res, err);
        },
      )
      .catch((err: unknown) => {
        try {
          internalError(res, err);
        } catch {
          res.destroy();
        }
      });
  };
}
