/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EnvRecord } from '../../../src/config/env.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import { requestFromNode, runNodeStyle, standInRequest, type NodeRequestLike } from '../../../src/adapter/node-style.js';
import { createServerHandler, SERVER_OPTION_KEYS, type Drainable, type ServerInstrumentationOptions } from '../../../src/adapter/process-server.js';
import { checkHttpOptions } from '../../../src/config/option-keys.js';
import { HandlerError } from '../../../src/http/handle-request.js';
import type { Monitor } from '../../../src/monitor.js';
import { protocolVersion, useAsyncLocalStorage } from './instrument.js';
import { trustFunctionFailed } from './node-http.js';
import { trustProxyOption, type ForwardedRequest, type TrustProxy } from './trust-proxy.js';

/** Options of `instrumentListener`. */
export interface InstrumentListenerOptions extends ServerInstrumentationOptions {
  /**
   * Behind a reverse proxy: record the client's scheme, host and address from the headers the
   * proxies set (`X-Forwarded-Proto`/`-Host`/`-For`, or `Forwarded`) as the span's `url.scheme`,
   * `server.address`/`server.port` and `client.address` (and in the Request a `route(request)`
   * option gets). Default false: on a bare server any client can send those headers. The
   * listener's own `req` is Node's, untouched (Express reads them under its `trust proxy` setting).
   */
  trustProxy?: TrustProxy;
}

const LISTENER_OPTION_KEYS: Record<keyof InstrumentListenerOptions, 0> = { ...SERVER_OPTION_KEYS, trustProxy: 0 };

/** A Node request listener: an Express or Connect app, or `(req, res) => { ... }`. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** What `instrumentListener` returns: a request listener that also knows its monitor. */
export interface InstrumentedListener extends Drainable {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly monitor: Monitor;
  /**
   * Exports still in flight, of requests whose response has been sent: a request is counted once
   * its export starts, not while it is being answered.
   */
  readonly pending: number;
  /** Waits for the exports of finished requests, then flushes everything left. */
  flush(timeoutMs?: number): Promise<void>;
  /** Like `flush`, then shuts the monitor's backends down (call it once, before exit). */
  shutdown(timeoutMs?: number): Promise<void>;
}

interface Pair {
  req: IncomingMessage;
  res: ServerResponse;
  /** What the listener threw; read only right after the handler returns, so only a synchronous throw counts. */
  thrown?: { error: unknown };
  /** The listener was called (handleRequest calls the handler at once, or not at all). */
  ran: boolean;
  /** The client the trusted proxies named (`trustProxy`), else undefined: the socket's peer. */
  client: string | undefined;
}

/**
 * Instruments a Node request listener, such as an Express app: each request gets a SERVER span
 * (continuing an incoming `traceparent`) that ends when the response has been sent, the HTTP
 * server metrics and a scope whose export runs in the background (tracked: `flush()`,
 * `shutdown()`, `flushOnExit(listener)`). Spans, logs and outgoing `fetch` calls made while the
 * app handles the request belong to it (AsyncLocalStorage). When Express matched a route, the
 * span is named after it (`GET /users/:id`) and `http.route` is set.
 *
 * @param listener `(req, res) => void`, an Express/Connect app
 * @param config monitor, options or `(env) => options`; OTEL_* from `process.env` apply
 * @param options HTTP options; `traceFetch` (default true) traces the global `fetch`; `trustProxy`
 *   (default false) reads the client's scheme, host and address from a reverse proxy's headers
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { flushOnExit, instrumentListener } from '@lexigram/monitor/node';
 * const listener = instrumentListener(app, { serviceName: 'api' }); // app = express()
 * createServer(listener).listen(3000);
 * flushOnExit(listener);
 * ```
 */
