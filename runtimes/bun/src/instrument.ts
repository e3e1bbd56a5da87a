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
import type { BunServer, BunServerLike } from './bun-types.js';
import { runBunHandler, toBunResult, type BunRescue } from './request.js';

/**
 * A handler for `Bun.serve({ fetch })`: the request, Bun's server, and the request's telemetry;
 * `this` is the server, as Bun gives `fetch`.
 */
export type BunHandler = (
  this: BunServer,
  request: Request,
  server: BunServer,
  telemetry: RequestTelemetry,
) => Response | undefined | Promise<Response | undefined>;

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
): InstrumentedHandler<BunServer> {
  return instrumentBun(handler, config, options) as unknown as InstrumentedHandler<BunServer>;
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
  options: ServerInstrumentationOptions | undefined,
  rescue?: BunRescue,
): InstrumentedHandler<BunServerLike> {
  useAsyncLocalStorage();
  if (typeof handler !== 'function') throw new TypeError('instrument(handler, config): handler must be a function (request, server) => Response.');
  const user = handler as unknown as ServerHandler<BunServerLike>;
  const inner = createServerHandler<BunCall>((req, call, t) => runBunHandler(user, req, call.server, t, call.self, rescue), config, process.env, options);
  // Bun calls fetch with the server as `this`; the handler gets the same `this` (the server
  // when called as a plain function). Bun wants `undefined` back after a WebSocket upgrade;
  // the span recorded it as 101.
  const outer = function instrumentedBunHandler(this: unknown, request: Request, server: BunServerLike) {
    return inner(request, { server, self: this ?? server }).then(toBunResult);
  } as InstrumentedHandler<BunServerLike>;
  for (const key of ['monitor', 'track', 'pending', 'flush', 'shutdown'] as const) {
    Object.defineProperty(outer, key, Object.getOwnPropertyDescriptor(inner, key)!);
  }
  return outer;
}
