import { clip, describe, Fix, hasOwn, sanitizeAttribute, valueBytes } from '../attributes/sanitize.js';
import { defineSafe } from '../attributes/sanitize.js';
import type { Redactor } from '../attributes/redact.js';
import type { Diagnostics } from '../diag/diagnostics.js';
import type { Limits } from '../limits.js';
import type { Attributes, AttributeValue } from '../model/attributes.js';
import type { InstrumentationScope } from '../model/resource.js';
import type { SpanContext, SpanData, SpanEventData, SpanKind, SpanLinkData } from '../model/span-data.js';
import { SpanStatus } from '../model/span-data.js';
import type { Scope } from '../scope/scope.js';
import type { SpanContextLike } from './propagation/propagation.js';
import { epochMs, msToUnixNano, now } from '../time.js';
import { INVALID_SPAN_ID, INVALID_TRACE_ID, isValidSpanId, isValidTraceId, lowerId, pool, spanIdHex, takeWords, traceIdHex } from './ids.js';
import type { Baggage } from './propagation/baggage.js';
import { outgoingTracestate } from './propagation/tracestate.js';
import { stackTrace } from './stack.js';

/** A time as epoch milliseconds or a Date. */
export type TimeInput = number | Date;

export interface Link {
  /** A span context: this library's, or another tracing API's (`@opentelemetry/api`'s, its tracestate a TraceState object). */
  context: SpanContext | SpanContextLike;
  attributes?: Record<string, unknown>;
}

