import { contextStorage, contextWithSpan, type ActiveContext } from '../context/active.js';
import type { InstrumentationScope } from '../model/resource.js';
import type { SpanContext } from '../model/span-data.js';
import { SpanKind, SpanStatus } from '../model/span-data.js';
import type { Scope } from '../scope/scope.js';
import { describe } from '../attributes/sanitize.js';
import { INVALID_SPAN_ID, INVALID_TRACE_ID, isValidSpanId, isValidTraceId, lowerId, newSpanId, newTraceId } from './ids.js';
import { traceStateText } from './propagation/tracestate.js';
import type { Baggage } from './propagation/baggage.js';
import type { RemoteContext, SpanContextLike, SpanLike } from './propagation/propagation.js';
import { parentBasedAlwaysOn, SamplingDecision, type Sampler } from './sampling/samplers.js';
import { clampText, textLimit, NonRecordingSpan, spanTime, openSpans, RecordingSpan, unreadable, type Link, type Span, type SpanOwner, type TimeInput } from './span.js';
import { isThenable, whenSettled } from './thenable.js';

export interface StartSpanOptions {
  kind?: SpanKind;
  attributes?: Record<string, unknown>;
  links?: Link[];
  startTime?: TimeInput;
  /**
   * The parent: a span, a span context (for example from `extractContext`), an
   * `@opentelemetry/api` span or span context, or `null` to start a new trace. Defaults to the
   * active span.
   */
  parent?: Span | SpanContext | RemoteContext | SpanLike | SpanContextLike | null;
  /** The scope (request) the span belongs to; defaults to the parent's, then the active one. */
  scope?: Scope;
}

type SpanWithScope = Span & { scope?: Scope; baggage?: Baggage };

/** What the tracer needs from its monitor. */
export interface TracerOwner extends SpanOwner {
  readonly sampler: Sampler;
  readonly enabled: boolean;
}

/** A kind that is none of SpanKind's five (a string, OpenTelemetry's 0-based numbers past 4): INTERNAL, counted. */
function badKind(owner: TracerOwner, kind: unknown): SpanKind {
  owner.diag.drop('invalid_value', () => `a span kind must be one of SpanKind's (INTERNAL 1 … CONSUMER 5), got ${describe(kind).slice(0, 64)}; INTERNAL was used`);
  return SpanKind.INTERNAL;
}

function isSpan(p: unknown): p is SpanWithScope {
  return typeof (p as Span).spanContext === 'function';
}

const NO_OPTIONS: StartSpanOptions = Object.freeze({});
const OPTION_KEYS = ['kind', 'attributes', 'links', 'startTime', 'parent', 'scope'] as const;

/**
 * `c` if its ids are valid, else undefined: as in the OpenTelemetry SDK, a parent with an
 * all-zero or malformed id is no parent (OTLP has no encoding for such ids), so the span
 * starts a new trace instead of joining one that no backend can show.
 */
function validParent(c: SpanContext | undefined | null, owner: TracerOwner): SpanContext | undefined {
  if (c == null) return undefined;
  if (!isValidTraceId(c.traceId) || !isValidSpanId(c.spanId)) {
    // Either hex case, as OpenTelemetry's API accepts a span context; kept lower-cased (OTLP-J2).
    const traceId = lowerId(c.traceId);
    const spanId = lowerId(c.spanId);
    if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
    c = { ...c, traceId, spanId };
  }
  // An OpenTelemetry API span context holds a TraceState object: its children keep the text.
  // One whose serialize() throws or gives malformed members loses those, counted, not the parent.
  const ts = c.traceState;
  return ts === undefined || typeof ts === 'string' ? c : { ...c, traceState: traceStateText(ts, owner.diag) };
}

/**
 * Asks a sampler that is not the default one. One that throws, or returns anything but a
 * SamplingDecision (an OpenTelemetry SDK Sampler takes (context, traceId, …) and returns
 * `{ decision }`), would throw into the caller or record every span without exporting it:
 * its spans get the default decision instead, reported once.
 */
