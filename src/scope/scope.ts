import { contextStorage, type ActiveContext } from '../context/active.js';
import type { Attributes } from '../model/attributes.js';
import type { LogRecordData } from '../model/log-data.js';
import type { RecordingSpan, Span } from '../trace/span.js';

/** What one flush did: counts per signal and each backend's outcome. */
export interface FlushResult {
  readonly spans: number;
  readonly logs: number;
  readonly metricPoints: number;
  readonly backends: readonly { readonly name: string; readonly ok: boolean; readonly reason?: string; readonly error?: string }[];
}

const NOTHING: FlushResult = Object.freeze({ spans: 0, logs: 0, metricPoints: 0, backends: Object.freeze([]) });
let nothing: Promise<FlushResult> | undefined;

/**
 * The settled promise a scope's `close()` returns when nothing left with it (no backend, nothing
 * recorded, or the data kept back for a later flush): adapters compare against it and skip
 * `waitUntil`, which has nothing to wait for. Created on first use, shared afterwards.
 */
export function nothingToExport(): Promise<FlushResult> {
  return (nothing ??= Promise.resolve(NOTHING));
}

/** What a scope needs from its monitor. */
export interface ScopeOwner {
  closeScope(scope: Scope): Promise<FlushResult>;
  flush(): Promise<unknown>;
  scopeSpanLimit(scope: Scope, span: RecordingSpan): boolean;
  scopeLogLimit(scope: Scope): boolean;
}

export interface ScopeOptions {
  /** What the scope is: a route, a cron, a queue name. */
  name?: string;
  /** Attributes describing the invocation (informational; spans carry their own). */
  attributes?: Attributes;
}

/**
 * The telemetry of one invocation (a request, a scheduled run, a queue batch, a Durable
 * Object call): the spans it finished and its log records. `close()` exports them once per
 * backend and returns the promise to hand to `waitUntil`; the response never waits for it.
 */
export class Scope {
  readonly name: string;
  readonly spans: RecordingSpan[] = [];
  readonly logs: LogRecordData[] = [];
  /**
   * @internal Until the scope closes, its sampled spans started and not yet ended: the tracer
   * counts one up as it starts such a span, `addSpan` one down as it ends (each such span ends
   * into its open scope). What an adapter that exports an invocation before its handler is done
   * (a Lambda timeout) counts as lost: they would end too late for any export.
   */
  open = 0;
  /**
   * The SERVER span of the HTTP request the scope serves, set by the adapter that opened it, for
   * middleware that names it by route (Hono), and what `run()` makes current when called from
   * outside the scope. Unset for other invocations (a cron, a queue batch, an RPC call), whose
   * spans keep their names.
   */
  serverSpan: Span | undefined;
  /**
   * @internal The traced `fetch` that outgoing calls made in this scope go through, set by an
   * adapter that patches the global `fetch` (Workers): a field, not a per-request WeakMap entry.
   */
  tracedFetch: ((input: Request | string | URL, init?: RequestInit) => Promise<Response>) | undefined = undefined;
  /**
   * @internal Where the Cache API calls made in this scope are reported (Workers: the binding
   * instrumentation of the `instrument()` whose invocation this is, its `onBindingCall`); unset
   * where that one turned bindings off. Per scope, not per monitor: two `instrument()` calls may
   * share a monitor with different options.
   */
  declare bindings: object | undefined;
  /**
   * @internal Set on the scope of a request whose handler has `traceFetch: false` (Deno, Bun,
   * Node): its outgoing calls keep the plain `fetch`, also where another handler of the same
   * monitor traces it. A field: a WeakSet entry per request cost about 1 µs, mostly in GC.
   */
  declare plainFetch: true | undefined;
  /**
   * @internal Set by the Node and Bun adapters on the scope of a request whose connection closed before
   * any response was sent: its span and duration then have no status, the one the handler
   * returned or left set (200), or the 500 of one that failed, never having reached the client.
   */
  declare unanswered: true | undefined;
  /**
   * @internal Set on the scope of a request whose connection closed after its status, before the
   * whole body was sent (a client that left mid-body): its span and duration keep the status, with
   * `error.type` `connection_closed`.
   */
  declare bodyCut: true | undefined;
  /**
   * @internal Run as `close()` is called, before anything is exported: what a middleware waits
   * for when its adapter says nothing else (whenAnswered in handle-request.ts; it runs once).
   */
  declare beforeClose: (() => void) | undefined;
  #closing: Promise<FlushResult> | undefined;
  /**
   * Set as `close()` starts, before the monitor takes the spans and logs: what is recorded while
   * it exports (a collect callback that logs, an `onDiagnostic` that does, with `close()` called
   * inside `run()`) goes to the monitor's buffer, not into lists already taken (lost, uncounted).
   */
  #ended = false;

