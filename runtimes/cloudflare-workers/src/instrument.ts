import { handleRequest } from '../../../src/http/handle-request.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { runInvocation } from './invocation.js';
import { lazyIsolate } from './isolate.js';
import type { WorkersAdapterOptions, WorkersConfig } from './options.js';
import { bindTelemetry, type WorkerTelemetry } from './telemetry.js';
import type { ExecutionContext, ForwardableEmailMessage, MessageBatch, ScheduledController, TraceItem } from './types.js';

/** A Worker's handlers as `instrument()` calls them: the usual three arguments plus the invocation's telemetry. */
export interface WorkerHandler<E = any> {
  fetch?(request: Request, env: E, ctx: ExecutionContext, telemetry: WorkerTelemetry): Response | Promise<Response>;
  scheduled?(controller: ScheduledController, env: E, ctx: ExecutionContext, telemetry: WorkerTelemetry): void | Promise<void>;
  queue?(batch: MessageBatch, env: E, ctx: ExecutionContext, telemetry: WorkerTelemetry): void | Promise<void>;
  email?(message: ForwardableEmailMessage, env: E, ctx: ExecutionContext, telemetry: WorkerTelemetry): void | Promise<void>;
  tail?(events: TraceItem[], env: E, ctx: ExecutionContext, telemetry: WorkerTelemetry): void | Promise<void>;
}

/**
 * What `instrument()` returns: the same object, its handlers taking the runtime's three
 * arguments (`request`/`controller`/`batch`..., `env`, `ctx`).
 */
export type InstrumentedHandler<H> = {
  [K in keyof H]: K extends keyof WorkerHandler
    ? H[K] extends ((input: infer I, env: infer E, ...rest: any[]) => infer R) | undefined
      ? (input: I, env: E, ctx: ExecutionContext) => R extends Promise<unknown> ? R : Promise<Awaited<R>> | R
      : H[K]
    : H[K];
};

function waitUntilOf(ctx: ExecutionContext): (p: Promise<unknown>) => void {
  return (p) => ctx.waitUntil(p);
}

/**
 * Instruments a Worker: each `fetch` gets a SERVER span (incoming `traceparent` continued), the
 * HTTP server metrics and a scope; `scheduled`, `queue`, `email` and `tail` get a span of
 * their own. Outgoing `fetch` and bindings in `env` get CLIENT spans. One export per backend
 * is handed to `ctx.waitUntil`, so the response never waits for it. The monitor is built on
 * the first invocation (nothing runs at module load) and reused by the isolate.
 *
 * Each handler receives a fourth argument, its {@link WorkerTelemetry}, also available as
 * `getRequestTelemetry(ctx)`: without AsyncLocalStorage the invocation is current only until
 * the handler's first `await`, and these reach it anyway.
 *
 * @param handler the Worker's default export (`fetch`, `scheduled`, `queue`, `email`, `tail`; other properties are kept).
 * @param config monitor options plus adapter options, a `Monitor`, or `(env) => options`
 *   (OTEL_* vars in `env` are honoured; with no `backends`, OTEL_EXPORTER_OTLP_* selects OTLP, else the console).
 * @param options adapter options when `config` is a `Monitor`.
 * @example
 * ```ts
 * import { instrument } from '@lexigram/monitor/cloudflare-workers';
 *
 * export default instrument({
 *   async fetch(request, env) {
 *     const hits = await env.KV.get('hits');
 *     return Response.json({ hits });
 *   },
 * }, (env) => ({ serviceName: 'api' }));
 * ```
 */