function sample(owner: TracerOwner, traceId: string, parent: SpanContext | undefined, name: string): SamplingDecision {
  let d: unknown;
  let threw = false;
  try {
    d = owner.sampler.shouldSample(traceId, parent, name);
    if (d === 0 || d === 1 || d === 2) return d;
  } catch (e) {
    d = e;
    threw = true;
  }
  owner.diag.report(
    'config',
    () =>
      `sampler.shouldSample ${threw ? 'threw' : 'returned'} ${describe(d).slice(0, 99)}, not a SamplingDecision (an OpenTelemetry SDK Sampler is none); using parentbased_always_on`,
    undefined,
    'sampler',
  );
  return parentBasedAlwaysOn.shouldSample(traceId, parent, name);
}

/**
 * Starts spans. Parent, scope and baggage come from the options or the active context;
 * the head sampler decides once per span whether it records.
 */
export class Tracer {
  constructor(
    private readonly owner: TracerOwner,
    /** Set for tracers made for another instrumentation scope (the OpenTelemetry bridge). */
    readonly instrumentationScope?: InstrumentationScope,
  ) {}

  startSpan(name: string, options?: StartSpanOptions): Span {
    const opts = options ?? NO_OPTIONS;
    try {
      // Read before start(): a getter that throws then costs no sampling decision.
      const attributes = opts.attributes;
      const span = this.start(name, opts, opts.parent === undefined ? contextStorage().get() : undefined);
      // Set here rather than in start(): start() then stays small enough for V8 to inline the
      // span's constructor into it (measured 256 → 230 ns a span with three attributes at start).
      if (attributes) span.setAttributes(attributes);
      return span;
    } catch {
      return this.#startUnreadable(name, opts, contextStorage().get());
    }
  }

