import {
  createTraceState,
  type Attributes as ApiAttributes,
  type AttributeValue as ApiAttributeValue,
  type Exception,
  type Link as ApiLink,
  type Span as ApiSpan,
  type SpanContext as ApiSpanContext,
  type SpanStatus as ApiSpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import type { Redactor } from '../attributes/redact.js';
import type { Diagnostics } from '../diag/diagnostics.js';
import type { SpanContext } from '../model/span-data.js';
import { outgoingTracestate } from '../trace/propagation/tracestate.js';
import { NonRecordingSpan, RecordingSpan, type Link, type Span } from '../trace/span.js';
import { stackTrace } from '../trace/stack.js';
import { timeInputToMs } from './time.js';

/** OpenTelemetry attributes without the `undefined`/`null` values the API tolerates (and the SDK ignores). */
export function cleanAttributes(attrs: ApiAttributes | undefined): Record<string, unknown> | undefined {
  if (attrs === undefined || attrs === null || typeof attrs !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  try {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v !== undefined && v !== null) out[k] = v;
    }
  } catch {
    // Attributes that throw when read (a getter, a revoked Proxy) go on as they are: the span reads
    // them in a try, keeps what it can and counts the rest (invalid_attribute), never throwing.
    return attrs as Record<string, unknown>;
  }
  return out;
}

/**
 * A span time argument: absent stays absent; one `timeInputToMs` cannot read becomes NaN, which
 * the span counts (invalid_value) and replaces with the current time, as for its own spans.
 */
export function spanTimeArg(t: TimeInput | undefined): number | undefined {
  return t === undefined || t === null ? undefined : (timeInputToMs(t) ?? NaN);
}

/** Our span context → the API's (a `TraceState` object instead of the header text). */
export function toApiSpanContext(c: SpanContext): ApiSpanContext {
  const out: ApiSpanContext = { traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags, isRemote: c.isRemote === true };
  if (c.traceState) out.traceState = createTraceState(c.traceState);
  return out;
}

/**
 * The API's span context → ours. Its tracestate is checked as the propagator checks one to send
 * (`TraceState.set()` checks nothing): a malformed or duplicated member, or one past 32 (the
 * right-most, TS-02), is left out and counted through `diag`, and a `serialize()` that throws
 * costs the tracestate alone, counted, never the span context.
 */
export function fromApiSpanContext(c: ApiSpanContext, diag?: Diagnostics): SpanContext {
  const ts = c.traceState ? outgoingTracestate(c.traceState, diag) : undefined;
  return { traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags, traceState: ts, isRemote: c.isRemote === true };
}

export function toLink(l: ApiLink, diag?: Diagnostics): Link | undefined {
  if (!l || !l.context) return undefined;
  return { context: fromApiSpanContext(l.context, diag), attributes: cleanAttributes(l.attributes) };
}

/** Views of spans not of this library's class (a foreign parent's stand-in); our spans keep theirs (`view`). */
const wrappers = new WeakMap<Span, ApiSpan>();
const foreign = new WeakMap<ApiSpan, Span>();

/**
 * One of our spans seen through `@opentelemetry/api`'s `Span` interface. The same span always
 * gets the same wrapper, so `trace.getActiveSpan()` is stable.
 */
export class BridgedSpan implements ApiSpan {
  private ctx: ApiSpanContext | undefined;
  constructor(readonly inner: Span) {}

