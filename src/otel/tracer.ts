import {
  context as apiContext,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span as ApiSpan,
  type SpanOptions,
  type Tracer as ApiTracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';
import { contextStorage } from '../context/active.js';
import type { Monitor } from '../monitor.js';
import type { InstrumentationScope } from '../model/resource.js';
import { SpanKind } from '../model/span-data.js';
import { unreadable, type Link, type Span } from '../trace/span.js';
import type { Tracer } from '../trace/tracer.js';
import { fromApiBaggage } from './baggage.js';
import { scopeIn } from './context-manager.js';
import { cleanAttributes, spanTimeArg, toLink, unwrapSpan, wrapSpan } from './span.js';

/** The API's kinds (INTERNAL 0 … CONSUMER 4) are OTLP's minus one. */
export function fromApiKind(kind: unknown): SpanKind {
  return typeof kind === 'number' && kind >= 0 && kind <= 4 ? ((kind + 1) as SpanKind) : SpanKind.INTERNAL;
}

/**
 * `suppressTracing(ctx)` of `@opentelemetry/core` sets this key; its processors export under it
 * so an instrumented HTTP client does not trace the export's own requests (which would be
 * exported, traced again, without end). Core is not a dependency, and importing it would pull
 * the SDK into every app using `/otel`; the API's `createContextKey` is `Symbol.for`, so the
 * same description gives the very key every copy of core uses.
 */
export const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** startSpan's options for a root span with nothing else given (frozen: shared by every such call). */
const ROOT_SPAN = Object.freeze({ parent: null });

/** An `@opentelemetry/api` Tracer that starts the monitor's own spans. */
export class BridgeTracer implements ApiTracer {
  constructor(
    private readonly tracer: Tracer,
    /** Counts options that throw when read. */
    private readonly monitor?: Monitor,
    /** The same tracer of a later registration, if this one's was replaced. */
    private readonly successor?: () => ApiTracer | undefined,
  ) {}

  startSpan(name: string, options?: SpanOptions, context?: Context): ApiSpan {
    const next = this.successor?.();
    if (next !== undefined) return next.startSpan(name, options, context);
    const ctx = context === undefined ? apiContext.active() : this.context(context);
    // The root context holds no value: no suppression, parent span, scope or baggage to look up
    // in it (four Map lookups, about a fifth of what the API adds to a span outside any request).
    const empty = ctx === ROOT_CONTEXT;
    // As the SDK tracer: a non-recording span of the invalid context, which nothing exports.
    if (!empty && ctx.getValue(SUPPRESS_TRACING_KEY) === true) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    let root: unknown;
    let kind: SpanKind | undefined;
    let attributes: Record<string, unknown> | undefined;
    let links: Link[] | undefined;
    let startTime: number | undefined;
    // Options that throw when read (a throwing getter, a revoked Proxy) are counted, as other
    // hostile span input is; the span starts with what was read before the throw.
    if (options !== undefined && options !== null) {
      try {
        root = options.root;
        kind = fromApiKind(options.kind);
        attributes = cleanAttributes(options.attributes);
        startTime = spanTimeArg(options.startTime);
        if (Array.isArray(options.links)) {
          links = [];
          for (const l of options.links) {
            // A link that throws when read loses itself alone, counted, as a link given to
            // monitor.tracer does: not the links after it, nor the start time.
            try {
              const x = toLink(l, this.monitor?.diag);
              if (x) links.push(x);
            } catch {
              if (this.monitor) unreadable(this.monitor);
            }
          }
        }
      } catch {
        if (this.monitor) unreadable(this.monitor);
      }
    }
    const parent: Span | undefined = root || empty ? undefined : unwrapSpan(trace.getSpan(ctx), this.monitor?.diag);
    const scope = empty ? contextStorage().get()?.scope : scopeIn(ctx, parent);
    // A root span without options or scope (the usual case outside a request) takes one shared options object.
    const opts = options === undefined && parent === undefined && scope === undefined ? ROOT_SPAN : { kind, attributes, links, startTime, parent: parent ?? null, scope };
    const span = this.tracer.startSpan(name, opts) as Span & { baggage?: unknown };
    // Baggage lives in the API context, not on the parent span: the context's, even none (a
    // `propagation.deleteBaggage` before a third-party call), or fetch instrumentation injecting
    // this span's baggage would send the parent's.
    if (!empty) span.baggage = fromApiBaggage(propagation.getBaggage(ctx));
    return wrapSpan(span);
  }

  /**
   * `context` if it is one (has `getValue`); anything else (the API's types aside: a number, a
   * revoked Proxy) would throw into the app at its first read, so it is counted
   * (`invalid_attribute`, as span options that cannot be read) and the active context used.
   */
  private context(context: Context): Context {
    try {
      if (typeof context.getValue === 'function') return context;
    } catch {
      // read below as not a context
    }
    if (this.monitor) unreadable(this.monitor);
    return apiContext.active();
  }

  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, a: unknown, b?: unknown, c?: unknown): ReturnType<F> {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a as F;
    else if (typeof b === 'function') {
      options = a as SpanOptions;
      fn = b as F;
    } else {
      options = a as SpanOptions;
      ctx = b as Context | undefined;
      fn = c as F;
    }
    const parentCtx = ctx === undefined ? apiContext.active() : this.context(ctx);
    const span = this.startSpan(name, options, parentCtx);
    // As in OpenTelemetry, the caller ends the span.
    return apiContext.with(trace.setSpan(parentCtx, span), fn as (s: ApiSpan) => ReturnType<F>, undefined, span);
  }
}