  /**
   * Options that threw when read (a throwing getter, a revoked Proxy, such a parent) are misuse,
   * as other hostile span input is: counted, and the span starts with the fields that could be
   * read, else with none. A span begun before the throw is never ended, so never exported.
   */
  #startUnreadable(name: string, opts: StartSpanOptions, ctx: ActiveContext | undefined): Span {
    unreadable(this.owner);
    const o: Record<string, unknown> = {};
    for (const k of OPTION_KEYS) {
      try {
        o[k] = (opts as Record<string, unknown>)[k];
      } catch {
        // left out: it takes its default
      }
    }
    try {
      const span = this.start(name, o, ctx);
      if (o.attributes) span.setAttributes(o.attributes as Record<string, unknown>);
      return span;
    } catch {
      return this.start(name, NO_OPTIONS, ctx);
    }
  }

  /**
   * startSpan with the active context already read. With `opts.parent` set, `ctx` may be
   * undefined (not read): the context is then read only if the scope is still unknown.
   */
  private start(name: string, opts: StartSpanOptions, ctx: ActiveContext | undefined): Span {
    const explicit = opts.parent !== undefined;
    const parentIn = explicit ? opts.parent : ctx?.span;
    // Every option is read before the sampler is asked: one that throws when read (see
    // startUnreadable) then leaves no decision taken (a rate-limiting sampler's) for a span abandoned.
    const kind = opts.kind ?? SpanKind.INTERNAL;
    const startTime = opts.startTime;
    const links = opts.links;
    // A parent of this library's own span class serves as the span context itself (a
    // RecordingSpan has its fields, and no isRemote): its ids stay unencoded until read.
    let parent: SpanContext | undefined;
    let scope: Scope | undefined = opts.scope;
    let baggage: Baggage | undefined;
    if (parentIn) {
      if (isSpan(parentIn)) {
        // Only spans from elsewhere (a foreign OpenTelemetry span, a user's class) are checked:
        // ours always have valid ids.
        parent = parentIn instanceof RecordingSpan ? parentIn : validParent(parentIn.spanContext(), this.owner);
        scope ??= parentIn.scope;
        baggage = parentIn.baggage;
      } else {
        parent = validParent(parentIn as SpanContext, this.owner);
        baggage = (parentIn as RemoteContext).baggage;
      }
    }
    if (!explicit) {
      if (ctx !== undefined) {
        scope ??= ctx.scope;
        // A context entered through @opentelemetry/api holds its own baggage, none included (a
        // `propagation.deleteBaggage` before a third-party call): it wins over its span's.
        if (ctx.otel !== undefined) baggage = ctx.baggage;
        else baggage ??= ctx.baggage;
      }
    } else if (scope === undefined) {
      // A remote parent or a new root (a queue message, a detached job) still belongs to the
      // request or batch it runs in: its scope exports it and bounds it.
      scope = (ctx ?? contextStorage().get())?.scope;
    }
    const owner = this.owner;
    // Another monitor's scope (a library's monitor called inside an app's request): its spans
    // belong to its own monitor's buffer and backends, though they may join the trace.
    if (scope !== undefined && scope.owner !== (owner as object)) scope = undefined;
    const spanName = typeof name === 'string' && name ? (name.length > 4096 && name.length > textLimit(owner) ? clampText(owner, name, 'name') : name) : 'unnamed';
    const sampler = owner.sampler;
    // Only the flags W3C defines (sampled, random) pass to children: other bits MUST be 0 (TC-06),
    // in the headers sent and in the OTLP span flags alike.
    const parentFlags = parent !== undefined ? (parent.traceFlags ?? 0) & 0x03 : 0;
    let traceId: string | undefined;
    let decision: SamplingDecision;
    if (!owner.enabled) decision = SamplingDecision.DROP;
    else if (sampler === parentBasedAlwaysOn) {
      // The default sampler, decided inline: sampled unless a parent is not.
      decision = parent === undefined || parentFlags & 1 ? SamplingDecision.RECORD_AND_SAMPLE : SamplingDecision.DROP;
    } else {
      if (parent instanceof RecordingSpan) parent = parent.spanContext();
      traceId = parent !== undefined ? parent.traceId : newTraceId();
      decision = sample(owner, traceId, parent, spanName);
    }
    if (decision === SamplingDecision.DROP) {
      // Disabled, no span context is made: the parent's goes on unchanged, or none (all-zero ids,
      // never injected), as the OpenTelemetry API does without an SDK. A new unsampled one would
      // make every parent-based service after this one drop its trace (ENV-12).
      const off = !owner.enabled;
      const s = new NonRecordingSpan({
        traceId: traceId ?? parent?.traceId ?? (off ? INVALID_TRACE_ID : newTraceId()),
        spanId: off ? (parent?.spanId ?? INVALID_SPAN_ID) : newSpanId(),
        traceFlags: off ? parentFlags : parentFlags & ~1,
        traceState: parent?.traceState,
        isRemote: false,
      });
      s.scope = scope;
      s.baggage = baggage;
      s.owner = owner;
      return s;
    }
    const flags = decision === SamplingDecision.RECORD_AND_SAMPLE ? parentFlags | 1 : parentFlags & ~1;
    const span = new RecordingSpan(
      owner,
      spanName,
      kind >= 1 && kind <= 5 && (kind | 0) === kind ? kind : badKind(owner, kind),
      parent,
      traceId,
      flags,
      spanTime(owner, startTime),
      scope,
      baggage,
    );
    if (this.instrumentationScope) span.instrumentationScope = this.instrumentationScope;
    if (links) addLinks(span, links, owner);
    // Counted once nothing can throw any more: a span abandoned by a throw is never ended. Per
    // scope too (see Scope.open): what an invocation stopped before its spans end counts as lost.
    if (flags & 1) {
      openSpans.sampled++;
      if (scope) scope.open++;
    }
    return span;
  }

  /**
   * Runs `fn(span)` with the span active (across awaits where AsyncLocalStorage exists), ends
   * it when `fn` returns or settles, and on a throw or rejection records the exception, sets
   * ERROR status and rethrows the same error.
   */
  startActiveSpan<R>(name: string, fn: (span: Span) => R): R;
  startActiveSpan<R>(name: string, options: StartSpanOptions | undefined, fn: (span: Span) => R): R;
  startActiveSpan<R>(name: string, a: StartSpanOptions | ((span: Span) => R) | undefined, b?: (span: Span) => R): R {
    const fn = (typeof a === 'function' ? a : b) as (span: Span) => R;
    // Said before a span starts: called with no function, the span would be left open.
    if (typeof fn !== 'function') throw new TypeError(`startActiveSpan("${name}"): the last argument must be the function to run in the span, such as (span) => work().`);
    const opts = typeof a === 'function' ? NO_OPTIONS : (a ?? NO_OPTIONS);
    // One read of the active context serves both the parent lookup and the new context.
    const storage = contextStorage();
    const prev = storage.get();
    let span: SpanWithScope;
    try {
      const attributes = opts.attributes;
      span = this.start(name, opts, prev);
      if (attributes) span.setAttributes(attributes);
    } catch {
      span = this.#startUnreadable(name, opts, prev);
    }
    const ctx = contextWithSpan(prev, span);
    return storage.run(ctx, () => runAndEnd(span, fn, ctx));
  }
}