export function instrument<H extends WorkerHandler<any>>(handler: H, config: WorkersConfig = {}, options?: WorkersAdapterOptions): InstrumentedHandler<H> {
  const isolate = lazyIsolate(config, options);
  const out: Record<string, unknown> = { ...(handler as object) };
  const h = handler as WorkerHandler<any>;

  if (typeof h.fetch === 'function') {
    out.fetch = function instrumentedFetch(request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> {
      const iso = isolate(env);
      const wrappedEnv = iso.env(env);
      return handleRequest(
        iso.monitor,
        request,
        (req, t) => {
          const telemetry = iso.enter(t.scope, t.span);
          bindTelemetry(ctx, telemetry);
          return h.fetch!.call(handler, req, wrappedEnv, ctx, telemetry);
        },
        waitUntilOf(ctx),
        iso.http,
      );
    };
  }

  if (typeof h.scheduled === 'function') {
    out.scheduled = function instrumentedScheduled(controller: ScheduledController, env: unknown, ctx: ExecutionContext): void | Promise<void> {
      const iso = isolate(env);
      const attributes: Record<string, unknown> = { 'faas.trigger': 'timer', 'faas.cron': controller?.cron };
      const t = controller?.scheduledTime;
      if (typeof t === 'number' && Number.isFinite(t)) {
        attributes['faas.time'] = new Date(t).toISOString();
        attributes['cloudflare.scheduled_time'] = t;
      }
      const name = controller?.cron ? `scheduled ${controller.cron}` : 'scheduled';
      return runInvocation(iso, { name, kind: SpanKind.INTERNAL, attributes, waitUntil: waitUntilOf(ctx) }, (telemetry) => {
        bindTelemetry(ctx, telemetry);
        return h.scheduled!.call(handler, controller, iso.env(env), ctx, telemetry);
      });
    };
  }

  if (typeof h.queue === 'function') {
    out.queue = function instrumentedQueue(batch: MessageBatch, env: unknown, ctx: ExecutionContext): void | Promise<void> {
      const iso = isolate(env);
      const queue = typeof batch?.queue === 'string' ? batch.queue : 'unknown';
      const attributes: Record<string, unknown> = {
        'faas.trigger': 'pubsub',
        'messaging.system': 'cloudflare_queues',
        'messaging.destination.name': queue,
        'messaging.operation.type': 'process',
        'messaging.batch.message_count': Array.isArray(batch?.messages) ? batch.messages.length : 0,
      };
      return runInvocation(iso, { name: `process ${queue}`, kind: SpanKind.CONSUMER, attributes, waitUntil: waitUntilOf(ctx) }, (telemetry) => {
        bindTelemetry(ctx, telemetry);
        return h.queue!.call(handler, batch, iso.env(env), ctx, telemetry);
      });
    };
  }

  if (typeof h.email === 'function') {
    out.email = function instrumentedEmail(message: ForwardableEmailMessage, env: unknown, ctx: ExecutionContext): void | Promise<void> {
      const iso = isolate(env);
      const attributes: Record<string, unknown> = { 'faas.trigger': 'other', 'cloudflare.trigger': 'email' };
      if (typeof message?.rawSize === 'number') attributes['cloudflare.email.size'] = message.rawSize;
      return runInvocation(iso, { name: 'email', kind: SpanKind.CONSUMER, attributes, waitUntil: waitUntilOf(ctx) }, (telemetry) => {
        bindTelemetry(ctx, telemetry);
        return h.email!.call(handler, message, iso.env(env), ctx, telemetry);
      });
    };
  }

  if (typeof h.tail === 'function') {
    out.tail = function instrumentedTail(events: TraceItem[], env: unknown, ctx: ExecutionContext): void | Promise<void> {
      const iso = isolate(env);
      const attributes: Record<string, unknown> = { 'faas.trigger': 'other', 'cloudflare.trigger': 'tail', 'cloudflare.tail.event_count': Array.isArray(events) ? events.length : 0 };
      return runInvocation(iso, { name: 'tail', kind: SpanKind.CONSUMER, attributes, waitUntil: waitUntilOf(ctx) }, (telemetry) => {
        bindTelemetry(ctx, telemetry);
        return h.tail!.call(handler, events, iso.env(env), ctx, telemetry);
      });
    };
  }
  return out as InstrumentedHandler<H>;
}