declare global {
  // `Symbol.dispose` as TypeScript's ESNext.Disposable lib and @types/node declare it: a project
  // whose `lib` stops at ES2022 (a Worker with workers-types only) would otherwise fail to check
  // these declarations ("Property 'dispose' does not exist on type 'SymbolConstructor'").
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** The span API that application code uses (a subset-compatible mirror of OpenTelemetry's). */
export interface Span {
  setAttribute(key: string, value: unknown): this;
  setAttributes(attributes: Record<string, unknown>): this;
  addEvent(name: string, attributes?: Record<string, unknown>, time?: TimeInput): this;
  addLink(link: Link): this;
  setStatus(code: SpanStatus, message?: string): this;
  recordException(error: unknown, time?: TimeInput): this;
  updateName(name: string): this;
  end(endTime?: TimeInput): void;
  isRecording(): boolean;
  spanContext(): SpanContext;
  [Symbol.dispose](): void;
}

/** Where ended spans go and what bounds them: provided by the monitor. */
export interface SpanOwner {
  readonly limits: Limits;
  readonly diag: Diagnostics;
  /** Asked once per new attribute key, so export redacts only the spans that need it. */
  readonly redactor: Redactor;
  onEnd(span: RecordingSpan): void;
}

function setStatusArgs(code: unknown, message: unknown): { code: SpanStatus; message?: string } | undefined {
  // Accept both setStatus(code, message) and OpenTelemetry's setStatus({ code, message }).
  if (typeof code === 'object' && code !== null) {
    const o = code as { code?: unknown; message?: unknown };
    return setStatusArgs(o.code, o.message);
  }
  if (code !== SpanStatus.UNSET && code !== SpanStatus.OK && code !== SpanStatus.ERROR) return undefined;
  return { code, message: code === SpanStatus.ERROR && typeof message === 'string' ? message : undefined };
}

/**
 * Whether `o.hasOwnProperty` is Object.prototype's. A Proxy that throws on reading a key it does
 * not know (a strict config object) answers no, so the attributes are read through hasOwn.call.
 */
function ownHasOwn(o: object): boolean {
  try {
    return (o as { hasOwnProperty?: unknown }).hasOwnProperty === hasOwn;
  } catch {
    return false;
  }
}

/**
 * A span's attribute map: no Object.prototype in its chain (so any key, even `__proto__`, is a
 * plain own entry), yet in V8's fast mode. `Object.create(null)` objects start as dictionaries:
 * measured about 6x slower to fill with a span's few attributes and walk again at export.
 */
function AttributeMap(): void {}
AttributeMap.prototype = Object.create(null);
const newAttributes = (): Attributes => new (AttributeMap as unknown as new () => Attributes)();

const NO_EVENTS: SpanEventData[] = Object.freeze([]) as unknown as SpanEventData[];

const NO_LINKS: SpanLinkData[] = Object.freeze([]) as unknown as SpanLinkData[];
const UNSET: { code: SpanStatus; message?: string } = Object.freeze({ code: SpanStatus.UNSET });

/** What most spans never have: kept out of the span object (one field) until first needed. */
class SpanExtras {
  events: SpanEventData[] = NO_EVENTS;
  links: SpanLinkData[] = NO_LINKS;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  instrumentationScope: InstrumentationScope | undefined = undefined;
  view: object | undefined = undefined;
}
/** What a span without extras reads: never written (not frozen either, which would give it another map). */
const NO_EXTRAS = new SpanExtras();

/** keyBits: bits 0-28 mark the keys seen (see keyBit); this bit marks a key to redact. */
const REDACT_BIT = 1 << 29;

/**
 * A key's bit in keyBits, from its length and middle character: cheap, and keys of one length
 * (`http.route`, `url.scheme`, `rpc.method`) still mostly differ.
 */
function keyBit(key: string): number {
  return 1 << (key.length + 7 * key.charCodeAt(key.length >> 1)) % 29;
}

/**
 * For each attribute position (0 to 7, then by the position's low 3 bits), the key last stored
 * there, the redactor that judged it and `keyBit(key)` with REDACT_BIT if that redactor may change
 * its value. Both answers depend only on the key and the redactor (a monitor's is fixed at
 * creation), so a hit is exact; a miss computes them as before. Holds at most 8 keys and 8 redactors.
 */
const slotKey: string[] = ['', '', '', '', '', '', '', ''];
const slotRedactor: (Redactor | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
const slotBits: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * How many sampled spans of this isolate are started and not yet ended, over every monitor:
 * only such a span can give a histogram observation its exemplar, so while there is none an
 * observation skips the active-context lookup (an AsyncLocalStorage read once any `run()` has
 * happened). A span never ended keeps it above 0, which only costs that lookup again.
 */
export const openSpans = { sampled: 0 };

/**
 * The span a measurement is made for where its context has been left (an HTTP server's request
 * duration, observed in a promise reaction outside the request's context): histograms take their
 * exemplar from it before the active span. Set around one synchronous observe, then cleared.
 */
export const measuredFor: { span: Span | undefined } = { span: undefined };

/**
 * A span that records: also the `SpanData` exporters read once it has ended. Fields are
 * assigned in the constructor (no initialisers) and empty lists are shared until first
 * use, because a span's floor cost is mostly allocation.
 */
export class RecordingSpan implements Span, SpanData {
  declare name: string;
  declare readonly kind: SpanKind;
  declare readonly parentSpanId: string | undefined;
  declare readonly parentIsRemote: boolean | undefined;
  declare readonly traceFlags: number;
  declare readonly traceState: string | undefined;
  declare readonly startTime: number;
  declare endTime: number;
  /** Prototype-free, so any key (even `__proto__`) is a plain entry. */
  declare readonly attributes: Attributes;
  declare status: { code: SpanStatus; message?: string };
  declare droppedAttributesCount: number;
  /** Events, links, their dropped counts and the instrumentation scope: see the getters. */
  declare private extras: SpanExtras | undefined;
  /** The scope (request) this span belongs to, if any. */
  declare scope: Scope | undefined;
  /** Baggage carried from the incoming request, passed on to children and outgoing calls. */
  declare baggage: Baggage | undefined;
  /**
   * @internal The estimated size of `attributes`, kept as they are set: 48 bytes plus 2 per key
   * character, plus each value's size (see valueBytes).
   */
  declare attributeBytes: number;
  /** The number of distinct keys in `attributes`. */
  declare private attributeCount: number;
  /**
   * One bit per key in `attributes` (see keyBit), so that only a key whose bit is set needs a
   * lookup to tell a replacement from a new key; and REDACT_BIT, set once a key that the
   * redactor may change was stored (export redacts only such spans).
   */
  declare private keyBits: number;
  declare private readonly owner: SpanOwner;
  // Ids as 24-bit chunks (see ids.ts), hex-encoded on first read and cached in tid / sid: the
  // trace id is t0-t4 and the top 8 bits of ts, the span id s0, s1 and the low 16 bits of ts.
  declare private tid: string | undefined;
  declare private sid: string | undefined;
  declare private t0: number;
  declare private t1: number;
  declare private t2: number;
  declare private t3: number;
  declare private t4: number;
  declare private s0: number;
  declare private s1: number;
  declare private ts: number;

  /**
   * The trace id comes from `parent` (a span context, or a span of this class read directly so
   * its ids stay unencoded until needed), else `traceId`, else is new; the span id is new.
   */
  constructor(
    owner: SpanOwner,
    name: string,
    kind: SpanKind,
    parent: SpanContext | undefined,
    traceId: string | undefined,
    traceFlags: number,
    startTime: number,
    scope: Scope | undefined,
    baggage: Baggage | undefined,
  ) {
    this.owner = owner;
    this.name = name;
    this.kind = kind;
    this.parentSpanId = parent?.spanId;
    this.parentIsRemote = parent === undefined ? undefined : parent.isRemote === true;
    this.traceState = parent?.traceState;
    this.traceFlags = traceFlags;
    this.startTime = startTime;
    this.endTime = 0;
    this.attributes = newAttributes();
    this.status = UNSET;
    this.droppedAttributesCount = 0;
    this.extras = undefined;
    this.scope = scope;
    this.baggage = baggage;
    this.attributeBytes = 0;
    this.attributeCount = 0;
    this.keyBits = 0;
    // Six random words, every bit used: a trace id (used only when no parent gives one; one
    // branch-free path costs less than the 16 unused bytes) and a span id. (The constructor is
    // kept under V8's inlining limit of 460 bytecode bytes: the all-zero checks are in the getters.)
    const i = takeWords(6);
    const w = pool!;
    const a = w[i];
    const b = w[i + 1];
    const c = w[i + 2];
    const e = w[i + 4];
    this.tid = parent !== undefined ? parent.traceId : traceId;
    this.t0 = a >>> 8;
    this.t1 = ((a & 255) << 16) | (b >>> 16);
    this.t2 = ((b & 65535) << 8) | (c >>> 24);
    this.t3 = c & 0xffffff;
    this.t4 = w[i + 3] >>> 8;
    this.sid = undefined;
    this.s0 = e >>> 8;
    this.s1 = ((e & 255) << 16) | (w[i + 5] >>> 16);
    this.ts = ((w[i + 3] & 255) << 16) | (w[i + 5] & 65535);
  }

  /** 32 lowercase hex digits, never all zero (the last digits are 01 if the rest are zero). */
  get traceId(): string {
    if (this.tid !== undefined) return this.tid;
    const { t0, t1, t2, t3, t4 } = this;
    return (this.tid = traceIdHex(t0, t1, t2, t3, t4, this.ts >>> 16 || (t0 | t1 | t2 | t3 | t4 ? 0 : 1)));
  }

  /** 16 lowercase hex digits, never all zero (the last digits are 0001 if the rest are zero). */
  get spanId(): string {
    if (this.sid !== undefined) return this.sid;
    const { s0, s1 } = this;
    return (this.sid = spanIdHex(s0, s1, this.ts & 65535 || (s0 | s1 ? 0 : 1)));
  }

  /**
   * An object made once per span by `make` and kept with it (the `@opentelemetry/api` view of
   * `/otel`, which must stay the same object): a WeakMap from span to view cost more than the
   * span itself, its entries slowing every garbage collection.
   */
  view<T extends object, A>(make: (arg: A) => T, arg: A): T {
    const x = (this.extras ??= new SpanExtras());
    return (x.view ??= make(arg)) as T;
  }

  get events(): readonly SpanEventData[] {
    return (this.extras ?? NO_EXTRAS).events;
  }
  get links(): readonly SpanLinkData[] {
    return (this.extras ?? NO_EXTRAS).links;
  }
  get droppedEventsCount(): number {
    return (this.extras ?? NO_EXTRAS).droppedEventsCount;
  }
  get droppedLinksCount(): number {
    return (this.extras ?? NO_EXTRAS).droppedLinksCount;
  }
  get instrumentationScope(): InstrumentationScope | undefined {
    return (this.extras ?? NO_EXTRAS).instrumentationScope;
  }
  set instrumentationScope(scope: InstrumentationScope | undefined) {
    (this.extras ??= new SpanExtras()).instrumentationScope = scope;
  }

  /** @internal True when a stored key may need redaction before export. */
  get redact(): boolean {
    return (this.keyBits & REDACT_BIT) !== 0;
  }

  get ended(): boolean {
    return this.endTime !== 0;
  }

  /** Unix nanoseconds as a decimal string (the OTLP JSON form). */
  get startTimeUnixNano(): string {
    return msToUnixNano(this.startTime);
  }
  get endTimeUnixNano(): string {
    return msToUnixNano(this.endTime);
  }
  /** Wall time between start and end in milliseconds (0 until ended). */
  get durationMs(): number {
    return this.endTime === 0 ? 0 : Math.max(0, this.endTime - this.startTime);
  }

  setAttribute(key: string, value: unknown): this {
    if (this.endTime !== 0) return this.afterEnd('setAttribute');
    // Fast path: a usual key and a primitive under the length limit, its size known here.
    if (typeof key === 'string' && key !== '') {
      const t = typeof value;
      if (t === 'string') {
        if ((value as string).length <= this.owner.limits.attributeValueLengthLimit) return this.store(key, value, 16 + 2 * (value as string).length);
      } else if (t === 'number' || t === 'boolean') return this.store(key, value, 16);
    }
    try {
      return this.setAttributeSlow(key, value);
    } catch {
      unreadable(this.owner);
      return this;
    }
  }

  /**
   * Stores a clean value within `attributeCountLimit` (a new key beyond it is dropped; an
   * existing one is replaced), keeping the key count, the size estimate and the redaction flag
   * current so that neither the buffer nor export walks the attributes again.
   */
  private store(key: string, value: unknown, size: number): this {
    const attrs = this.attributes as Record<string, unknown>;
    const bits = this.keyBits;
    const n = this.attributeCount;
    // The key's bit and redaction flag, remembered for the key last stored at this position (see
    // slotKey): spans of one kind set the same keys in the same order, so a string comparison
    // usually replaces hashing the key here and again in the redactor (measured about 7% of a
    // span with three attributes).
    const redactor = this.owner.redactor;
    const i = n & 7;
    let kb: number;
    if (slotKey[i] === key && slotRedactor[i] === redactor) kb = slotBits[i]!;
    else {
      kb = redactor.mayRedact(key) ? keyBit(key) | REDACT_BIT : keyBit(key);
      slotKey[i] = key;
      slotRedactor[i] = redactor;
      slotBits[i] = kb;
    }
    if ((bits & kb & ~REDACT_BIT) === 0 || attrs[key] === undefined) {
      if (n >= this.owner.limits.attributeCountLimit) return this.dropAttribute();
      this.attributeCount = n + 1;
      this.attributeBytes += 48 + 2 * key.length + size;
      this.keyBits = bits | kb;
      // One store site per position: spans of one kind set the same keys in the same order, so
      // each site sees one key and one map (V8 then adds the property as a known transition)
      // instead of one site seeing every key, whose generic store costs ~10 ns here.
      switch (n) {
        case 0:
          attrs[key] = value;
          return this;
        case 1:
          attrs[key] = value;
          return this;
        case 2:
          attrs[key] = value;
          return this;
        case 3:
          attrs[key] = value;
          return this;
        case 4:
          attrs[key] = value;
          return this;
        case 5:
          attrs[key] = value;
          return this;
        default:
          attrs[key] = value;
          return this;
      }
    }
    this.attributeBytes += size - valueBytes(attrs[key]);
    attrs[key] = value;
    return this;
  }

  private dropAttribute(): this {
    this.droppedAttributesCount++;
    this.owner.diag.drop('attribute_limit', () => `a span had more than ${this.owner.limits.attributeCountLimit} attributes (limits.attributeCountLimit)`);
    return this;
  }

  private setAttributeSlow(key: string, value: unknown): this {
    // With the key: a value over the limit is redacted before it is cut (see sanitizeAttribute).
    const s = typeof key === 'string' && key !== '' ? sanitizeAttribute(value, this.owner.limits.attributeValueLengthLimit, this.owner.redactor, key) : undefined;
    if (this.lost(key, value, s?.fix)) return this;
    if (s!.fix === Fix.Converted) this.owner.diag.drop('invalid_attribute', 'an attribute value that was not a string, number or boolean (an object, a BigInt past 2^53) was written as text');
    return this.store(key, s!.value, valueBytes(s!.value));
  }

  /**
   * Counts and reports what an attribute of the span, an event or a link lost. True when it is
   * left out: a key that is empty or not a string (`fix` undefined), or a value no attribute
   * holds (null, undefined, a function, a symbol); a truncated value is kept.
   */
  private lost(key: unknown, value: unknown, fix: Fix | undefined): boolean {
    const diag = this.owner.diag;
    if (fix === undefined || key === '') diag.drop('invalid_attribute', 'an attribute key was empty or not a string; the attribute was dropped');
    else if (fix === Fix.Dropped) diag.drop('invalid_attribute', `attribute "${(key as string).slice(0, 64)}" had a ${value === null ? 'null' : typeof value} value; it was dropped`);
    else {
      if (fix === Fix.Truncated) diag.drop('attribute_truncated', () => `a value longer than ${this.owner.limits.attributeValueLengthLimit} characters was truncated (limits.attributeValueLengthLimit)`);
      return false;
    }
    return true;
  }

  setAttributes(attributes: Record<string, unknown>): this {
    if (attributes === null || typeof attributes !== 'object') return this;
    // for…in over own keys (V8's enum cache) rather than Object.keys: no key array per call.
    // `attributes.hasOwnProperty(key)` inside the for…in is folded by V8 into a map check;
    // `hasOwn.call` stays a call per key (about 20 ns a span of three attributes). Only when
    // the object's method is Object.prototype's own: not a prototype-free object, nor one with
    // a `hasOwnProperty` attribute of its own.
    try {
      if (ownHasOwn(attributes)) {
        for (const key in attributes) if (attributes.hasOwnProperty(key)) this.setAttribute(key, attributes[key]);
      } else for (const key in attributes) if (hasOwn.call(attributes, key)) this.setAttribute(key, attributes[key]);
    } catch {
      unreadable(this.owner);
    }
    return this;
  }

  addEvent(name: string, attributes?: Record<string, unknown> | TimeInput, time?: TimeInput): this {
    if (this.endTime !== 0) return this.afterEnd('addEvent');
    // OpenTelemetry allows addEvent(name, time): accept it.
    if (typeof attributes === 'number' || isDate(attributes)) {
      time = attributes;
      attributes = undefined;
    }
    const x = (this.extras ??= new SpanExtras());
    if (x.events.length >= this.owner.limits.eventCountLimit) {
      x.droppedEventsCount++;
      this.owner.diag.drop('event_limit', `a span had more than ${this.owner.limits.eventCountLimit} events (limits.eventCountLimit)`);
      return this;
    }
    const { attrs, dropped } = this.cleanAttributes(attributes as Record<string, unknown> | undefined, 'event');
    if (x.events === NO_EVENTS) x.events = [];
    x.events.push({ name: clampText(this.owner, typeof name === 'string' ? name : describe(name), 'event name'), time: spanTime(this.owner, time), attributes: attrs, droppedAttributesCount: dropped });
    return this;
  }

  addLink(link: Link): this {
    try {
      return this.link(link);
    } catch {
      unreadable(this.owner);
      return this;
    }
  }

  private link(link: Link): this {
    if (this.endTime !== 0) return this.afterEnd('addLink');
    if (!link || !link.context) {
      // Counted with the span data a caller can get wrong (there is no reason of its own).
      this.owner.diag.drop('invalid_attribute', 'a span link without a context was dropped');
      return this;
    }
    const c = link.context;
    // OTLP has no encoding for a malformed id: such a link would reach backends with empty ids,
    // pointing nowhere. Either hex case is accepted (as OpenTelemetry's API does) and kept
    // lower-cased (OTLP-J2). An all-zero id is well-formed: see `zero` below.
    const traceId = lowerId(c.traceId);
    const spanId = lowerId(c.spanId);
    const zero = traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID;
    if (!(isValidTraceId(traceId) || traceId === INVALID_TRACE_ID) || !(isValidSpanId(spanId) || spanId === INVALID_SPAN_ID)) return this.badLink();
    const x = (this.extras ??= new SpanExtras());
    if (x.links.length >= this.owner.limits.linkCountLimit) {
      x.droppedLinksCount++;
      this.owner.diag.drop('link_limit', `a span had more than ${this.owner.limits.linkCountLimit} links (limits.linkCountLimit)`);
      return this;
    }
    const { attrs, dropped } = this.cleanAttributes(link.attributes, 'link');
    // Checked as a tracestate to send (a hand-made context's text was never parsed): a malformed,
    // duplicated or past-32 member is left out, counted.
    const traceState = outgoingTracestate(c.traceState, this.owner.diag);
    // OpenTelemetry's trace API: a link with an all-zero id SHOULD be recorded when it has
    // attributes or a tracestate (messaging systems describe a message without a trace so).
    if (zero && !traceState && !dropped && Object.keys(attrs).length === 0) return this.badLink();
    if (x.links === NO_LINKS) x.links = [];
    x.links.push({
      traceId,
      spanId,
      traceFlags: c.traceFlags,
      traceState,
      isRemote: c.isRemote,
      attributes: attrs,
      droppedAttributesCount: dropped,
    });
    return this;
  }

  private badLink(): this {
    this.owner.diag.drop('invalid_attribute', 'a span link with a malformed id, or an all-zero one and no attributes or tracestate, was dropped');
    return this;
  }

  setStatus(code: SpanStatus, message?: string): this {
    if (this.endTime !== 0) return this.afterEnd('setStatus');
    if (this.status.code === SpanStatus.OK) return this; // OK is final (TR-02)
    let s: ReturnType<typeof setStatusArgs>;
    try {
      s = setStatusArgs(code, message);
    } catch {
      unreadable(this.owner);
      return this;
    }
    if (s === undefined) {
      // A code that is none of the three (setStatus('ERROR'), a number past 2) would leave a failed
      // span UNSET without a word: counted as other span data that cannot be recorded.
      this.owner.diag.drop('invalid_attribute', () => `a span status code must be SpanStatus.UNSET, OK or ERROR (0, 1, 2), got ${describe(code).slice(0, 64)}; the status was left as it was`);
    } else if (s.code !== SpanStatus.UNSET) {
      // An error's message as the status (failSpan): the URLs it quotes lose their secrets, as in
      // the exception event; redacted before the cut, which could leave part of one.
      if (s.message !== undefined) s.message = clampText(this.owner, this.owner.redactor.apply('exception.message', s.message) as string, 'status message');
      this.status = s;
    }
    return this;
  }

  recordException(error: unknown, time?: TimeInput): this {
    if (this.endTime !== 0) return this.afterEnd('recordException');
    const attrs: Record<string, unknown> = {};
    try {
      if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
        const e = error as Error;
        attrs['exception.type'] = e.name || e.constructor?.name || 'Error';
        attrs['exception.message'] = typeof e.message === 'string' ? e.message : describe(e.message, this.owner.redactor);
        const stack = stackTrace(e, this.owner.redactor, this.owner.limits.attributeValueLengthLimit);
        if (stack !== undefined) attrs['exception.stacktrace'] = stack;
      } else {
        // describe(): String() throws on null-prototype objects and hostile toString/Symbol.toPrimitive.
        // With the redactor: a thrown object's secret-named fields (`{ access_token }`) are masked.
        attrs['exception.message'] = typeof error === 'string' ? error : describe(error, this.owner.redactor);
      }
    } catch {
      // throwing getters (name, message, stack): keep what was read
    }
    return this.addEvent('exception', attrs, time);
  }

  updateName(name: string): this {
    if (this.endTime !== 0) return this.afterEnd('updateName');
    if (typeof name === 'string' && name) this.name = clampText(this.owner, name, 'name');
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.endTime !== 0) {
      this.owner.diag.drop('span_ended_twice', `span "${this.name.slice(0, 64)}" was ended twice; the second end() was ignored`);
      return;
    }
    const t = spanTime(this.owner, endTime);
    this.endTime = t < this.startTime ? this.endedEarly() : t; // end ≥ start (TR-05)
    if (this.traceFlags & 1) openSpans.sampled--;
    this.owner.onEnd(this);
  }

  /**
   * An end before the start (an end time given too early, a start time in the future): the
   * duration is clamped to 0, as OpenTelemetry's SDK does, and counted, as other clamped input is.
   */
  private endedEarly(): number {
    this.owner.diag.drop('invalid_value', () => `span "${this.name.slice(0, 64)}" ended before its start time; its duration was set to 0`);
    return this.startTime;
  }

  /**
   * A change made after end() (OpenTelemetry's API ignores it too): what it carried is lost, so
   * it is counted (span_ended), reported once. Without this, a status code or error set after the
   * span ended disappeared without a trace.
   */
  private afterEnd(what: string): this {
    this.owner.diag.drop('span_ended', () => `span "${this.name.slice(0, 64)}" had ended; a later ${what}() was ignored`);
    return this;
  }

  isRecording(): boolean {
    return this.endTime === 0;
  }

  spanContext(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, traceFlags: this.traceFlags, traceState: this.traceState, isRemote: false };
  }

  [Symbol.dispose](): void {
    if (this.endTime === 0) this.end();
  }

  /** An event's or link's attributes, within `limits.eventAttributeCountLimit` / `limits.linkAttributeCountLimit`. */
  private cleanAttributes(input: Record<string, unknown> | undefined, what: 'event' | 'link'): { attrs: Attributes; dropped: number } {
    const attrs: Attributes = {};
    let dropped = 0;
    if (input === null || typeof input !== 'object') return { attrs, dropped };
    const limits = this.owner.limits;
    const max = limits[`${what}AttributeCountLimit`];
    let n = 0;
    try {
      for (const key of Object.keys(input)) {
        const v = input[key];
        const s = sanitizeAttribute(v, limits.attributeValueLengthLimit, this.owner.redactor, key);
        // Counted as a span attribute's would be (an empty key or a value no attribute holds is dropped).
        if (this.lost(key, v, s.fix)) continue;
        if (n >= max) {
          dropped++;
          continue;
        }
        n++;
        defineSafe(attrs, key, s.value as AttributeValue);
      }
    } catch {
      // attributes that throw when read: those read so far are kept
      unreadable(this.owner);
    }
    if (dropped) this.owner.diag.drop('attribute_limit', () => `a span ${what} had more than ${max} attributes (limits.${what}AttributeCountLimit)`, dropped);
    return { attrs, dropped };
  }
}