  constructor(
    /**
     * @internal The monitor that opened the scope. Every monitor shares one context storage, so
     * another monitor's tracer or logger can find this scope active: they leave it alone.
     */
    readonly owner: ScopeOwner,
    options?: ScopeOptions,
  ) {
    let name: unknown;
    try {
      name = options?.name;
      this.#attributes = options?.attributes;
    } catch {
      // Options that cannot be read (a revoked Proxy, a getter that throws) must not fail the
      // request that opens the scope: it opens without them, and the misuse is counted.
      (owner as { diag?: { drop(reason: 'invalid_attribute', message: string): void } }).diag?.drop('invalid_attribute', 'openScope() options that could not be read were left out');
    }
    this.name = typeof name === 'string' ? name : 'scope';
  }

  #attributes: Attributes | undefined;

  /** Attributes describing the invocation (informational); an empty object is made on first read. */
  get attributes(): Attributes {
    return (this.#attributes ??= {});
  }

  /** True once `close()` was called: later spans and logs go to the next flush. */
  get closed(): boolean {
    return this.#ended;
  }

  /**
   * Runs `fn` with this scope current and returns its result. Called inside the scope
   * (`getActiveScope()!.run(fn)`), the context stays as it is: the active span, baggage and
   * OpenTelemetry context. Called from elsewhere (a callback that lost the request's context),
   * the request's SERVER span is current, with its baggage: logs carry its trace ids and new
   * spans are its children, as in the handler. A scope without one (`openScope()`) has no span.
   */
  run<R>(fn: () => R): R {
    const storage = contextStorage();
    const active = storage.get();
    const span = this.serverSpan as (Span & { baggage?: ActiveContext['baggage'] }) | undefined;
    return storage.run(active?.scope === this ? active : { scope: this, span, baggage: span?.baggage }, fn);
  }

  /** @internal */
  addSpan(span: RecordingSpan): void {
    this.open--;
    if (this.owner.scopeSpanLimit(this, span)) this.spans.push(span);
  }

  /** @internal */
  addLog(record: LogRecordData): void {
    if (this.owner.scopeLogLimit(this)) this.logs.push(record);
  }

  #work: Promise<unknown>[] | undefined;
  /**
   * @internal The export alone, when `close()` also waits for work handed to `waitUntil` (else
   * unset: `close()` returns the export itself). What an adapter that times the export (Lambda's
   * `flushTimeoutMs`) judges the collector by.
   */
  declare exported: Promise<FlushResult> | undefined;

  /**
   * Keeps the invocation alive until `promise` settles, wherever the runtime allows it: the promise
   * `close()` returns, which adapters hand to the platform's `waitUntil` (Workers, Vercel, Netlify)
   * and await before a Lambda returns, settles only after it too (the export itself does not wait
   * for it; what it records is flushed once it settles, within that promise). For work started
   * during the invocation that must not be cut when the response leaves (an alert's webhook post).
   * False, and nothing held, once the scope is closed.
   */
  waitUntil(promise: Promise<unknown>): boolean {
    if (this.#closing !== undefined) return false;
    (this.#work ??= []).push(promise);
    return true;
  }

  /**
   * Ends the scope and exports what it holds. Idempotent: a second call returns the same
   * promise. The promise never rejects.
   */
  close(): Promise<FlushResult> {
    this.beforeClose?.();
    if (this.#closing !== undefined) return this.#closing;
    // A close() from within the export (a collect callback's) would export the same lists again.
    if (this.#ended) return nothingToExport();
    this.#ended = true;
    const exported = this.owner.closeScope(this);
    const work = this.#work;
    if (work === undefined) return (this.#closing = exported);
    this.exported = exported;
    // Each taken through a new promise and settled either way: the app's rejection stays its own.
    // What the work recorded (the scope closed, so to the monitor's buffer) is flushed once it has
    // settled, inside the same hold: left for a later export, it was lost to the freeze or eviction.
    return (this.#closing = Promise.all([exported, ...work.map((p) => new Promise((r) => r(p)).catch(() => {}))]).then((r) => this.owner.flush().then(() => r[0])));
  }
}
