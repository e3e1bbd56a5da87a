/**
 * Deno's built-in OpenTelemetry (`OTEL_DENO=true`, DN-01…DN-06) already makes a SERVER span per
 * `Deno.serve` request, CLIENT spans for `fetch` (with `traceparent` injected) and the HTTP
 * server metrics, and exports them itself. To avoid exporting those twice, the adapter joins
 * Deno's trace instead: it reads Deno's active span from the global OpenTelemetry API registry
 * (present without importing `@opentelemetry/api`, DN-05) and makes it the request's server span.
 */
import type { SpanContext } from '../../../src/model/span-data.js';
import { SpanStatus } from '../../../src/model/span-data.js';
import type { Link, Span, TimeInput } from '../../../src/trace/span.js';

interface OtelSpanLike {
  spanContext(): { traceId: string; spanId: string; traceFlags: number; traceState?: { serialize?(): string } };
  setAttribute(key: string, value: unknown): unknown;
  setAttributes?(attributes: Record<string, unknown>): unknown;
  addEvent?(name: string, attributes?: Record<string, unknown>, time?: unknown): unknown;
  addLink?(link: unknown): unknown;
  setStatus?(status: { code: number; message?: string }): unknown;
  recordException?(exception: unknown, time?: unknown): unknown;
  updateName?(name: string): unknown;
  isRecording?(): boolean;
}

interface OtelApiRegistry {
  context?: { active(): { getValue(key: symbol): unknown } | undefined };
}

const API_KEY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

interface OtelApiGlobal {
  trace?: unknown;
}

/**
 * True when Deno's built-in OpenTelemetry is switched on: `OTEL_DENO=true` when that variable
 * could be read; otherwise (no env permission for it, or unset) whether Deno has registered its
 * own tracer provider in the global API registry, which it does before any user code runs only
 * when its OpenTelemetry is on. That needs no permission.
 */
export function denoOtelEnabled(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_DENO !== undefined) return env.OTEL_DENO.trim().toLowerCase() === 'true';
  return denoProvidersRegistered();
}

/** Deno's own tracer provider is the one in the global OpenTelemetry API registry. */
function denoProvidersRegistered(): boolean {
  try {
    const g = globalThis as unknown as Record<symbol, OtelApiGlobal | undefined> & { Deno?: { telemetry?: { tracerProvider?: unknown } } };
    const provider = g.Deno?.telemetry?.tracerProvider;
    return provider !== undefined && g[API_KEY]?.trace === provider;
  } catch {
    return false;
  }
}

/** Deno's span for the current request, as a `Span` of this library; undefined when none is active. */
export function activeDenoSpan(): Span | undefined {
  try {
    const api = (globalThis as unknown as Record<symbol, OtelApiRegistry | undefined>)[API_KEY];
    const span = api?.context?.active()?.getValue(SPAN_KEY) as OtelSpanLike | undefined;
    if (!span || typeof span.spanContext !== 'function') return undefined;
    const sc = span.spanContext();
    if (!/^[0-9a-f]{32}$/.test(sc.traceId) || !/^[0-9a-f]{16}$/.test(sc.spanId) || /^0+$/.test(sc.spanId)) return undefined;
    return new ForeignSpan(span);
  } catch {
    return undefined;
  }
}

/** Deno's span seen through this library's `Span`: names and attributes go to Deno's span; Deno ends it. */
class ForeignSpan implements Span {
  constructor(private readonly span: OtelSpanLike) {}
  private call(fn: () => unknown): this {
    try {
      fn();
    } catch {
      // Deno's span refused the change: ignore
    }
    return this;
  }
  setAttribute(key: string, value: unknown): this {
    return this.call(() => this.span.setAttribute(key, value));
  }
  setAttributes(attributes: Record<string, unknown>): this {
    return this.call(() => (this.span.setAttributes ? this.span.setAttributes(attributes) : Object.entries(attributes).forEach(([k, v]) => this.span.setAttribute(k, v))));
  }
  addEvent(name: string, attributes?: Record<string, unknown>, time?: TimeInput): this {
    return this.call(() => this.span.addEvent?.(name, attributes, time));
  }
  addLink(link: Link): this {
    return this.call(() => this.span.addLink?.({ context: link.context, attributes: link.attributes }));
  }
  setStatus(code: SpanStatus, message?: string): this {
    // OpenTelemetry's status codes have the same numbers (TR-02).
    return this.call(() => this.span.setStatus?.(code === SpanStatus.ERROR ? { code, message } : { code }));
  }
  recordException(error: unknown, time?: TimeInput): this {
    return this.call(() => this.span.recordException?.(error, time));
  }
  updateName(name: string): this {
    return this.call(() => this.span.updateName?.(name));
  }
  end(): void {
    // Deno ends its span when the response headers are sent (DN-02).
  }
  isRecording(): boolean {
    try {
      return this.span.isRecording?.() ?? true;
    } catch {
      return false;
    }
  }
  spanContext(): SpanContext {
    const sc = this.span.spanContext();
    let traceState: string | undefined;
    try {
      traceState = sc.traceState?.serialize?.() || undefined;
    } catch {
      traceState = undefined;
    }
    return { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags, traceState, isRemote: false };
  }
  [Symbol.dispose](): void {}
}