function isDate(v: unknown): v is Date {
  try {
    return v instanceof Date;
  } catch {
    return false; // a revoked Proxy: cleanAttributes counts it
  }
}

/**
 * A span name, event name or status message over 4096 characters (or over
 * limits.attributeValueLengthLimit, when that is larger), cut and counted: a 1 MB name would
 * otherwise be held in the buffer and sent to every backend. A smaller limit is for attribute
 * values only (ENV-15): OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=0 must not blank every span name.
 */
export function clampText(owner: SpanOwner, text: string, what: string): string {
  const max = textLimit(owner);
  if (text.length <= max) return text;
  owner.diag.drop('attribute_truncated', () => `a span ${what} longer than ${max} characters was truncated`);
  return clip(text, max);
}

export const textLimit = (owner: SpanOwner): number => Math.max(owner.limits.attributeValueLengthLimit, 4096);

/**
 * A span's, event's or end time given by the user, or now. One that is not a time (NaN, an
 * OpenTelemetry HrTime array, a string, past the year 2554) is replaced by now, and counted.
 */
export function spanTime(owner: SpanOwner, t: unknown): number {
  if (t === undefined) return now();
  const ms = epochMs(t);
  if (ms !== undefined) return ms;
  owner.diag.drop('invalid_value', () => `a span time must be epoch milliseconds or a Date, got ${describe(t).slice(0, 64)}; the current time was used`);
  return now();
}

