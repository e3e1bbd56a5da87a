/// <reference types="node" />
import type { EnvRecord } from '../../../src/config/env.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import { serveExitOptions } from '../../../src/adapter/process-server.js';
import { trustFunctionFailed, trustProxyOption } from '../../../src/http/trust-proxy.js';
import { checkHttpOptions, checkNotBeside, HTTP_OPTION_KEYS } from '../../../src/config/option-keys.js';
import { flushOnExit, type FlushOnExitOptions } from '../../node/src/flush-on-exit.js';
import { bunGlobal, type BunServer, type BunServerLike, type BunServerOptions } from './bun-types.js';
import { bunErrorOption } from './error-option.js';
import { instrumentBun, type BunHandler, type BunInstrumentationOptions } from './instrument.js';
import { instrumentRoutes } from './routes.js';

/** A `routes` handler as Bun calls it: the request carries the pattern's `params`; `this` is the server. */
export type BunRouteHandler<D = undefined> = (
  this: BunServer<D>,
  req: Request & { params: Record<string, string> },
  server: BunServer<D>,
) => Response | undefined | Promise<Response | undefined>;

/**
 * A `routes` value: a handler, one per method, or what Bun answers without JavaScript (a static
 * `Response`, an HTML import, `false`). Typed so that a handler's `req.params` is known.
 */
export type BunRoute<D = undefined> = BunRouteHandler<D> | Partial<Record<string, BunRouteHandler<D> | Response>> | Response | object | false;

export interface BunServeInstrumentation extends BunInstrumentationOptions {
  /** Flush on SIGTERM/SIGINT before exit (default true); options or false. */
  flushOnExit?: boolean | FlushOnExitOptions;
}

const INSTRUMENTATION_KEYS: Record<keyof BunServeInstrumentation, 0> = { ...HTTP_OPTION_KEYS, traceFetch: 0, trustProxy: 0, flushOnExit: 0 };

/**
 * `Bun.serve` with an instrumented `fetch`, instrumented `routes` handlers (the pattern, such as
 * `/users/:id`, becomes `http.route`) and flush on SIGTERM/SIGINT. Bun's other options (`port`,
 * `hostname`, `tls`, `websocket`, ...) pass through. Static `Response` routes and HTML imports
 * are answered by Bun without running JavaScript and are not traced. Handlers get the server as
 * `this`, as Bun gives it. Bun's `error` option answers an error a handler throws inside the
 * request's telemetry: the span and the metrics record the status of its Response (a 503 for a
 * maintenance page), with the exception on the span. Once `server.stop()` has closed the server,
 * its last telemetry is flushed and it leaves the exit flush.
 *
 * @example
 * ```ts
 * import { serve } from '@lexigram/monitor/bun';
 * serve((req) => new Response('hello'), { serviceName: 'api' }, {
 *   port: 3000,
 *   routes: { '/users/:id': (req) => Response.json({ id: req.params.id }) },
 * });
 * ```
 */
// Generic in the WebSocket data (`websocket.data`'s type), as `Bun.serve` is.
export function serve<D = undefined>(
  handler: BunHandler<D>,
  config: MonitorConfig<EnvRecord> = {},
  serverOptions: BunServerOptions<D> & { routes?: Record<string, BunRoute<D>>; instrumentation?: BunServeInstrumentation } = {} as BunServerOptions<D>,
): BunServer<D> {
  const { instrumentation = {}, error: errorOption, ...bunOptions } = serverOptions as Record<string, unknown> & { routes?: unknown; instrumentation?: BunServeInstrumentation };
  checkHttpOptions('serve: instrumentation', instrumentation, INSTRUMENTATION_KEYS);
  checkNotBeside(bunOptions, INSTRUMENTATION_KEYS);
  const { flushOnExit: exitOption, ...http } = instrumentation;
  const { rescue, ...error } = bunErrorOption(errorOption);
  const fetch = instrumentBun(handler as BunHandler, config, http, rescue);
  const { traceFetch: _traceFetch, trustProxy, ...routeOptions } = http;
  const routes = bunOptions.routes;
  // Checked already by instrumentBun; the routes' handlers read the same proxies' headers.
  const readForwarded = trustProxyOption('serve', trustProxy, trustFunctionFailed(() => fetch.monitor, 'bun'));
  const traced = routes !== null && typeof routes === 'object' ? { routes: instrumentRoutes(routes as Record<string, unknown>, fetch, routeOptions, rescue, http.traceFetch === false, readForwarded) } : {};
  // Registered (its options checked) before the server starts: a wrong option threw with the
  // server already listening, left running.
  let stop: (() => unknown) | undefined;
  const unregister = exitOption === false ? undefined : flushOnExit(fetch, serveExitOptions(exitOption, () => stop?.()));
  let server: BunServerLike;
  try {
    server = bunGlobal().serve({ ...bunOptions, ...error, ...traced, fetch });
  } catch (err) {
    // Not listening (port in use): nothing to flush on exit.
    unregister?.();
    throw err;
  }
  if (unregister) {
    const original = server.stop;
    stop = () => original.call(server);
    // Bun's server has no `finished`: once stop() has closed it, its last exports are flushed and
    // its handler leaves the exit flush, or a process that starts and stops servers in turn (tests,
    // a supervisor) kept every stopped handler, and its monitor, for a signal.
    server.stop = function (this: unknown, ...args: [boolean?]): unknown {
      const stopped = original.apply(this, args);
      const leave = (): Promise<void> => fetch.flush().finally(unregister);
      Promise.resolve(stopped).then(leave, leave).catch(() => {});
      return stopped;
    };
  }
  return server as BunServer<D>;
}
