// The order of these imports is the order of the modules in a bundle: this one compresses best
// (`npm run size`; about 90 B of the Worker bundle). It has no other meaning.
import { lazyIsolate, type Isolate } from './isolate.js';
import { SpanKind } from '../../../src/model/span-data.js';
import type { Span } from '../../../src/trace/span.js';
import { wrapRun } from './workflow.js';
import { watchPassThrough } from './pass-through.js';
import { getActiveScope } from '../../../src/context/active.js';
import { busy, runIn, wrapMethod, wrapRpc } from './rpc.js';
import { handleRequest } from '../../../src/http/handle-request.js';
import { instrumentDO, mark, scheduledTime, wrapOnce } from './durable-object.js';
import { bindTelemetry, getRequestTelemetry, type WorkerTelemetry } from './telemetry.js';
import { exportAndHold } from './wait-until.js';
import type { WorkersAdapterOptions, WorkersConfig } from './options.js';
import type { ExecutionContext, ExecutionContextLike, ForwardableEmailMessage, MessageBatch, ScheduledController, TraceItem } from './types.js';

/**
 * A Worker's handlers as `instrument()` calls them: the usual three arguments plus the invocation's
 * telemetry. `E` is the env; `Q`, `X`, `S`, `B`, `M` and `T` the request, `ctx`, controller, batch,
 * email message and tail event, this module's types unless `instrument()` infers them (see
 * {@link RuntimeHandler}).
 */
export interface WorkerHandler<E = any, Q = Request, X = ExecutionContext, S = ScheduledController, B = MessageBatch, M = ForwardableEmailMessage, T = TraceItem> {
  fetch?(request: Q, env: E, ctx: X, telemetry: WorkerTelemetry): Response | Promise<Response>;
  scheduled?(controller: S, env: E, ctx: X, telemetry: WorkerTelemetry): void | Promise<void>;
  queue?(batch: B, env: E, ctx: X, telemetry: WorkerTelemetry): void | Promise<void>;
  email?(message: M, env: E, ctx: X, telemetry: WorkerTelemetry): void | Promise<void>;
  tail?(events: T[], env: E, ctx: X, telemetry: WorkerTelemetry): void | Promise<void>;
  /** The `tail` handler's older name, which workerd still calls (when there is no `tail`): instrumented as `tail`. */
  trace?(events: T[], env: E, ctx: X, telemetry: WorkerTelemetry): void | Promise<void>;
}

/**
 * Where `instrument()` infers the env and the handlers' inputs from: with
 * `instrument({...}) satisfies ExportedHandler<Env>`, TypeScript infers its type parameters from
 * this part of the return type, so the handlers' parameters are typed as @cloudflare/workers-types
 * types them (`env: Env`, `controller.noRetry()`, `message.forward()`, `request.cf`). A handler the
 * object has returns `unknown` here, which satisfies no ExportedHandler: the check is made on the
 * handler itself ({@link InstrumentedHandler}), never waived. One it lacks is typed as the runtime's.
 */
type Has<H, K extends string, R> = K extends keyof H ? unknown : R;
export type RuntimeHandler<H, E, Q, X, S, B, M, T> = {
  fetch?(request: Q, env: E, ctx: X): Has<H, 'fetch', Response | Promise<Response>>;
  scheduled?(controller: S, env: E, ctx: X): Has<H, 'scheduled', void | Promise<void>>;
  queue?(batch: B, env: E, ctx: X): Has<H, 'queue', void | Promise<void>>;
  email?(message: M, env: E, ctx: X): Has<H, 'email', void | Promise<void>>;
  tail?(events: T[], env: E, ctx: X): Has<H, 'tail', void | Promise<void>>;
};

/**
 * What `instrument()` returns: the same object, its handlers taking the runtime's three
 * arguments (`request`/`controller`/`batch`..., `env`, `ctx`).
 */
export type InstrumentedHandler<H> = {
  [K in keyof H]: K extends keyof WorkerHandler
    ? H[K] extends ((input: infer I, env: infer E, ...rest: any[]) => infer R) | undefined
      ? (input: I, env: E, ctx: ExecutionContextLike) => R extends Promise<unknown> ? R : Promise<Awaited<R>> | R
      : H[K]
    : H[K];
};

/**
 * `H`, but not a place TypeScript infers `H` from: with `instrument({...}) satisfies
 * ExportedHandler<Env>`, inferring from the return type would type the handler from
 * ExportedHandler's three-argument handlers and leave the telemetry argument an implicit any.
 * (TypeScript 5.4's `NoInfer` does the same; this form also works before 5.4.)
 */
type NotInferred<T> = [T][T extends any ? 0 : never];

