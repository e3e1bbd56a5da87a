/// <reference types="node" />
import type { EnvRecord } from '../../../src/config/env.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import {
  createServerHandler,
  type InstrumentedHandler,
  type ServerHandler,
  type ServerInstrumentationOptions,
} from '../../../src/adapter/process-server.js';
import type { RequestTelemetry } from '../../../src/http/handle-request.js';
import { useAsyncLocalStorage } from '../../node/src/instrument.js';
import type { BunServerLike } from './bun-types.js';
import { runBunHandler, toBunResult } from './request.js';

/** A handler for `Bun.serve({ fetch })`: the request, Bun's server, and the request's telemetry. */
export type BunHandler = (
  request: Request,
  server: BunServerLike,
  telemetry: RequestTelemetry,
) => Response | undefined | Promise<Response | undefined>;

/**
 * Wraps a `Bun.serve` fetch handler with a SERVER span, the HTTP server metrics and logs per
 * request; exports run in the background and are tracked (`handler.flush()`,
 * `handler.shutdown()`, `flushOnExit(handler)`). A WebSocket upgrade (`server.upgrade(request)`,
 * then return nothing, as Bun asks) is recorded as status 101, not as a handler error.
 *
 * @param handler `(request, server, telemetry) => Response`
 * @param config monitor, options or `(env) => options`; OTEL_* from `process.env` apply
 * @param options HTTP options; `traceFetch` (default true) traces the global `fetch`
 * @example
 * ```ts
 * import { instrument } from '@lexigram/monitor/bun';
 * Bun.serve({ port: 3000, fetch: instrument((req) => new Response('hi'), { serviceName: 'api' }) });
 * ```
 */
export function instrument(
  handler: BunHandler,
  config: MonitorConfig<EnvRecord> = {},
  options?: ServerInstrumentationOptions,
): InstrumentedHandler<BunServerLike> {
  useAsyncLocalStorage();
  if (typeof handler !== 'function') throw new TypeError('instrument(handler, config): handler must be a function (request, server) => Response.');
  const user = handler as ServerHandler<BunServerLike>;
  const inner = createServerHandler<BunServerLike>((req, server, t) => runBunHandler(user, req, server, t), config, process.env, options);
  // Bun wants `undefined` back after a WebSocket upgrade; the span recorded it as 101.
  const outer = function instrumentedBunHandler(request: Request, server: BunServerLike) {
    return inner(request, server).then(toBunResult);
  } as InstrumentedHandler<BunServerLike>;
  for (const key of ['monitor', 'track', 'pending', 'flush', 'shutdown'] as const) {
    Object.defineProperty(outer, key, Object.getOwnPropertyDescriptor(inner, key)!);
  }
  return outer;
}
