import {
  createTraceState,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { Monitor } from '../monitor.js';
import { formatBaggage } from '../trace/propagation/baggage.js';
import type { Span } from '../trace/span.js';
import { extractIncoming } from '../trace/propagation/propagation.js';
import { PROPAGATORS } from '../trace/propagation/propagation.js';
import { formatTraceparent } from '../trace/propagation/traceparent.js';
import { outgoingTracestate } from '../trace/propagation/tracestate.js';
import { fromApiBaggage, toApiBaggage } from './baggage.js';
import { unwrapSpan } from './span.js';
import { SUPPRESS_TRACING_KEY } from './tracer.js';

const FIELDS = ['traceparent', 'tracestate', 'baggage'];

/**
 * Whether `spanId` is the incoming parent of `local` or of its request's server span. A span that
 * keeps no parent (a non-recording one: an unsampled request's) is taken to be below it.
 */
function below(local: Span, spanId: string): boolean {
  const s = local as { parentSpanId?: string; scope?: { serverSpan?: unknown } };
  if (!('parentSpanId' in s)) return true;
  return s.parentSpanId === spanId || (s.scope?.serverSpan as { parentSpanId?: string } | undefined)?.parentSpanId === spanId;
}
/** Without a monitor: both propagators, nothing counted. */
const ALL = { propagators: PROPAGATORS };

/**
 * W3C Trace Context and Baggage for `@opentelemetry/api`'s propagation API, with the same
 * parsers and formatters as `extractContext`/`injectContext`, and the monitor's `propagators`. Under `suppressTracing(context)`
 * (@opentelemetry/core) it injects nothing, as the SDK's W3CTraceContextPropagator and
 * W3CBaggagePropagator do: an exporter's own requests carry no trace headers.
 * Baggage members left out (malformed, past 64 members or 8192 bytes) are counted as
 * `invalid_value` drops by `monitor` (registerOpenTelemetry passes its own); without one they
 * are left out uncounted.
 *
 * @param monitor the monitor that counts baggage members left out
 * @example
 * ```ts
 * propagation.setGlobalPropagator(new W3CPropagator(monitor));
 * ```
 */
export class W3CPropagator implements TextMapPropagator {
  constructor(private readonly monitor?: Monitor) {}

  /** Whether the monitor's `propagators` (OTEL_PROPAGATORS) include `name`; without a monitor, both. */
  #on(name: string): boolean {
    return this.monitor?.propagators.includes(name) ?? true;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      if (context.getValue(SUPPRESS_TRACING_KEY) === true) return;
      const span = trace.getSpan(context);
      if (span !== undefined && this.#on('tracecontext')) {
        const c = span.spanContext();
        if (trace.isSpanContextValid(c)) {
          // A foreign context may hold upper-case hex (the API accepts it); the header must not (TC-02).
          setter.set(carrier, 'traceparent', formatTraceparent(c.traceId.toLowerCase(), c.spanId.toLowerCase(), c.traceFlags));
          // The API's TraceState.set() adds to the left without a bound or a check: drop from the
          // right (TS-02) and leave out malformed members, counted. Never throws (a serialize()
          // that does), so a bad tracestate never costs the baggage below.
          const ts = outgoingTracestate(c.traceState, this.monitor?.diag);
          if (ts) setter.set(carrier, 'tracestate', ts);
        }
      }
      const baggage = fromApiBaggage(propagation.getBaggage(context));
      if (baggage !== undefined && this.#on('baggage')) {
        const b = formatBaggage(baggage, this.monitor?.diag);
        if (b) setter.set(carrier, 'baggage', b);
      }
    } catch {
      // a frozen carrier or a throwing setter: propagate nothing rather than fail the call
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let ctx = context;
    try {
      const headers: Record<string, string | string[] | undefined> = {};
      for (const f of FIELDS) headers[f] = getter.get(carrier, f);
      // As the request adapters read them (without a monitor, both propagators, nothing counted).
      const { parent: remote, baggage } = extractIncoming(headers, this.monitor ?? ALL);
      if (remote !== undefined) {
        // The runtime adapter already made this request's server span a child of the incoming
        // traceparent: when the context holds a local span below that very header, keep it, so
        // instrumentation that extracts again (as `@hono/otel` does) nests under it instead
        // of starting a sibling tree. Any other header of the trace (a message published and
        // consumed in one request) is the parent the caller continues, with its tracestate.
        const span = unwrapSpan(trace.getSpan(ctx), this.monitor?.diag);
        const local = span?.spanContext();
        if (local === undefined || local.isRemote === true || local.traceId !== remote.traceId || !below(span!, remote.spanId)) {
          ctx = trace.setSpanContext(ctx, {
            traceId: remote.traceId,
            spanId: remote.spanId,
            traceFlags: remote.traceFlags,
            isRemote: true,
            traceState: remote.traceState ? createTraceState(remote.traceState) : undefined,
          });
        }
      }
      if (baggage !== undefined) ctx = propagation.setBaggage(ctx, toApiBaggage(baggage));
    } catch {
      return context;
    }
    return ctx;
  }

  /** The headers inject writes: those of the monitor's `propagators` only. */
  fields(): string[] {
    return FIELDS.filter((f, i) => this.#on(i < 2 ? 'tracecontext' : f));
  }
}