/** Span data that throws when read (a getter, a revoked Proxy) is misuse: counted, never thrown. */
export function unreadable(owner: SpanOwner): void {
  owner.diag.drop('invalid_attribute', 'span data that throws when read was dropped');
}

/** A span that is not sampled: it carries context for propagation and records nothing. */
export class NonRecordingSpan implements Span {
  scope: Scope | undefined;
  baggage: Baggage | undefined;
  /** Its monitor, for injectContext (propagators, baggage drops). */
  owner: SpanOwner | undefined;
  /**
   * `http.route` set by a router on an unsampled server span (the Hono middleware), kept for the
   * request's metric, which counts every request, sampled or not (see routeSetOn).
   */
  route: string | undefined;
  constructor(private readonly ctx: SpanContext) {}
  setAttribute(key?: string, value?: unknown): this {
    if (key === 'http.route' && typeof value === 'string') this.route = value;
    return this;
  }
  setAttributes(attributes?: Record<string, unknown>): this {
    let route: unknown;
    try {
      route = attributes?.['http.route'];
    } catch {
      // A revoked Proxy or a throwing getter: misuse, counted as a recording span counts it, never thrown.
      if (this.owner) unreadable(this.owner);
      return this;
    }
    return this.setAttribute('http.route', route);
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  recordException(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
  spanContext(): SpanContext {
    return this.ctx;
  }
  [Symbol.dispose](): void {}
}

/** The `http.route` a router set on a server span during its request, sampled or not. */
export function routeSetOn(span: Span): string | undefined {
  const r = span instanceof NonRecordingSpan ? span.route : (span as { attributes?: Record<string, unknown> }).attributes?.['http.route'];
  return typeof r === 'string' ? r : undefined;
}