let latest: BridgeTracerProvider | undefined;
/** Providers registerOpenTelemetry installed (a provider built by hand never follows another). */
const served = new WeakSet<BridgeTracerProvider>();

/** Marks `provider` as the one registerOpenTelemetry installed last. */
export function setLatestProvider(provider: BridgeTracerProvider): void {
  served.add(provider);
  latest = provider;
}

/** An `@opentelemetry/api` TracerProvider over a monitor: one tracer per name and version. */
export class BridgeTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, BridgeTracer>();
  constructor(private readonly monitor: Monitor) {}

  /**
   * The provider registered last, if it replaced this one. A library's tracer taken at load
   * (`const tracer = trace.getTracer('db')`) stays bound to the provider the API held then,
   * even after `unregisterOpenTelemetry()`: it follows the latest registration, or each test's
   * fresh monitor would lose those spans to the first test's.
   */
  private successor(): BridgeTracerProvider | undefined {
    return latest !== undefined && latest !== this && served.has(this) ? latest : undefined;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): ApiTracer {
    // An invalid name still gets a working tracer, named '' as the API spec asks (not made up).
    const n = typeof name === 'string' ? name : '';
    const url = options?.schemaUrl;
    const schemaUrl = typeof url === 'string' && url !== '' ? url : undefined;
    const key = `${n}@${version ?? ''}${schemaUrl === undefined ? '' : ' ' + schemaUrl}`;
    let t = this.tracers.get(key);
    if (t === undefined) {
      // The schema URL goes with the scope: its spans export in a ScopeSpans of their own, with `schema_url`.
      // Made with the class of the monitor's own tracer: a value import of it would pull the
      // tracer and all it imports into the /otel entry's bundle (about 5 kB gzipped).
      const inner =
        schemaUrl === undefined
          ? this.monitor.getTracer(n, version)
          : new (this.monitor.tracer.constructor as new (owner: Monitor, scope: InstrumentationScope) => Tracer)(this.monitor, { name: n, version, schemaUrl });
      this.tracers.set(key, (t = new BridgeTracer(inner, this.monitor, () => this.successor()?.getTracer(name, version, options))));
    }
    return t;
  }

  /** Exports what is buffered (the monitor's `forceFlush`). */
  forceFlush(): Promise<void> {
    return this.monitor.forceFlush();
  }
}
