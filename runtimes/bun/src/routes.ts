import type { InstrumentedHandler, ServerHandler } from '../../../src/adapter/process-server.js';
import { handleRequest, type HttpInstrumentationOptions, type RequestTelemetry } from '../../../src/http/handle-request.js';
import { originalRequest, type ReadForwarded } from '../../../src/http/trust-proxy.js';
import type { BunServerLike } from './bun-types.js';
import { bunForwardedView } from './instrument.js';
import { runBunHandler, toBunResult, type BunRescue } from './request.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

type RouteHandler = (this: unknown, request: Request, server: BunServerLike) => unknown;

/** `{ GET: handler, POST: handler }`: every key an HTTP method. */
function isMethodMap(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || value instanceof Response) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => METHODS.has(k));
}

/**
 * `Bun.serve`'s `routes` with every handler function traced like `fetch`, and the route
 * pattern (`/users/:id`) as `http.route` on the server span and the HTTP metrics. Static
 * `Response` values, HTML imports and `false` stay as they are: Bun answers those natively,
 * without running JavaScript, so there is nothing to measure. A handler gets the `this` Bun gives
 * it (the server).
 *
 * @param routes the `routes` option given to `serve()`
 * @param fetch the instrumented fetch handler (its monitor and export tracking are shared)
 * @param options the HTTP instrumentation options of `serve()`
 * @param rescue the answer of `serve()`'s `error` option to a thrown error
 * @param plainFetch `traceFetch: false` was given to `serve()`: the handlers' fetches stay plain
 * @param readForwarded `serve()`'s `trustProxy`: the telemetry reads what trusted proxies said
 */
export function instrumentRoutes(
  routes: Record<string, unknown>,
  fetch: InstrumentedHandler<BunServerLike>,
  options: HttpInstrumentationOptions,
  rescue?: BunRescue,
  plainFetch = false,
  readForwarded?: ReadForwarded,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(routes)) {
    if (typeof value === 'function') out[path] = traced(value as RouteHandler, path, fetch, options, rescue, plainFetch, readForwarded);
    else if (isMethodMap(value)) {
      const methods: Record<string, unknown> = {};
      for (const [method, v] of Object.entries(value)) methods[method] = typeof v === 'function' ? traced(v as RouteHandler, path, fetch, options, rescue, plainFetch, readForwarded) : v;
      out[path] = methods;
    } else out[path] = value;
  }
  return out;
}

function traced(
  handler: RouteHandler,
  path: string,
  fetch: InstrumentedHandler<BunServerLike>,
  options: HttpInstrumentationOptions,
  rescue: BunRescue | undefined,
  plainFetch: boolean,
  readForwarded: ReadForwarded | undefined,
): (this: unknown, request: Request, server: BunServerLike) => Promise<Response | undefined> {
  // The pattern is the route; a user `route` function still wins where it returns one.
  const user = options.route;
  const routeOptions: HttpInstrumentationOptions = { ...options, route: (r) => user?.(r) ?? path };
  const run = handler as unknown as ServerHandler<BunServerLike>;
  // Marked per request, as `fetch`'s requests are (createServerHandler): a monitor whose global
  // fetch another instrument() traces would otherwise trace these handlers' fetches too.
  const call = (req: Request, t: RequestTelemetry, server: BunServerLike, self: unknown): Response | Promise<Response> => {
    if (plainFetch) t.scope.plainFetch = true;
    // With trustProxy the handler is given Bun's own Request (its `params`) back from the telemetry's view.
    return readForwarded === undefined ? runBunHandler(run, req, server, t, self, rescue) : runBunHandler(run, originalRequest(req), server, t, self, rescue, req);
  };
  // Bun calls a route handler with the server as `this`; the handler gets the same `this`.
  return function tracedRoute(this: unknown, request: Request, server: BunServerLike) {
    const self = this ?? server;
    const view = readForwarded === undefined ? undefined : bunForwardedView(request, server, readForwarded);
    return handleRequest(fetch.monitor, view ?? request, (req, t) => call(req, t, server, self), fetch.track, routeOptions).then(toBunResult);
  };
}
