// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import { formatTraceparent, parseTraceparent } from './traceparent.js';
import type { SpanContext } from '../../model/span-data.js';
import type { Span } from '../span.js';
import { isValidSpanId, isValidTraceId } from '../ids.js';
import { outgoingTracestate, parseTracestate } from './tracestate.js';
import { formatBaggage, parseBaggage, type Baggage } from './baggage.js';
import { getActiveSpan, activeContext } from '../../context/active.js';
import type { Diagnostics } from '../../diag/diagnostics.js';

/** A parent that arrived from another process: usable as `parent` in `startSpan`. */
export interface RemoteContext extends SpanContext {
  readonly isRemote: true;
  readonly baggage?: Baggage;
}

/**
 * A span context as another tracing API gives one, read by its fields: `@opentelemetry/api`'s,
 * whose tracestate is a `TraceState` object. Taken wherever a parent or a span to inject is.
 */
export interface SpanContextLike {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly isRemote?: boolean;
  readonly traceState?: string | { serialize(): string };
}

/** A span of another tracing API (`@opentelemetry/api`'s), read only through `spanContext()`. */
export interface SpanLike {
  spanContext(): SpanContextLike;
}

/** Anything headers can come as: a `Headers`, or a plain object (Node's `IncomingHttpHeaders`). */
export type HeadersInput =
  | Headers
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

function read(headers: HeadersInput, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  let v = rec[name];
  if (v === undefined) {
    // Plain objects may keep the sender's case: look the name up case-insensitively (TC-08).
    for (const k of Object.keys(rec)) {
      if (k.length === name.length && k.toLowerCase() === name) {
        v = rec[k];
        break;
      }
    }
  }
  if (Array.isArray(v)) {
    // Two traceparent headers make the request invalid (TC-08); tracestate and baggage concatenate.
    if (name === 'traceparent') return v.length === 1 ? v[0] : undefined;
    return v.join(',');
  }
  return typeof v === 'string' ? v : undefined;
}

/**
 * Reads W3C `traceparent`, `tracestate` and `baggage` headers. Returns a remote context, or
 * undefined when there is no valid traceparent (a tracestate without one is discarded, TC-09).
 * Never throws. Baggage members left out, and a tracestate discarded as invalid (TS-01…TS-05),
 * are counted through `diag` (a monitor's) when given.
 */
export function extractContext(headers: HeadersInput, diag?: Diagnostics): RemoteContext | undefined {
  return extract(headers, diag, diag);
}

/** A caller's tracestate that W3C has us discard is that caller's data lost: counted as baggage members are. */
function discarded(diag: Diagnostics | undefined, header: string | undefined): void {
  // An empty header (or one of empty members) is valid and carries nothing (TS-01).
  if (diag === undefined || header === undefined || !/[^\s,]/.test(header)) return;
  diag.drop('invalid_value', 'a tracestate header was discarded (a malformed or duplicated member, more than 32 members, or over 8192 characters); the trace went on without it');
}

/** extractContext, counting baggage members left out through `baggageDiag` and a discarded tracestate through `diag`. */
function extract(headers: HeadersInput, baggageDiag: Diagnostics | undefined, diag: Diagnostics | undefined): RemoteContext | undefined {
  try {
    const tp = parseTraceparent(read(headers, 'traceparent'));
    if (!tp) return undefined;
    const ts = read(headers, 'tracestate');
    const traceState = parseTracestate(ts);
    if (traceState === undefined) discarded(diag, ts);
    const baggage = parseBaggage(read(headers, 'baggage'), baggageDiag);
    const ctx: { -readonly [K in keyof RemoteContext]: RemoteContext[K] } = {
      traceId: tp.traceId,
      spanId: tp.spanId,
      traceFlags: tp.traceFlags,
      isRemote: true,
    };
    if (traceState) ctx.traceState = traceState;
    if (baggage) ctx.baggage = baggage;
    return ctx;
  } catch {
    return undefined;
  }
}

/**
 * Reads the W3C `baggage` header alone: baggage travels without a trace (W3C Baggage is its own
 * header, and OpenTelemetry's baggage propagator extracts it whether or not a `traceparent` came).
 */
export function extractBaggage(headers: HeadersInput, diag?: Diagnostics): Baggage | undefined {
  try {
    return parseBaggage(read(headers, 'baggage'), diag);
  } catch {
    return undefined;
  }
}

/** The propagators this library has (OTEL_PROPAGATORS), and the default: both. */
export const PROPAGATORS: readonly ('tracecontext' | 'baggage')[] = ['tracecontext', 'baggage'];

type Incoming = { parent?: RemoteContext; baggage?: Baggage };

/**
 * The parent and baggage of incoming headers, as far as the monitor's `propagators`
 * (OTEL_PROPAGATORS) allow: the request adapters' extraction, and the OpenTelemetry propagator's.
 * Invalid members are counted once per request: headers read again inside the request they came
 * with (OpenTelemetry instrumentation such as `@hono/otel` extracting them through the registered
 * propagator, a sub-app served nested with the same request) were counted when it came in.
 */
