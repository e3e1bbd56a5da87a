/// <reference types="node" />
import type { EnvRecord } from '../../../src/config/env.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import type { ServerInstrumentationOptions } from '../../../src/adapter/process-server.js';
import { flushOnExit, type FlushOnExitOptions } from '../../node/src/flush-on-exit.js';
import { bunGlobal, type BunServerLike } from './bun-types.js';
import { instrument, type BunHandler } from './instrument.js';
import { instrumentRoutes } from './routes.js';

/** A `routes` handler as Bun calls it: the request carries the pattern's `params`. */
export type BunRouteHandler = (
  req: Request & { params: Record<string, string> },
  server: BunServerLike,
) => Response | undefined | Promise<Response | undefined>;

/**
 * A `routes` value: a handler, one per method, or what Bun answers without JavaScript (a static
 * `Response`, an HTML import, `false`). Typed so that a handler's `req.params` is known.
 */
export type BunRoute = BunRouteHandler | Partial<Record<string, BunRouteHandler | Response>> | Response | object | false;

export interface BunServeInstrumentation extends ServerInstrumentationOptions {
  /** Flush on SIGTERM/SIGINT before exit (default true); options or false. */
  flushOnExit?: boolean | FlushOnExitOptions;
}

/**
 * `Bun.serve` with an instrumented `fetch`, instrumented `routes` handlers (the pattern, such as
 * `/users/:id`, becomes `http.route`) and flush on SIGTERM/SIGINT. Bun's other options (`port`,
 * `hostname`, `tls`, `websocket`, ...) pass through. Static `Response` routes and HTML imports
 * are answered by Bun without running JavaScript and are not traced.
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
export function serve(
  handler: BunHandler,
  config: MonitorConfig<EnvRecord> = {},
  serverOptions: Record<string, unknown> & { routes?: Record<string, BunRoute>; instrumentation?: BunServeInstrumentation } = {},
): BunServerLike {
  const { instrumentation = {}, ...bunOptions } = serverOptions;
  const { flushOnExit: exitOption, ...http } = instrumentation;
  const fetch = instrument(handler, config, http);
  const { traceFetch: _traceFetch, ...routeOptions } = http;
  const routes = bunOptions.routes;
  const traced = routes !== null && typeof routes === 'object' ? { routes: instrumentRoutes(routes as Record<string, unknown>, fetch, routeOptions) } : {};
  const server = bunGlobal().serve({ ...bunOptions, ...traced, fetch });
  if (exitOption !== false) {
    flushOnExit(fetch, { ...(typeof exitOption === 'object' ? exitOption : {}), beforeFlush: () => server.stop() });
  }
  return server;
}
