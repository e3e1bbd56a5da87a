/// <reference types="node" />
import type { EnvRecord } from '../../../src/config/env.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import { checkHttpOptions } from '../../../src/config/option-keys.js';
import {
  createServerHandler,
  SERVER_OPTION_KEYS,
  type InstrumentedHandler,
  type ServerHandler,
  type ServerInstrumentationOptions,
} from '../../../src/adapter/process-server.js';
import type { RequestTelemetry } from '../../../src/http/handle-request.js';
import { forwardedView, originalRequest, trustFunctionFailed, trustProxyOption, webHeaders, type ReadForwarded, type TrustProxy } from '../../../src/http/trust-proxy.js';
import { useAsyncLocalStorage } from '../../node/src/instrument.js';
import type { BunServer, BunServerLike } from './bun-types.js';
import { runBunHandler, toBunResult, type BunRescue } from './request.js';

/**
 * A handler for `Bun.serve({ fetch })`: the request, Bun's server, and the request's telemetry;
 * `this` is the server, as Bun gives `fetch`.
 */
export type BunHandler<D = undefined> = (
  this: BunServer<D>,
  request: Request,
  server: BunServer<D>,
  telemetry: RequestTelemetry,
) => Response | undefined | Promise<Response | undefined>;

export interface BunInstrumentationOptions extends ServerInstrumentationOptions {
  /**
   * Which reverse proxies in front of the server (nginx, a load balancer) are trusted to say who
   * the client is and which URL it asked for, as the Node adapter's `trustProxy` (same values and
   * rules): `false` (default), `true`, a number of proxies, or `(address, hop) => boolean`, asked
   * about `server.requestIP(request)` (hop 0) and then each address of the chain. The span's and
   * the metrics' `url.scheme`, `server.address`/`server.port` and `client.address` then come from
   * `X-Forwarded-Proto`/`-Host`/`-For` (or `Forwarded`).
   *
   * Only the telemetry: the handler gets Bun's own Request, untouched (`request.url` stays the URL
   * Bun was asked for; `server.requestIP(request)` the proxy's address). A copy of the Request with
   * another URL is refused by `server.upgrade` and `server.requestIP` and would consume its body,
   * so the span reads a view of it instead; `route` and `ignoreRequest` are given that view (its
   * `url` the forwarded one). Read the headers yourself where the app needs the public URL. Off, it
   * costs nothing per request.
   */
  trustProxy?: TrustProxy;
}

/**
 * Wraps a `Bun.serve` fetch handler with a SERVER span, the HTTP server metrics and logs per
 * request; exports run in the background and are tracked (`handler.flush()`,
 * `handler.shutdown()`, `flushOnExit(handler)`). A WebSocket upgrade (`server.upgrade(request)`,
 * then return nothing, as Bun asks) is recorded as status 101, not as a handler error. The
 * handler gets the `this` Bun gives `fetch` (the server), so `this.upgrade(req)` works as it does
 * without the library.
 *
 * @param handler `(request, server, telemetry) => Response`
 * @param config monitor, options or `(env) => options`; OTEL_* from `process.env` apply
 * @param options HTTP options; `traceFetch` (default true) traces the global `fetch`; `trustProxy`
 *   (default false) reads the client, scheme and host trusted proxies give (telemetry only)
 * @example
 * ```ts
 * import { instrument } from '@lexigram/monitor/bun';
 * Bun.serve({ port: 3000, fetch: instrument((req) => new Response('hi'), { serviceName: 'api' }) });
 * ```
 */
// Generic in the WebSocket data, as the server Bun gives a `fetch` (`Bun.serve`'s `websocket.data`).
export function instrument<D = undefined>(
  handler: BunHandler<D>,
  config: MonitorConfig<EnvRecord> = {},
  options?: BunInstrumentationOptions,
): InstrumentedHandler<BunServer<D>> {
  return instrumentBun(handler as BunHandler, config, options) as unknown as InstrumentedHandler<BunServer<D>>;
}

/** What the shared handler passes through to the Bun handler: the server and Bun's `this`. */
interface BunCall {
  readonly server: BunServerLike;
  readonly self: unknown;
}

/**
 * `instrument()`, and for `serve()` the answer of its `error` option to a thrown error
 * (`rescue`), given inside the request's telemetry.
 */
export function instrumentBun(
  handler: BunHandler,
  config: MonitorConfig<EnvRecord>,
  options: BunInstrumentationOptions | undefined,
  rescue?: BunRescue,
): InstrumentedHandler<BunServerLike> {
  useAsyncLocalStorage();
  if (typeof handler !== 'function') throw new TypeError('instrument(handler, config): handler must be a function (request, server) => Response.');
  // Checked here, where trustProxy is known: createServerHandler lists only the shared options.
  if (options !== null && typeof options === 'object') checkHttpOptions('instrument', options, { ...SERVER_OPTION_KEYS, trustProxy: 0 } satisfies Record<keyof BunInstrumentationOptions, 0>);
  const { trustProxy, ...http } = options ?? {};
  // Read lazily: the monitor is made below, and only a trust function that throws reports.
  let inner: InstrumentedHandler<BunCall> | undefined;
  const readForwarded = trustProxyOption('instrument', trustProxy, trustFunctionFailed(() => inner?.monitor, 'bun'));
  const user = handler as unknown as ServerHandler<BunServerLike>;
  // With trustProxy the handler is given Bun's own Request back from the telemetry's view of it.
  inner = createServerHandler<BunCall>(
    readForwarded === undefined
      ? (req, call, t) => runBunHandler(user, req, call.server, t, call.self, rescue)
      : (req, call, t) => runBunHandler(user, originalRequest(req), call.server, t, call.self, rescue, req),
    config,
    process.env,
    http,
  );
  const traced = inner;
  // Bun calls fetch with the server as `this`; the handler gets the same `this` (the server
  // when called as a plain function). Bun wants `undefined` back after a WebSocket upgrade;
  // the span recorded it as 101.
  const outer = (
    readForwarded === undefined
      ? function instrumentedBunHandler(this: unknown, request: Request, server: BunServerLike) {
          return traced(request, { server, self: this ?? server }).then(toBunResult);
        }
      : function instrumentedBunHandler(this: unknown, request: Request, server: BunServerLike) {
          return traced(bunForwardedView(request, server, readForwarded) ?? request, { server, self: this ?? server }).then(toBunResult);
        }
  ) as InstrumentedHandler<BunServerLike>;
  for (const key of ['monitor', 'track', 'pending', 'flush', 'shutdown'] as const) {
    Object.defineProperty(outer, key, Object.getOwnPropertyDescriptor(traced, key)!);
  }
  return outer;
}

/** The telemetry's view of a request trusted proxies spoke of (see `trustProxy`); undefined when none did. */
export function bunForwardedView(request: Request, server: BunServerLike, readForwarded: ReadForwarded): Request | undefined {
  try {
    let peer: string | undefined;
    try {
      peer = server?.requestIP?.(request)?.address;
    } catch {
      peer = undefined;
    }
    return forwardedView(request, readForwarded(webHeaders(request.headers), peer));
  } catch {
    // unreadable headers: recorded as Bun saw the request
    return undefined;
  }
}