/**
 * Links given at start: one not in an array is taken as a link, rather than throwing at a for…of.
 * An array that throws when read (a revoked Proxy, a throwing index) keeps the links read before
 * the throw and is counted; the span keeps its other options.
 */
function addLinks(span: Span, links: Link[] | Link, owner: SpanOwner): void {
  try {
    if (Array.isArray(links)) for (const l of links) span.addLink(l);
    else span.addLink(links);
  } catch {
    unreadable(owner);
  }
}

function endSpan(span: Span, error: unknown, failed: boolean): void {
  if (failed) failSpan(span, error);
  endOnce(span);
}

/**
 * Ends the span unless the callback did (OpenTelemetry code ends its span itself, in a finally):
 * its end stands, and is not counted as ended twice.
 */
function endOnce(span: Span): void {
  if (span.isRecording()) span.end();
}

/**
 * Ends `span` when `fn` finishes, recording a throw or rejection as an ERROR. A thenable that is
 * not a native Promise (a query builder) is returned as itself and ends the span when the caller's
 * `then` settles; that `then` runs in `ctx` (the span active).
 */
export function runAndEnd<R>(span: Span, fn: (span: Span) => R, ctx?: ActiveContext): R {
  let result: R;
  try {
    result = fn(span);
  } catch (err) {
    failSpan(span, err);
    endOnce(span);
    throw err;
  }
  // Kept small so V8 inlines it into startActiveSpan's callback: the thenable cases live apart.
  if (isThenable(result)) return endWhenSettled(span, result, ctx) as R;
  endOnce(span);
  return result;
}

/** Ends `span` when `result` settles (see whenSettled); the caller's `then` on a lazy thenable runs in `ctx`. */
function endWhenSettled(span: Span, result: PromiseLike<unknown>, ctx: ActiveContext | undefined): unknown {
  return whenSettled(result, (error, failed) => endSpan(span, error, failed), ctx && ((f) => contextStorage().run(ctx, f)));
}

/** Records `err` on the span as an exception event and ERROR status. */
export function failSpan(span: Span, err: unknown): void {
  let message: string | undefined;
  try {
    // A span its code ended already (span.end() in a finally) keeps what it had: this is the
    // library's own reaction to the throw, not a change the caller made after end (see afterEnd).
    if (!span.isRecording()) return;
    span.recordException(err);
    // Duck-typed: an Error from another realm (a vm context, an iframe) is not `instanceof Error`.
    const m = typeof err === 'string' ? err : typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
    if (typeof m === 'string') message = m;
  } catch {
    // never let telemetry replace the user's error; an unreadable message still fails the span
  }
  try {
    span.setStatus(SpanStatus.ERROR, message);
  } catch {
    // as above
  }
}
