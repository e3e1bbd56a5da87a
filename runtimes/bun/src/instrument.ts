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

/** A handler for `Bun.serve({ fetch })`: the request, Bun's server, and the request's telemetry. */
export type BunHandler = (request: Request, server: BunServerLike, telemetry: RequestTelemetry) => Response | Promise<Response>;

/**
 * Wraps a `Bun.serve` fetch handler with a SERVER span, the HTTP server metrics and logs per
 * request; exports run in the background and are tracked (`handler.flush()`,
 * `handler.shutdown()`, `flushOnExit(handler)`).
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
  return createServerHandler<BunServerLike>(handler as ServerHandler<BunServerLike>, config, process.env, options, (req, server, t) => {
    const ip = server?.requestIP?.(req);
    if (ip) {
      t.span.setAttribute('client.address', ip.address);
      t.span.setAttribute('client.port', ip.port);
    }
  });
}