type HandlerName = keyof WorkerHandler;
const HANDLERS: readonly HandlerName[] = ['fetch', 'scheduled', 'queue', 'email', 'tail'];
/**
 * An object's handlers: `trace` too, the older name of `tail` (a Tail Worker written with it ran
 * with no span, and what it recorded never left). Not a class's: a WorkerEntrypoint's `trace` may
 * be an RPC method (`env.LOG.trace(...)`), left as it is.
 */
const OBJECT_HANDLERS: readonly HandlerName[] = [...HANDLERS, 'trace'];
/** A `WorkerEntrypoint`'s methods that are not RPC: the handlers the runtime calls itself. */
const NOT_RPC = ['constructor', 'connect', 'tailStream', 'test', 'trace', ...HANDLERS];
/** `ctx` is passed too, so that an object's handler needs no closure per request to reach it. */
type Call = (input: any, env: unknown, telemetry: WorkerTelemetry, ctx: ExecutionContextLike) => any;

/**
 * The span of a `scheduled`, `queue`, `email` or `tail` invocation: SERVER, as the FaaS conventions
 * ask of an incoming invocation (a timer's too), but for a queue batch, a CONSUMER `process` span
 * (messaging conventions, which the FaaS ones defer to for pubsub).
 */
function invocationSpan(name: HandlerName, input: any): { name: string; kind: SpanKind; attributes: Record<string, unknown> } {
  if (name === 'scheduled') {
    const attributes: Record<string, unknown> = { 'faas.trigger': 'timer' };
    // Only a cron there is: an undefined value was counted as the app's invalid_attribute drop.
    if (input?.cron && typeof input.cron === 'string') attributes['faas.cron'] = input.cron;
    scheduledTime(attributes, input?.scheduledTime);
    return { name: input?.cron ? `scheduled ${input.cron}` : 'scheduled', kind: SpanKind.SERVER, attributes };
  }
  if (name === 'queue') {
    const queue = typeof input?.queue === 'string' ? input.queue : 'unknown';
    const attributes = {
      'faas.trigger': 'pubsub',
      'messaging.system': 'cloudflare_queues',
      'messaging.destination.name': queue,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process', // required by the messaging semantic conventions
      'messaging.batch.message_count': Array.isArray(input?.messages) ? input.messages.length : 0,
    };
    return { name: `process ${queue}`, kind: SpanKind.CONSUMER, attributes };
  }
  // email and tail (`trace` is its older name: the same span): sizes only, never addresses or the producer's data (personal data).
  const trigger = name === 'trace' ? 'tail' : name;
  const attributes: Record<string, unknown> = { 'faas.trigger': 'other', 'cloudflare.trigger': trigger };
  if (trigger === 'tail') attributes['cloudflare.tail.event_count'] = Array.isArray(input) ? input.length : 0;
  else if (typeof input?.rawSize === 'number') attributes['cloudflare.email.size'] = input.rawSize;
  return { name: trigger, kind: SpanKind.SERVER, attributes };
}

/**
 * One invocation of handler `name`: a SERVER span for `fetch` (through the HTTP instrumentation),
 * a span of its own for the others; `call` gets the input, the instrumented env and the telemetry.
 */
function invoke(iso: Isolate, name: HandlerName, input: any, env: unknown, ctx: ExecutionContextLike, call: Call): any {
  // instrument() inside instrument() with one monitor (a wrapper library's and the app's): the
  // outer invocation, still running (its scope is the active one), serves both, so a request
  // gets one SERVER span and its metrics once, and `env` is already instrumented.
  const outer = getRequestTelemetry(ctx);
  if (outer !== undefined && outer.monitor === iso.monitor && !outer.scope.closed && getActiveScope() === outer.scope) return call(input, env, outer, ctx);
  const wrappedEnv = iso.env(env);
  if (name === 'fetch') {
    // Read by index: destructuring the pair went through the array iterator (an iterator and a
    // result object per request in workerd).
    const hold = exportAndHold(ctx, iso.waitUntilTimeoutMs);
    return handleRequest(
      iso.monitor,
      input as Request,
      (req, t) => {
        const telemetry = iso.enter(t.scope, t.span);
        bindTelemetry(ctx, telemetry);
        watchPassThrough(ctx);
        return call(req, wrappedEnv, telemetry, ctx) as Response | Promise<Response>;
      },
      hold[0],
      iso.edgeHttp,
      hold[1],
    );
  }
  return runIn(iso, invocationSpan(name, input), ctx, (t) => (name === 'queue' && watchBatch(input, t.span), call(input, wrappedEnv, t, ctx)), true);
}

/**
 * Records on the CONSUMER span, as `cloudflare.queue.retried`, the messages the handler retried
 * (each `retry()` call on a message; `retryAll()`: the whole batch), so a batch it retried does not
 * look like a success (when it returns, the others are acked; when it throws, the span has the
 * error). Each call still reaches the runtime's method, on the runtime's object (the method is
 * set on the object, not on a copy); an object that takes no property (frozen) is left unwatched.
 */
