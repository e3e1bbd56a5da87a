import type { EnvRecord } from '../../../src/config/env.js';
import { contextStorage } from '../../../src/context/active.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import {
  createServerHandler,
  type InstrumentedHandler,
  type ServerHandler,
  type ServerInstrumentationOptions,
} from '../../../src/adapter/process-server.js';
import type { RequestTelemetry } from '../../../src/http/handle-request.js';
import { activeDenoSpan, denoOtelEnabled } from './deno-otel.js';
import { denoEnv, type DenoServeInfo } from './deno-types.js';

/** A handler for `Deno.serve`: the request, Deno's info, and the request's telemetry. */
export type DenoHandler = (request: Request, info: DenoServeInfo, telemetry: RequestTelemetry) => Response | Promise<Response>;

export interface DenoInstrumentationOptions extends ServerInstrumentationOptions {
  /**
   * What to do when Deno's built-in OpenTelemetry is on (`OTEL_DENO=true`), which already
   * exports a SERVER span per request, fetch CLIENT spans and the HTTP server metrics:
   * - `'join'`: make no SERVER span, HTTP metrics or fetch spans of our own; Deno's SERVER span
   *   is the request's server span (named and given `http.route` by the Hono middleware, parent
   *   of the spans made with `monitor.tracer`), and the scope's spans, logs and metrics go to
   *   this monitor's backends. Nothing is exported twice.
   * - `'separate'`: ignore Deno's telemetry and make our own as everywhere else (Deno's SERVER
   *   span and ours are then two spans in two traces, each exported by its owner).
   * - `'auto'` (default): `'join'` when `OTEL_DENO=true`, otherwise `'separate'`. Without env
   *   permission for `OTEL_DENO`, Deno's OpenTelemetry counts as on when its tracer provider is
   *   the one registered in the global OpenTelemetry API (Deno registers it only then).
   */
  denoOtel?: 'auto' | 'join' | 'separate';
}

/**
 * Wraps a `Deno.serve` handler with a SERVER span, the HTTP server metrics and logs per
 * request; exports run in the background and are tracked (`handler.flush()`,
 * `handler.shutdown()`, `flushOnExit(handler)`). With `OTEL_DENO=true` it joins Deno's own
 * telemetry instead of duplicating it (see `denoOtel`).
 *
 * @param handler `(request, info, telemetry) => Response`
 * @param config monitor, options or `(env) => options`; OTEL_* from `Deno.env` apply: all of it with
 *   `--allow-env`, the granted OTEL_* variables with `--allow-env=OTEL_SERVICE_NAME,...`; no
 *   permission is ever requested (no prompt)
 * @param options HTTP options; `traceFetch` (default true) traces the global `fetch`
 * @example
 * ```ts
 * import { instrument } from '@lexigram/monitor/deno';
 * Deno.serve(instrument((req) => new Response('hi'), { serviceName: 'api' }));
 * ```
 */
export function instrument(
  handler: DenoHandler,
  config: MonitorConfig<EnvRecord> = {},
  options: DenoInstrumentationOptions = {},
): InstrumentedHandler<DenoServeInfo> {
  const env = denoEnv();
  const { denoOtel = 'auto', ...http } = options;
  const join = denoOtel === 'join' || (denoOtel === 'auto' && denoOtelEnabled(env));
  // Deno traces fetch itself when its OpenTelemetry is on; a second CLIENT span would duplicate it.
  if (join && http.traceFetch === undefined) http.traceFetch = false;
  const own = createServerHandler<DenoServeInfo>(handler as ServerHandler<DenoServeInfo>, config, env, http, (_req, info, t) => {
    const addr = info?.remoteAddr;
    if (addr?.hostname) t.span.setAttribute('client.address', addr.hostname);
    if (addr?.port) t.span.setAttribute('client.port', addr.port);
  });
  if (!join) return own;
  const monitor = own.monitor;

  const joined = function instrumentedHandler(request: Request, info: DenoServeInfo): Promise<Response> {
    const span = activeDenoSpan();
    // No span of Deno's in sight (a request not served by Deno.serve): trace it ourselves.
    if (!span) return own(request, info);
    const scope = monitor.openScope({ name: 'http' });
    scope.serverSpan = span;
    let result: Promise<Response>;
    try {
      result = Promise.resolve(contextStorage().run({ scope, span }, () => handler(request, info, { scope, span })));
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.then(
      (response) => {
        if (response?.status >= 500) span.setStatus(2);
        own.track(scope.close());
        return response;
      },
      (err: unknown) => {
        span.recordException(err);
        span.setStatus(2, err instanceof Error ? err.message : undefined);
        own.track(scope.close());
        throw err;
      },
    );
  } as InstrumentedHandler<DenoServeInfo>;
  for (const key of ['monitor', 'pending', 'flush', 'shutdown', 'track'] as const) {
    Object.defineProperty(joined, key, { get: () => own[key] });
  }
  return joined;
}
