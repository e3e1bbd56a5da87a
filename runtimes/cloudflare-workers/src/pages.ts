import { handleRequest } from '../../../src/http/handle-request.js';
import { lazyIsolate } from './isolate.js';
import type { WorkersAdapterOptions, WorkersConfig } from './options.js';
import { bindTelemetry, getRequestTelemetry, type WorkerTelemetry } from './telemetry.js';

/** The `context` Cloudflare Pages hands to a Function and to `_middleware` (the parts used here). */
export interface PagesContext<E = any> {
  readonly request: Request;
  readonly env: E;
  readonly params: Record<string, string | string[]>;
  /** Shared by every middleware and Function of one request. */
  data: Record<string, unknown>;
  readonly functionPath: string;
  waitUntil(promise: Promise<unknown>): void;
  next(input?: Request | string, init?: RequestInit): Promise<Response>;
  passThroughOnException(): void;
}

/** A Pages Function or middleware: `export const onRequest = ...`. */
export type PagesFunction<E = any> = (context: PagesContext<E>) => Response | Promise<Response>;

/**
 * Pages Functions in one line: a `_middleware` that gives every request under its folder a
 * SERVER span (continuing an incoming `traceparent`), the HTTP server metrics and a scope, and
 * hands the export to `context.waitUntil`. Functions further down the chain log, count and
 * start spans as in a Worker (with `nodejs_compat` the active span follows them across
 * `await`s; without it, `getPagesTelemetry(context)` reaches the request's telemetry), and
 * their outgoing `fetch` calls get CLIENT spans. Pages gives middleware no route pattern, so
 * spans are named by method unless the `route` option names them; bindings in `env` are not
 * traced, since Pages hands the same `env` object to every Function.
 *
 * @param config monitor options plus adapter options, a `Monitor`, or `(env) => options`
 *   (OTEL_* vars in `env` are honoured, as for `instrument()`)
 * @param options adapter options when `config` is a `Monitor`
 * @example
 * ```ts
 * // functions/_middleware.ts
 * import { pagesMiddleware } from '@lexigram/monitor/cloudflare-workers';
 * export const onRequest = pagesMiddleware((env) => ({ serviceName: 'site' }));
 * ```
 */
export function pagesMiddleware<E = any>(config: WorkersConfig<E> = {}, options?: WorkersAdapterOptions): PagesFunction<E> {
  const isolate = lazyIsolate(config, options);
  return function lexigramMonitorPages(context: PagesContext<E>): Promise<Response> {
    const iso = isolate(context.env);
    return handleRequest(
      iso.monitor,
      context.request,
      (request, t) => {
        const telemetry = iso.enter(t.scope, t.span);
        // `data` is the one object every Function of this request shares.
        bindTelemetry(context.data, telemetry);
        return context.next();
      },
      (promise) => context.waitUntil(promise),
      iso.edgeHttp,
    );
  };
}

/**
 * The telemetry of the Pages request `context` belongs to (set by `pagesMiddleware`): its
 * monitor, scope, span, a traced `fetch`, and `run()` to make it current after an `await`.
 * Undefined outside the middleware, or when a Function replaced `context.data`.
 *
 * @example
 * ```ts
 * export const onRequestGet: PagesFunction = async (context) => {
 *   getPagesTelemetry(context)?.monitor.logger.info('listing users');
 *   return Response.json(await listUsers());
 * };
 * ```
 */
export function getPagesTelemetry(context: Pick<PagesContext, 'data'>): WorkerTelemetry | undefined {
  try {
    return getRequestTelemetry(context.data);
  } catch {
    return undefined;
  }
}