export function instrumentListener(listener: NodeListener, config: MonitorConfig<EnvRecord> = {}, options: InstrumentListenerOptions = {}): InstrumentedListener {
  if (typeof listener !== 'function') throw new TypeError('instrumentListener(listener, config): listener must be a function (req, res) => void, such as an Express app.');
  // Checked here, not by createServerHandler: its message would name instrument().
  checkHttpOptions('instrumentListener', options, LISTENER_OPTION_KEYS);
  const { trustProxy, ...http } = options;
  // Read lazily: the monitor is made below, and only a trust function that throws reports.
  const readForwarded = trustProxyOption('instrumentListener', trustProxy, (error) => trustFunctionFailed(handler)(error));
  useAsyncLocalStorage();
  const handler = createServerHandler<Pair>(
    async (_request, pair, telemetry) => {
      const { req, res } = pair;
      // Nothing answers a failure 500 here: the status is the one sent before it, if any (read
      // at once: the app's uncaughtException handler may answer before the span ends).
      const failed = (error: unknown): HandlerError => new HandlerError(error, res.headersSent ? res.statusCode : undefined);
      const call = (): unknown => {
        pair.ran = true;
        try {
          return listener(req, res);
        } catch (error) {
          pair.thrown = { error };
          throw failed(error);
        }
      };
      try {
        return (await runNodeStyle(call, req, res, telemetry)).response;
      } catch (error) {
        throw error instanceof HandlerError ? error : failed(error);
      }
    },
    config,
    process.env,
    // The stand-in response has no body: the span already ended when the real one was sent.
    { ...http, waitForBody: false },
    (_request, { req, client }, t) => {
      // client.port is opt-in on HTTP server spans (semantic conventions): not recorded.
      const peer = req.socket?.remoteAddress;
      const address = client ?? peer;
      if (address) t.span.setAttribute('client.address', address);
      // The connection's own peer where trusted proxies named another client (HTTP semconv): left out
      // otherwise, where it would repeat client.address.
      if (peer && peer !== address) t.span.setAttribute('network.peer.address', peer);
      if (req.httpVersion) t.span.setAttribute('network.protocol.version', protocolVersion(req.httpVersion));
    },
  );
  /**
   * Serves one request traced under `request`; false when the listener was not called: reading the
   * request failed first (a header getter that throws), the telemetry's failure, not the app's.
   * A listener that throws or rejects does so as it would have without instrumentation (and is
   * recorded on the span): a synchronous throw leaves this function, so Node reports an uncaught
   * exception; a rejection stays an unhandled rejection.
   */
  // Counted until its telemetry is done (its export tracked), for flushOnExit to wait for.
  const open = handler.open!;
  const serve = (request: Request, req: IncomingMessage, res: ServerResponse, client: string | undefined): boolean => {
    const pair: Pair = { req, res, ran: false, client };
    open.begin();
    const done = handler(request, pair);
    if (pair.thrown) {
      done.then(open.end, open.end); // the same error, thrown below
      throw pair.thrown.error;
    }
    if (!pair.ran) {
      done.then(open.end, open.end);
      return false;
    }
    // The listener's own rejection stays unhandled, as without instrumentation.
    done.then(open.end, rejectAgain);
    return true;
  };
  const rejectAgain = (e: unknown): Promise<never> => {
    open.end();
    return Promise.reject(e instanceof HandlerError ? e.error : e);
  };
  const instrumented = function instrumentedListener(req: IncomingMessage, res: ServerResponse): void {
    let request: Request | undefined;
    let forwarded: ForwardedRequest | undefined;
    try {
      if (readForwarded !== undefined) forwarded = readForwarded(req.headers, req.socket?.remoteAddress);
      // The listener gets Node's req: the Request is the telemetry's, a Web one only for the
      // options given it (`route(request)`, `ignoreRequest(request)`).
      request = requestFromNode(forwarded === undefined ? req : asForwarded(req, forwarded), !options.route && !options.ignoreRequest);
    } catch {
      request = undefined;
    }
    if (request !== undefined && serve(request, req, res, forwarded?.client)) return;
    // A request that cannot be read must not keep the listener from running (the client hung and
    // the telemetry's rejection went unhandled, which ends Node), nor go uncounted: it is called
    // once, under a stand-in request, or untraced if even that cannot be served.
    handler.monitor.diag.drop('invalid_value', 'a Node request that could not be read was recorded with a stand-in URL');
    let standIn: Request | undefined;
    try {
      standIn = standInRequest(req);
    } catch {
      standIn = undefined;
    }
    if (standIn === undefined || !serve(standIn, req, res, forwarded?.client)) listener(req, res);
  } as InstrumentedListener;
  for (const key of ['monitor', 'pending', 'flush', 'shutdown', 'open'] as const) {
    Object.defineProperty(instrumented, key, Object.getOwnPropertyDescriptor(handler, key)!);
  }
  return instrumented;
}

/**
 * What requestFromNode reads of `req`, with the scheme and host trusted proxies gave: the scheme as
 * the socket's, the host as an absolute-form target (which wins over Host there), so that Node's
 * headers are passed on as they are (a captured `host` header stays the one received).
 */
function asForwarded(req: IncomingMessage, forwarded: ForwardedRequest): NodeRequestLike & { rawHeaders: string[] } {
  const socket = req.socket;
  const encrypted = forwarded.scheme === undefined ? (socket as { encrypted?: boolean } | undefined)?.encrypted === true : forwarded.scheme === 'https';
  let url = req.url ?? '/';
  // An absolute-form target (a forward proxy's) names its URL itself; origin-form and `*` are paths.
  if (forwarded.host !== undefined && !/^https?:\/\//i.test(url)) url = `${encrypted ? 'https' : 'http'}://${forwarded.host}${url.charCodeAt(0) === 47 ? url : `/${url}`}`;
  return {
    method: req.method,
    url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    socket: { encrypted, localAddress: socket?.localAddress, localPort: socket?.localPort },
  };
}
