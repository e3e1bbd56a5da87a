/**
 * Deno's built-in OpenTelemetry (`OTEL_DENO=true`, DN-01…DN-06) already makes a SERVER span per
 * `Deno.serve` request, CLIENT spans for `fetch` (with `traceparent` injected) and the HTTP
 * server metrics, and exports them itself. To avoid exporting those twice, the adapter joins
 * Deno's trace instead: it reads Deno's active span from the global OpenTelemetry API registry
 * (present without importing `@opentelemetry/api`, DN-05) and makes it the request's server span.
 */
import { createRedactor, DEFAULT_REDACT_FIELDS, type Redactor } from '../../../src/attributes/redact.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { Fix, sanitizeAttribute } from '../../../src/attributes/sanitize.js';
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

/** What a joined span needs of its monitor: the redactor and the attribute value length limit. */
export interface ForeignSpanOwner {
  readonly redactor: Redactor;
  readonly limits: { readonly attributeValueLengthLimit: number };
  /** Counts and reports values cut or converted, as the library's own spans do. */
  readonly diag?: { drop(reason: 'attribute_truncated' | 'invalid_attribute', message: string | (() => string)): void };
}

let defaultOwner: ForeignSpanOwner | undefined;

/**
 * Deno's span for the current request, as a `Span` of this library whose attributes (span,
 * event and link attributes) pass through a redactor and the value length limit first, as on
 * the library's own spans: `owner`'s (pass the monitor), else the default redaction fields and
 * limits. Undefined when none is active.
 */
export function activeDenoSpan(owner?: ForeignSpanOwner): Span | undefined {
  try {
    const api = (globalThis as unknown as Record<symbol, OtelApiRegistry | undefined>)[API_KEY];
    const span = api?.context?.active()?.getValue(SPAN_KEY) as OtelSpanLike | undefined;
    if (!span || typeof span.spanContext !== 'function') return undefined;
    const sc = span.spanContext();
    if (!/^[0-9a-f]{32}$/.test(sc.traceId) || !/^[0-9a-f]{16}$/.test(sc.spanId) || /^0+$/.test(sc.spanId)) return undefined;
    return new ForeignSpan(span, owner ?? (defaultOwner ??= { redactor: createRedactor(DEFAULT_REDACT_FIELDS), limits: DEFAULT_LIMITS }));
  } catch {
    return undefined;
  }
}

/**
 * Deno's span seen through this library's `Span`: names and attributes go to Deno's span; Deno
 * ends it. Deno exports the span itself, so the monitor's export-time redaction never sees it:
 * every value is sanitised and redacted here, as it is set (secret keys become `[REDACTED]`,
 * URL attributes have credentials and secret parameters masked, objects become JSON with
 * secret keys redacted, values are cut to the length limit, null/undefined are dropped).
 */
class ForeignSpan implements Span {
  constructor(
    private readonly span: OtelSpanLike,
    private readonly owner: ForeignSpanOwner,
  ) {}
  /** The value to hand Deno for `key`, or undefined to set nothing. */
  private clean(key: unknown, value: unknown): unknown {
    if (typeof key !== 'string' || key.length === 0) return undefined;
    const s = sanitizeAttribute(value, this.owner.limits.attributeValueLengthLimit, this.owner.redactor);
    if (s.fix === Fix.Dropped || s.value === undefined) return undefined;
    const kept = s.value;
    if (s.fix === Fix.Truncated) {
      const limit = this.owner.limits.attributeValueLengthLimit;
      this.owner.diag?.drop('attribute_truncated', () => `a value longer than ${limit} characters was truncated (limits.attributeValueLengthLimit)`);
    } else if (s.fix === Fix.Converted) this.owner.diag?.drop('invalid_attribute', 'an attribute value that was not a string, number or boolean (an object, a BigInt past 2^53) was written as text');
    return this.owner.redactor.apply(key, kept);
  }
  private cleanAll(attributes: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (attributes === null || typeof attributes !== 'object') return undefined;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(attributes)) {
      const v = this.clean(key, attributes[key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  private call(fn: () => unknown): this {
    try {
      fn();
    } catch {
      // Deno's span refused the change: ignore
    }
    return this;
  }
  setAttribute(key: string, value: unknown): this {
    return this.call(() => {
      const v = this.clean(key, value);
      if (v !== undefined) this.span.setAttribute(key, v);
    });
  }
  setAttributes(attributes: Record<string, unknown>): this {
    return this.call(() => {
      const clean = this.cleanAll(attributes);
      if (clean === undefined) return;
      if (this.span.setAttributes) this.span.setAttributes(clean);
      else for (const k of Object.keys(clean)) this.span.setAttribute(k, clean[k]);
    });
  }
  addEvent(name: string, attributes?: Record<string, unknown>, time?: TimeInput): this {
    // OpenTelemetry's addEvent(name, time) form: no attributes to clean.
    const isTime = typeof attributes === 'number' || attributes instanceof Date || Array.isArray(attributes);
    return this.call(() => this.span.addEvent?.(name, isTime ? attributes : this.cleanAll(attributes), time));
  }
  addLink(link: Link): this {
    return this.call(() => this.span.addLink?.({ context: link.context, attributes: this.cleanAll(link.attributes) }));
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