export function extractIncoming(headers: HeadersInput, monitor: { diag?: Diagnostics; propagators: readonly string[] }): Incoming {
  const diag = monitor.diag;
  if (diag === undefined) return incoming(headers, monitor.propagators, undefined);
  // Drops are held, not counted, until it is known whether these headers were counted already:
  // the check reads the context, which only a header with something invalid needs.
  const mark = held.length;
  const out = incoming(headers, monitor.propagators, holder);
  if (held.length > mark) {
    const drops = held.splice(mark);
    if (!countedWithRequest(monitor, out)) for (const d of drops) diag.drop(...d);
  }
  return out;
}

function incoming(headers: HeadersInput, p: readonly string[], diag: Diagnostics | undefined): Incoming {
  const b = p.includes('baggage');
  // Baggage left out is not counted for its dropped members.
  const parent = p.includes('tracecontext') ? extract(headers, b ? diag : undefined, diag) : undefined;
  if (!b) return { parent: parent && { ...parent, baggage: undefined } };
  return { parent, baggage: parent ? parent.baggage : extractBaggage(headers, diag) };
}

type Drop = Parameters<Diagnostics['drop']>;
/** Drops extractIncoming found and has not yet decided to count, as given (each of n > 0: see extract and extractBaggage). */
const held: Drop[] = [];
const holder = { drop: (...d: Drop) => held.push(d) } as unknown as Diagnostics;

/**
 * Whether `got`, just read from headers inside an open request scope of `monitor`, is what that
 * request was served from, its drops counted then by the adapter: the request's span continued
 * the same trace or, without a traceparent, neither continued one and the baggage is the
 * request's. Headers of another trace or other baggage read in a request are counted.
 */
function countedWithRequest(monitor: object, got: Incoming): boolean {
  const active = activeContext();
  const scope = active?.scope;
  const server = scope?.serverSpan;
  if (server === undefined || scope!.owner !== monitor || scope!.closed) return false;
  if (got.parent !== undefined) return server.spanContext().traceId === got.parent.traceId;
  if ((server as { parentIsRemote?: boolean }).parentIsRemote === true) return false;
  return sameBaggage(got.baggage, active!.baggage);
}

function sameBaggage(a: Baggage | undefined, b: Baggage | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (y === undefined || x.value !== y.value || (x.metadata ?? '') !== (y.metadata ?? '')) return false;
  }
  return true;
}

function write(headers: HeadersInput, name: string, value: string): void {
  if (typeof (headers as Headers).set === 'function') (headers as Headers).set(name, value);
  else {
    const rec = headers as Record<string, string>;
    // A plain object may hold the header under the sender's case (`Traceparent`): a second key
    // would make the request carry both values joined, which receivers reject (TC-08).
    for (const k of Object.keys(rec)) {
      if (k !== name && k.length === name.length && k.toLowerCase() === name) delete rec[k];
    }
    rec[name] = value;
  }
}

function remove(headers: HeadersInput, name: string): void {
  if (typeof (headers as Headers).delete === 'function') (headers as Headers).delete(name);
  else {
    const rec = headers as Record<string, unknown>;
    for (const k of Object.keys(rec)) if (k.length === name.length && k.toLowerCase() === name) delete rec[k];
  }
}

/**
 * Writes `traceparent`, `tracestate` and `baggage` for `span` (default: the active span) into
 * `headers` and returns them, those of its monitor's `propagators` (OTEL_PROPAGATORS). Does
 * nothing when there is no span; with invalid ids, only baggage is written. Never throws.
 */
export function injectContext<H extends HeadersInput>(headers: H, span?: Span | SpanContext | SpanLike | SpanContextLike): H {
  try {
    const s = span ?? getActiveSpan();
    if (!s || headers === null || typeof headers !== 'object') return headers;
    const c = typeof (s as Span).spanContext === 'function' ? (s as Span).spanContext() : (s as SpanContext);
    // A monitor's span seen through @opentelemetry/api (the bridge's wrapper) is that span.
    const own = ((s as { inner?: object }).inner ?? s) as { owner?: { diag?: Diagnostics; propagators?: readonly string[] }; baggage?: Baggage };
    const owner = own.owner;
    const p = owner?.propagators ?? PROPAGATORS;
    // An invalid context (the OpenTelemetry API's all-zero INVALID_SPAN_CONTEXT, a disabled
    // monitor's root) is no parent: sending it would replace a forwarded traceparent with one
    // receivers reject (TC-02). Its baggage still goes (W3C Baggage stands alone; ENV-12).
    if (p.includes('tracecontext') && isValidTraceId(c.traceId) && isValidSpanId(c.spanId)) {
      write(headers, 'traceparent', formatTraceparent(c.traceId, c.spanId, c.traceFlags));
      // Never throws (a hand-made TraceState whose serialize() throws): a bad tracestate loses
      // its bad members, counted, and never the baggage below.
      const ts = outgoingTracestate(c.traceState, owner?.diag);
      if (ts) write(headers, 'tracestate', ts);
      // A tracestate belongs to the traceparent it came with (TC-09): one left from forwarded
      // headers (a new trace, an untrusted caller's) must not ride on ours.
      else remove(headers, 'tracestate');
    }
    const baggage = own.baggage ?? activeContext()?.baggage;
    if (baggage && p.includes('baggage')) {
      // A span of a monitor counts the members left out through that monitor's diagnostics.
      const b = formatBaggage(baggage, owner?.diag);
      if (b) write(headers, 'baggage', b);
    }
  } catch {
    // a frozen or exotic headers object: leave it as it is
  }
  return headers;
}
