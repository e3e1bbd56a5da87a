/**
 * Deno's built-in OpenTelemetry (`OTEL_DENO=true`) traces every `fetch` itself: a CLIENT span,
 * and its own `traceparent` (and `baggage`) appended to the request's headers. Two requests must
 * not get them, and Deno's OpenTelemetry context (`Deno.telemetry.contextManager`) is the only
 * lever it offers:
 * - a request that already carries a `traceparent` (the library's traced fetch put its CLIENT
 *   span's there, or the app its own) keeps that one alone: it is sent in a context holding the
 *   OpenTelemetry suppress-tracing key, which Deno's propagators honour (they inject nothing), so
 *   the server it reaches sees one parent, the span active in the app, instead of two values;
 * - the monitor's exporter requests (`markUntraced`, `isExporterRequest`) get no trace headers
 *   from Deno either, and run under a valid but unsampled parent span: a parent-based sampler
 *   (`OTEL_TRACES_SAMPLER=parentbased_*`) then makes no span of them. Deno's default sampler
 *   records every span whatever its parent, and Deno 2.9 has no other way to leave a fetch
 *   untraced, so under it each export still shows up as a CLIENT span of Deno's. The unsampled
 *   parent is used only when a probe shows Deno's sampler follows it, so that under the default
 *   sampler those spans keep their real parent instead of a made-up one.
 */
import { isExporterRequest } from '../../../src/exporters/otlp/exporter-urls.js';
import { newSpanId, newTraceId } from '../../../src/trace/ids.js';

interface OtelContext {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): OtelContext;
}

interface DenoContextManager {
  active(): OtelContext;
  with<R>(context: OtelContext, fn: () => R): R;
}

interface DenoTelemetry {
  readonly contextManager?: DenoContextManager;
  readonly tracerProvider?: {
    getTracer(name: string): { startSpan(name: string, options?: unknown, context?: OtelContext): { spanContext(): { traceFlags?: number } } };
  };
}

type FetchFn = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
/** `suppressTracing()` of `@opentelemetry/core` sets this key; Deno's propagators then inject nothing. */
const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
const GUARDED = Symbol.for('@lexigram/monitor/deno-otel-fetch');
/** Where `traceGlobalFetch` keeps the fetch it wrapped (src/adapter/process-server.ts). */
const ORIGINAL = Symbol.for('@lexigram/monitor/original-fetch');

type MarkedFetch = FetchFn & { [GUARDED]?: true; [ORIGINAL]?: MarkedFetch };

function denoTelemetry(): DenoTelemetry | undefined {
  try {
    return (globalThis as unknown as { Deno?: { telemetry?: DenoTelemetry } }).Deno?.telemetry;
  } catch {
    return undefined;
  }
}

let unsampled: object | undefined;

/** A valid remote parent whose trace flags say "not sampled"; it records nothing. */
function unsampledParent(): object {
  if (unsampled) return unsampled;
  const context = { traceId: newTraceId(), spanId: newSpanId(), traceFlags: 0, isRemote: true };
  const self: Record<string, unknown> = {
    spanContext: () => context,
    isRecording: () => false,
    end: () => undefined,
    recordException: () => undefined,
  };
  for (const m of ['setAttribute', 'setAttributes', 'addEvent', 'addLink', 'addLinks', 'setStatus', 'updateName']) self[m] = () => self;
  return (unsampled = self);
}

let followsParent: boolean | undefined;

/**
 * Whether Deno's sampler keeps the decision of an unsampled parent (a `parentbased_*` sampler):
 * a span started under `unsampledParent()` is then unsampled too. The probe span is never
 * ended, and Deno exports only ended spans, so it is never exported either way.
 */
function samplerFollowsParent(telemetry: DenoTelemetry, manager: DenoContextManager): boolean {
  if (followsParent !== undefined) return followsParent;
  try {
    const tracer = telemetry.tracerProvider!.getTracer('@lexigram/monitor');
    const probe = tracer.startSpan('@lexigram/monitor sampler probe', undefined, manager.active().setValue(SPAN_KEY, unsampledParent()));
    followsParent = ((probe.spanContext().traceFlags ?? 1) & 1) === 0;
  } catch {
    followsParent = false;
  }
  return followsParent;
}

/**
 * Headers given as a one-shot iterator (a generator, `map.entries()`): reading them here would
 * leave fetch nothing to send. An iterable whose iterator is itself is one.
 */
function readOnce(headers: unknown): boolean {
  if (headers === null || typeof headers !== 'object' || headers instanceof Headers) return false;
  const iterate = (headers as { [Symbol.iterator]?: () => unknown })[Symbol.iterator];
  return typeof iterate === 'function' && iterate.call(headers) === headers;
}

/** Whether the request a `fetch(input, init)` call would send has a `traceparent` header. */
function carriesTraceparent(input: unknown, init: RequestInit | undefined): boolean {
  const headers = init?.headers as unknown;
  if (headers !== undefined && headers !== null) {
    // init.headers replaces the headers of a Request given as input. Any HeadersInit (a record,
    // pairs, a Map or another iterable) reads as fetch itself reads it; one it rejects, fetch
    // rejects too, and the caller's try sends it as it is.
    return (headers instanceof Headers ? headers : new Headers(headers as HeadersInit)).has('traceparent');
  }
  return input instanceof Request && input.headers.has('traceparent');
}

/**
 * Wraps the global `fetch` once per process, beneath the library's traced fetch when that comes
 * later (`instrument()` calls this first): exporter requests and requests that already carry a
 * `traceparent` run in a Deno OpenTelemetry context where Deno adds no trace headers (and, with
 * a parent-based sampler, makes no span of an exporter request); other calls pass through
 * untouched. Returns false when there is nothing to do (no `Deno.telemetry`, already wrapped).
 */
export function guardFetchFromDenoOtel(): boolean {
  const g = globalThis as unknown as { fetch?: MarkedFetch };
  const inner = g.fetch;
  const telemetry = denoTelemetry();
  const manager = telemetry?.contextManager;
  if (typeof inner !== 'function' || typeof manager?.with !== 'function' || typeof manager.active !== 'function') return false;
  if (inner[GUARDED] || inner[ORIGINAL]?.[GUARDED]) return false;
  const guarded = function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    let context: OtelContext | undefined;
    if (readOnce(init?.headers)) {
      // Read once, into the Headers fetch then gets; a bad one rejects as fetch would have.
      try {
        init = { ...init, headers: new Headers(init!.headers) };
      } catch (err) {
        return Promise.reject(err);
      }
    }
    try {
      if (isExporterRequest(input, init)) {
        context = manager.active().setValue(SUPPRESS_TRACING_KEY, true);
        if (samplerFollowsParent(telemetry!, manager)) context = context.setValue(SPAN_KEY, unsampledParent());
      } else if (carriesTraceparent(input, init)) {
        context = manager.active().setValue(SUPPRESS_TRACING_KEY, true);
      }
    } catch {
      context = undefined;
    }
    return context ? manager.with(context, () => inner(input, init)) : inner(input, init);
  } as MarkedFetch;
  guarded[GUARDED] = true;
  g.fetch = guarded;
  return true;
}