  spanContext(): ApiSpanContext {
    return (this.ctx ??= toApiSpanContext(this.inner.spanContext()));
  }
  setAttribute(key: string, value: ApiAttributeValue): this {
    if (value !== undefined && value !== null) this.inner.setAttribute(key, value);
    return this;
  }
  setAttributes(attributes: ApiAttributes): this {
    const a = cleanAttributes(attributes);
    if (a) this.inner.setAttributes(a);
    return this;
  }
  addEvent(name: string, attributesOrStartTime?: ApiAttributes | TimeInput, startTime?: TimeInput): this {
    let attrs: ApiAttributes | undefined;
    let time = startTime;
    try {
      if (typeof attributesOrStartTime === 'number' || attributesOrStartTime instanceof Date || Array.isArray(attributesOrStartTime)) {
        time = attributesOrStartTime as TimeInput;
      } else attrs = attributesOrStartTime as ApiAttributes | undefined;
    } catch {
      attrs = attributesOrStartTime as ApiAttributes; // a revoked Proxy: the span reads it, and counts it
    }
    this.inner.addEvent(name, cleanAttributes(attrs), spanTimeArg(time));
    return this;
  }
  addLink(link: ApiLink): this {
    let l: Link | undefined;
    try {
      l = toLink(link, (this.inner as { owner?: { diag?: Diagnostics } }).owner?.diag);
    } catch {
      // A link that throws when read: the span reads it again in a try and counts it (invalid_attribute).
      this.inner.addLink(link as unknown as Link);
      return this;
    }
    if (l) this.inner.addLink(l);
    return this;
  }
  addLinks(links: ApiLink[]): this {
    let list: ApiLink[] | undefined;
    try {
      if (Array.isArray(links)) list = links;
    } catch {
      this.inner.addLink(links as unknown as Link); // a revoked Proxy: counted by the span, as a link that cannot be read
    }
    if (list !== undefined) for (const l of list) this.addLink(l);
    return this;
  }
  setStatus(status: ApiSpanStatus): this {
    // The API's codes (UNSET 0, OK 1, ERROR 2) are OTLP's, and so ours.
    if (status && typeof status === 'object') {
      let code: unknown;
      let message: unknown;
      try {
        code = status.code;
        message = status.message;
      } catch {
        code = NaN; // a status that throws when read: not a code, so the span leaves its status and counts it
      }
      this.inner.setStatus(code as 0 | 1 | 2, message as string | undefined);
    }
    return this;
  }
  updateName(name: string): this {
    this.inner.updateName(name);
    return this;
  }
  end(endTime?: TimeInput): void {
    this.inner.end(spanTimeArg(endTime));
  }
  isRecording(): boolean {
    return this.inner.isRecording();
  }
  /**
   * The SDK's reading of the API's `Exception` (Span.recordException), not the monitor's own:
   * `exception.type` is the `code` (a Node system error's `ENOENT`) before the `name`, and an
   * object with neither a type nor a message records no event.
   */
  recordException(exception: Exception, time?: TimeInput): void {
    const attrs: Record<string, unknown> = {};
    try {
      if (typeof exception === 'string') attrs['exception.message'] = exception;
      else if (exception) {
        const e = exception as { code?: { toString(): string }; name?: unknown; message?: unknown; stack?: unknown };
        if (e.code) attrs['exception.type'] = e.code.toString();
        else if (e.name) attrs['exception.type'] = e.name;
        if (e.message) attrs['exception.message'] = e.message;
        // Its causes too, as the monitor's own spans record them (Caused by: …).
        if (e.stack) attrs['exception.stacktrace'] = (exception instanceof Error && stackTrace(exception, (this.inner as unknown as { owner?: { redactor: Redactor } }).owner?.redactor)) || e.stack;
      }
    } catch {
      // throwing getters (code, name, message, stack): keep what was read
    }
    if (attrs['exception.type'] || attrs['exception.message']) this.inner.addEvent('exception', attrs, spanTimeArg(time));
  }
}

const bridge = (span: Span): ApiSpan => new BridgedSpan(span);

/** The API span for one of our spans (cached). */
export function wrapSpan(span: Span): ApiSpan {
  if (span instanceof RecordingSpan) return span.view(bridge, span);
  let w = wrappers.get(span);
  if (w === undefined) wrappers.set(span, (w = new BridgedSpan(span)));
  return w;
}

/**
 * The span of ours behind an API span: our own wrapper's inner span, or, for a span from
 * elsewhere (`trace.wrapSpanContext`, another SDK), a non-recording span with its context,
 * made once per such span: `diag` counts the tracestate members it leaves out, once, however
 * often the span is a parent.
 */
export function unwrapSpan(span: ApiSpan | undefined, diag?: Diagnostics): Span | undefined {
  if (span === undefined || span === null) return undefined;
  if (span instanceof BridgedSpan) return span.inner;
  const known = foreign.get(span);
  if (known !== undefined) return known;
  try {
    const c = span.spanContext();
    if (!c || typeof c.traceId !== 'string') return undefined;
    const ours = new NonRecordingSpan(fromApiSpanContext(c, diag));
    wrappers.set(ours, span); // maps back to the very object the caller set
    foreign.set(span, ours);
    return ours;
  } catch {
    return undefined;
  }
}