function watchBatch(batch: any, span: Span): void {
  let retried = 0;
  const watch = (o: any, p: string, all?: number): void => {
    const f = o?.[p];
    try {
      if (typeof f == 'function')
        o[p] = (...args: unknown[]) => {
          if (span.isRecording()) span.setAttribute('cloudflare.queue.retried', (retried = all ?? retried + 1));
          return f.apply(o, args);
        };
    } catch {
      // read-only: the call goes on, unrecorded
    }
  };
  const messages = batch?.messages;
  if (Array.isArray(messages)) {
    for (const m of messages) watch(m, 'retry');
    watch(batch, 'retryAll', messages.length);
  }
}

/**
 * Instruments a Worker: each `fetch` gets a SERVER span (incoming `traceparent` continued), the
 * HTTP server metrics and a scope; `scheduled`, `queue`, `email` and `tail` get a span of
 * their own. Outgoing `fetch` and bindings in `env` get CLIENT spans. One export per backend
 * is handed to `ctx.waitUntil`, so the response never waits for it; it waits for the work the
 * handler hands to `ctx.waitUntil` itself (at most `waitUntilTimeoutMs`, 10 s), whose spans and
 * logs then leave with it. The monitor is built on the first invocation (nothing runs at module
 * load) and reused by the isolate.
 *
 * Each handler receives a fourth argument, its {@link WorkerTelemetry}, also available as
 * `getRequestTelemetry(ctx)`: without AsyncLocalStorage the invocation is current only until
 * the handler's first `await`, and these reach it anyway.
 *
 * A class (`class extends WorkerEntrypoint`) is instrumented the same way: a subclass is
 * returned whose `fetch`, `scheduled`, `queue`, `email` and `tail` use `this.ctx`, see the
 * instrumented `this.env`, and receive the telemetry as their second argument. Its RPC methods
 * (the other prototype methods, own or from a base class of yours, that another Worker calls
 * through a service binding) get a SERVER span `${Class.name}.${method}` with the `rpc.*`
 * attributes and a scope, exported through `this.ctx.waitUntil`, like a Durable Object's: their
 * arguments are unchanged (`getRequestTelemetry(this.ctx)` reaches the telemetry), a synchronous
 * method stays synchronous, and the span starts a new trace (Workers RPC carries no context).
 * Getters, symbol-keyed and `_`-prefixed methods, and `WorkerEntrypoint`'s own, are left as they are.
 * A `class extends WorkflowEntrypoint` gets a SERVER span `${Class.name}.run` per run() and a
 * child span per `step.do` attempt (a step replayed from the cache gets none). A class extending
 * neither (`class extends DurableObject`, or one extending nothing, which workerd runs as a Durable
 * Object) is instrumented as {@link instrumentDO} does.
 *
 * @param handler the Worker's default export (`fetch`, `scheduled`, `queue`, `email`, `tail` or its older name `trace`; other properties are kept), or a `WorkerEntrypoint` class.
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
export function instrument<C extends abstract new (...args: any[]) => object>(handler: C, config?: WorkersConfig, options?: WorkersAdapterOptions): C;
export function instrument<
  H extends WorkerHandler<E, Q, X, S, B, M, T>,
  E = any,
  Q = Request,
  X = ExecutionContext,
  S = ScheduledController,
  B = MessageBatch,
  M = ForwardableEmailMessage,
  T = TraceItem,
>(handler: H, config?: WorkersConfig<E>, options?: WorkersAdapterOptions): InstrumentedHandler<NotInferred<H>> & RuntimeHandler<NotInferred<H>, E, Q, X, S, B, M, T>;
export function instrument(handler: object, config: WorkersConfig = {}, options?: WorkersAdapterOptions): unknown {
  wrapOnce(handler);
  // workerd runs an exported class that extends neither WorkerEntrypoint nor WorkflowEntrypoint
  // as a Durable Object (a `DurableObject` subclass, or a plain class: the older form). A Durable
  // Object shares one `ctx` between its concurrent requests and has its own handlers (alarm,
  // WebSocket events): instrumentDO() handles both. (A plain class was instrumented as a
  // WorkerEntrypoint: no class attribute, no storage spans.)
  const base = typeof handler === 'function' ? entrypointBase(handler) : '';
  if (base === undefined) return instrumentDO(handler as never, config, options);
  const isolate = lazyIsolate(config, options);
  if (base) {
    const Instrumented = instrumentClass(handler as new (...args: any[]) => object, isolate);
    // A Workflow's run() is started by the Workflows engine, not RPC: its span and its steps' (workflow.ts).
    if (base === 'WorkflowEntrypoint') wrapRun(handler as never, Instrumented, isolate);
    return mark(Instrumented as object);
  }
  const out: Record<string, unknown> = mark({ ...handler });
  const h = handler as Record<string, ((...a: unknown[]) => unknown) | undefined>;
  for (const name of OBJECT_HANDLERS) {
    const f = h[name];
    if (typeof f === 'function') {
      // `ctx` goes to the handler as the runtime gave it (workerd's has everything ExecutionContext names).
      // One `call` per handler, not a closure per request over its `ctx` (invoke() passes it).
      const call: Call = (i, e, t, c) => f.call(handler, i, e, c as ExecutionContext, t);
      out[name] = (input: unknown, env: unknown, ctx: ExecutionContextLike) => invoke(isolate(env), name, input, env, ctx, call);
    }
  }
  return out;
}

/** `class extends WorkerEntrypoint`: a subclass built with the instrumented env, handlers and RPC methods wrapped on its prototype. */
function instrumentClass(Class: new (...args: any[]) => object, isolate: (env: unknown) => Isolate): unknown {
  const Instrumented = class extends Class {
    constructor(ctx: unknown, env: unknown, ...rest: unknown[]) {
      super(ctx, isolate(env).env(env), ...rest);
      // Class fields are defined by super(), over the prototype's wrapped handlers: a handler
      // written as one (`fetch = async (req) => ...`) ran with no span, no scope, no export.
      for (const name of HANDLERS) {
        if (Object.hasOwn(this, name)) {
          try {
            const f = (this as Record<string, unknown>)[name];
            if (typeof f === 'function') (this as Record<string, unknown>)[name] = handler(name, f);
          } catch {
            // a frozen instance: the handler runs as it is, untraced
          }
        }
      }
    }
  };
  Object.defineProperty(Instrumented, 'name', { value: Class.name });
  const target = (self: { ctx: ExecutionContext; env: unknown }): [Isolate, ExecutionContext] => [isolate(self.env), self.ctx];
  wrapRpc(Class, Instrumented.prototype, 'WorkerEntrypoint', NOT_RPC, target, undefined, true);
  const className = Class.name || 'WorkerEntrypoint';
  /** Handler `name`, `f` (the prototype's method, or an instance's field), traced. */
  const handler = (name: HandlerName, f: Function): ((...args: unknown[]) => unknown) => {
    // A method named like a handler may be an RPC method (`env.MAILER.email(to, subject, body)`):
    // called with anything but the event the runtime passes, it runs as RPC, its arguments
    // unchanged.
    const rpc: Record<string, (...args: unknown[]) => unknown> = {};
    wrapMethod(rpc, name, f, target, { name: `${className}.${name}`, kind: SpanKind.SERVER, attributes: { 'rpc.system': 'cloudflare_rpc', 'rpc.service': className, 'rpc.method': name } }, true);
    // `this.env` is already instrumented: Isolate.env() hands it back as it is.
    return function (this: { ctx: ExecutionContext; env: unknown }, ...args: unknown[]) {
      if (name !== 'fetch' && !isEvent(name, args[0])) return rpc[name]!.apply(this, args);
      // Busy while it runs: the instance's own method calls open no RPC span (see busy()).
      return busy(this, () => invoke(isolate(this.env), name, args[0], this.env, this.ctx, (i, _e, t) => f.call(this, i, t)));
    };
  };
  for (const name of HANDLERS) {
    const f = (Class.prototype as Record<string, unknown>)[name];
    if (typeof f === 'function') (Instrumented.prototype as Record<string, unknown>)[name] = handler(name, f);
  }
  return Instrumented;
}

/** What the runtime passes to a `scheduled`, `queue`, `email` or `tail` handler, told apart from RPC arguments. */
function isEvent(name: HandlerName, input: unknown): boolean {
  if (name === 'tail') return Array.isArray(input);
  if (input === null || typeof input !== 'object') return false;
  const e = input as Record<string, unknown>;
  // Loose enough for a test's stub controller or batch; RPC callers pass their own arguments.
  if (name === 'scheduled') return typeof e.cron === 'string' || typeof e.scheduledTime === 'number';
  if (name === 'queue') return Array.isArray(e.messages);
  return typeof e.from === 'string' && typeof e.to === 'string';
}

/** `WorkerEntrypoint` or `WorkflowEntrypoint` when `Class` extends (at any depth) a class of that name (`cloudflare:workers`' classes), else undefined. */
function entrypointBase(Class: object): string | undefined {
  for (let p = Object.getPrototypeOf(Class) as { name?: string } | null; p && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    if (p.name === 'WorkerEntrypoint' || p.name === 'WorkflowEntrypoint') return p.name;
  }
}
