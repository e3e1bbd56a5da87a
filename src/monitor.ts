// The order of these imports is the order of the modules in a bundle: this one compresses best
// (`npm run size`; about 190 B of the Worker bundle). It has no other meaning.
import { VERSION } from './version.js';
import { ConsoleBackend } from './exporters/console/console-backend.js';
import { applyTailPolicy, createTailPolicy, KeptTraces, type TailPolicy } from './trace/sampling/tail.js';
import { Tracer, type TracerOwner } from './trace/tracer.js';
import { attributesBytes, valueBytes } from './attributes/sanitize.js';
import { contextStorage, holdDuringCollection, setContextStorage } from './context/active.js';
import { checkOptions, type MonitorOptions } from './config/options.js';
import { PROPAGATORS } from './trace/propagation/propagation.js';
import { Diagnostics } from './diag/diagnostics.js';
import { errorMessage } from './diag/error-message.js';
import { checkLevel, Logger, type LogOwner } from './logs/logger.js';
import { countDataPoints } from './exporters/otlp/metric-shape.js';
import { createRedactor, DEFAULT_REDACT_FIELDS, type Redactor } from './attributes/redact.js';
import { resolveLimits, type Limits } from './limits.js';
import { MetricsCollector } from './metrics/collector.js';
import { nothingToExport, Scope, type FlushResult, type ScopeOptions, type ScopeOwner } from './scope/scope.js';
import { HealthCheckRegistry } from './health/registry.js';
import { createSampler, type Sampler } from './trace/sampling/samplers.js';
import { prepareIds } from './trace/ids.js';
import { runtimeAttributes } from './runtime.js';
import { enterScope, leaveScope, now, timerMs } from './time.js';
import type { HookRegistry } from './hooks/registry.js';
import type { Attributes } from './model/attributes.js';
import type { Backend, DropReason, ExportResult, TelemetryBatch } from './model/batch.js';
import type { LogRecordData } from './model/log-data.js';
import type { MetricsSnapshot, Temporality } from './model/metric-data.js';
import type { InstrumentationScope, Resource } from './model/resource.js';
import type { SpanData } from './model/span-data.js';
import type { RecordingSpan } from './trace/span.js';

const SCOPE: InstrumentationScope = { name: '@lexigram/monitor', version: VERSION };
/** Spans (or logs) waiting outside scopes that start an export at once: OpenTelemetry's default batch (OTEL_BSP_MAX_EXPORT_BATCH_SIZE). */
const EXPORT_BATCH_SIZE = 512;
/** How long a batch carrier waits with no new request before it exports ahead of its window. */
const BATCH_QUIET_MS = 10;

/**
 * The one object an app holds: `metrics`, `tracer`, `logger`, scopes per invocation, and the
 * backends that telemetry is flushed to. Create it once per isolate or process.
 */
export class Monitor implements TracerOwner, LogOwner, ScopeOwner {
  readonly serviceName: string;
  readonly resource: Resource;
  /** The instrumentation scope of everything the monitor records (its metrics' `otel_scope_*` labels at a scrape). */
  readonly instrumentationScope: InstrumentationScope = SCOPE;
  readonly limits: Limits;
  readonly diag: Diagnostics;
  readonly sampler: Sampler;
  readonly redactor: Redactor;
  readonly metrics: MetricsCollector;
  readonly tracer: Tracer;
  readonly logger: Logger;
  readonly enabled: boolean;
  /** W3C headers read and written (`propagators`, OTEL_PROPAGATORS). */
  readonly propagators: readonly string[];
  readonly backends: readonly Backend[];
  readonly #tailPolicy: TailPolicy | undefined;
  /** Traces the tail policy kept: their later spans are kept with them (see KeptTraces). */
  #keptTraces: KeptTraces | undefined;
  readonly #flushTimeoutMs: number;
  readonly #metricExportIntervalMs: number;
  #lastMetricExport = 0;
  readonly #exportDelayMs: number;
  readonly #batchWindowMs: number;
  /** When the last scope export left (batchWindowMs): scopes closing sooner wait for the window. */
  #lastScopeExport = -Infinity;
  /** The scheduled export of what waits outside scopes: undefined when none is armed, null when timers are off. */
  #exportTimer: unknown;
  /** The periodic metric export of a server process (exportMetricsPeriodically), once started. */
  #metricTimer: unknown;
  private pendingSpans: RecordingSpan[] = [];
  private pendingLogs: LogRecordData[] = [];
  /** Estimated size of pendingSpans + pendingLogs (limits.maxBufferedBytes). */
  private pendingBytes = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  /**
   * Per backend (by index), its export() calls not settled yet. At `maxPendingExports` the
   * backend is busy: it is skipped while others take the data, so one that hangs holds back no
   * other, and is not handed batch after batch to hold in memory.
   */
  #busy: number[] = [];
  /** Callers waiting for a backend to make room (#room): woken when any export settles. */
  #roomWaiters: (() => void)[] = [];
  /** Per backend (by index, made when first needed), what it missed while busy: it goes first once the backend has room. */
  #behind: (Backlog | undefined)[] = [];
  #state: 'open' | 'closing' | 'closed' = 'open';
  #shuttingDown: Promise<void> | undefined;
  #healthRegistry: HealthCheckRegistry | undefined;

  constructor(options: MonitorOptions = {}) {
    checkOptions(options);
    this.limits = resolveLimits(options.limits);
    this.diag = new Diagnostics(options.onDiagnostic);
    this.sampler = createSampler(options.sampler, 'createMonitor');
    // Called only when given: a function is compiled on its first call, and the first request of
    // a Worker (where the monitor is built, CF-03) pays for every function it compiles.
    this.#tailPolicy = options.tailSampling && createTailPolicy(options.tailSampling);
    const level = checkLevel(options.logging?.level);
    const fields = [...(options.logging?.redactDefaults === false ? [] : DEFAULT_REDACT_FIELDS), ...(options.logging?.redactFields ?? [])];
    this.redactor = createRedactor(fields, options.logging?.redactDefaults !== false);
    this.enabled = options.disabled !== true;
    this.propagators = options.propagators ?? PROPAGATORS;
    this.#flushTimeoutMs = options.flushTimeoutMs ?? 25_000;
    this.#metricExportIntervalMs = options.metricExportIntervalMs ?? 0;
    this.#exportDelayMs = options.exportDelayMs ?? 5000;
    this.#batchWindowMs = options.batchWindowMs ?? 0;
    if (options.contextStorage !== undefined) setContextStorage(options.contextStorage);

    // An explicit serviceName wins, then a service.name given in resource (ENV-10: attributes
    // given in code win; withEnv passes OTEL_SERVICE_NAME as serviceName only when neither is).
    this.serviceName = options.serviceName ?? (options.resource?.['service.name'] as string | undefined) ?? 'unknown_service';
    const attributes: Attributes = {
      'telemetry.sdk.name': '@lexigram/monitor',
      'telemetry.sdk.language': 'webjs',
      'telemetry.sdk.version': VERSION,
      // Node, Deno and Bun: nodejs and the process.runtime.* of the runtime, whatever builds the monitor.
      ...runtimeAttributes(),
      ...(options.resource ?? {}),
      'service.name': this.serviceName,
    };
    if (options.serviceVersion) attributes['service.version'] = options.serviceVersion;
    this.resource = { attributes };

    this.metrics = new MetricsCollector(this.limits, this.diag, options.metrics?.exemplars !== false, this.redactor);
    this.metrics.histogramBuckets = options.metrics?.histogramBuckets;
    // With tail sampling an exemplar is collected once its trace is kept: none points at a dropped trace.
    if (this.#tailPolicy) this.metrics.keptTraces = this.#keptTraces = new KeptTraces();
    const dropped = this.metrics.createCounter('lexigram_monitor_dropped_total', 'Telemetry dropped by @lexigram/monitor, by reason.', {
      labelNames: ['reason'],
    });
    dropped.selfMetric = true;
    // `disabled: true` promises nothing is recorded: instruments see a closed collector, the
    // check they make on every call anyway.
    if (!this.enabled) this.metrics.disabled = this.metrics.closed = true;
    this.diag.attachCounter(dropped);
    this.tracer = new Tracer(this);
    this.logger = new Logger(this, level);
    this.backends = this.enabled ? (options.backends ?? [new ConsoleBackend()]) : [];
    this.#busy = this.backends.map(() => 0);
    // Without a delta backend, removed series keep no unsent change (no export would take it).
    this.metrics.deltaReader = this.backends.some((b) => b.temporality === 'delta');
    // Only deltas pushed (OTLP's default): idle series are forgotten. A scrape sets it back when it
    // collects (and `metricsHandler()` when it is made); a pull backend that says `readsTotals`
    // (PrometheusBackend, or an app's own) announces one from the start, or a handler made late
    // (on the first request) would find idle series gone.
    this.metrics.cumulativeReader = this.backends.some((b) => (b.temporality !== 'delta' && b.temporality !== 'none') || b.readsTotals === true);
    this.#exportTimer = this.#exportDelayMs > 0 && this.backends.length > 0 ? undefined : null;
    // What the first span would otherwise pay for, paid before the first request: the context
    // storage (Node loads `node:async_hooks` for it) and the runtime's Web Crypto.
    contextStorage();
    prepareIds();
  }

  /**
   * True once `shutdown()` has flushed what was waiting when it was called (telemetry recorded
   * during that first flush still leaves with it): further telemetry is dropped and counted.
   */
  get closed(): boolean {
    return this.#state !== 'open';
  }

  /** Component health checks, created on first use; statuses also go to `health_check_status{check}`. */
  get health(): HealthCheckRegistry {
    return (this.#healthRegistry ??= new HealthCheckRegistry({ metrics: this.metrics }));
  }

  /**
   * The hook registry this monitor subscribed to, if any: built-in instrumentation (Workers
   * bindings, the Hono middleware) emits its cache, sql, queue and web events there too.
   */
  hooks: HookRegistry | undefined;

  /**
   * Runs each backend's `export` when set: the OpenTelemetry bridge runs them under
   * `suppressTracing` while it is registered (see otel/quiet-exports.ts).
   * @internal
   */
  exportContext: (<T>(fn: () => T) => T) | undefined;

  /**
   * Turns a hook registry's events into metrics and spans; returns the unsubscribe function. A
   * registry subscribed already is not subscribed twice (every event would count twice): the
   * call gives back the same unsubscribe.
   */
  subscribeHooks(hooks: HookRegistry): () => void {
    let off = this.#subscriptions.get(hooks);
    if (off === undefined) {
      const stop = hooks.subscribe(this);
      off = () => {
        if (this.#subscriptions.get(hooks) !== off) return;
        this.#subscriptions.delete(hooks);
        stop();
        // The built-in sources then emit to the registry subscribed before it, if one still is.
        this.#subscribed.splice(this.#subscribed.indexOf(hooks), 1);
        this.hooks = this.#subscribed[this.#subscribed.length - 1];
      };
      this.#subscriptions.set(hooks, off);
    } else {
      this.#subscribed.splice(this.#subscribed.indexOf(hooks), 1);
    }
    this.#subscribed.push(hooks);
    this.hooks = hooks;
    return off;
  }
  readonly #subscriptions = new WeakMap<HookRegistry, () => void>();
  /** Subscribed registries, latest last: `hooks` is the last one. */
  readonly #subscribed: HookRegistry[] = [];

  /** A tracer for another instrumentation scope (libraries, the OpenTelemetry bridge). */
  getTracer(name: string, version?: string): Tracer {
    return name === SCOPE.name ? this.tracer : new Tracer(this, { name, version });
  }

  /** Opens the scope of one invocation (request, scheduled run, queue batch). */
  openScope(options?: ScopeOptions): Scope {
    this.#scopesOpened++;
    // A warm Lambda sandbox or a process that slept: its spans get today's time again.
    enterScope();
    return new Scope(this, options);
  }
  /** Scopes opened and closed so far: the batch window waits on while requests keep arriving or ending. */
  #scopesOpened = 0;
  #scopesClosed = 0;

  /** Exports everything not yet exported (spans and logs outside scopes, metric changes). */
  flush(): Promise<FlushResult> {
    return this.#flush(now() + this.#flushTimeoutMs);
  }

  /** flush(), waiting for room in saturated exports at most until `deadline` (shutdown() passes its own). */
  #flush(deadline: number): Promise<FlushResult> {
    this.#cancelScheduledExport();
    if (this.#saturated()) return this.#flushWhenRoom(deadline);
    return this.#exportWaiting(true);
  }

  /**
   * flush() while `maxPendingExports` exports are in flight: waits for one to make room (each is
   * bounded by `flushTimeoutMs`), then exports what waits. Returning at once would settle the
   * caller's `await monitor.flush()` with its data still buffered (a script that then exits loses
   * it uncounted). Past `deadline` the data stays buffered (bounded) for a later flush.
   */
  #flushWhenRoom(deadline: number): Promise<FlushResult> {
    if (!this.#saturated()) return this.#exportWaiting(true);
    if (this.#nothingWaiting()) return nothingToExport();
    if (now() >= deadline || this.#state === 'closed') {
      this.#scheduleExport();
      return nothingToExport();
    }
    const next = (): Promise<FlushResult> => this.#flushWhenRoom(deadline);
    return this.#room(deadline).then(next, next);
  }

  /** Flushes, waits for exports in flight, shuts the backends down; later telemetry is dropped. */
  shutdown(): Promise<void> {
    return (this.#shuttingDown ??= (async () => {
      // One deadline for both settles: a collector that is down fails each export within its
      // timeout, and trying again here would only wait it out again.
      const deadline = now() + this.#flushTimeoutMs;
      const settled = await this.#settle(deadline);
      // From here, spans ending and values recorded are refused and counted (after_shutdown);
      // what arrived during the flush above, and scopes that close now, still leave.
      this.#state = 'closing';
      this.metrics.closed = true;
      if (this.#metricTimer !== undefined) clearInterval(this.#metricTimer as ReturnType<typeof setInterval>);
      if (settled) await this.#settle(deadline);
      const left = this.pendingSpans.length + this.pendingLogs.length + this.#behindCount();
      this.#behind = [];
      if (left > 0) this.diag.drop('export_timeout', `shutdown() ended with ${left} spans and log records not exported (a backend failed, or flushTimeoutMs passed)`, left);
      // Counted: let go, or a batch carrier still waiting would find them and count them again.
      this.pendingSpans = [];
      this.pendingLogs = [];
      this.pendingBytes = 0;
      // Closed before the backends are told: nothing may reach a backend after its shutdown().
      this.#state = 'closed';
      await Promise.all(this.backends.map((b) => this.#settleBackend(b, 'shutdown')));
    })());
  }

  /**
   * @internal For a server process (the Node, Deno and Bun adapters): metric changes made between
   * requests (a background job's counter, an observable gauge) leave at least every
   * `metricExportIntervalMs` (OTEL_METRIC_EXPORT_INTERVAL; 60 s when 0, as OpenTelemetry's periodic
   * reader), not only with the next request or `flush()`. Only where a backend takes pushed metrics;
   * the timer never holds the process open, and stops at shutdown().
   */
  exportMetricsPeriodically(): void {
    if (this.#metricTimer !== undefined || this.#state !== 'open') return;
    if (!this.backends.some((b) => b.temporality !== 'none')) return;
    const ms = this.#metricExportIntervalMs > 0 ? this.#metricExportIntervalMs : 60_000;
    try {
      const timer = setInterval(() => {
        if (this.#state !== 'open') return clearInterval(timer);
        if ((this.metrics.dirty || this.metrics.hasCollectCallbacks) && now() - this.#lastMetricExport >= ms) void this.flush();
      }, timerMs(ms));
      (timer as { unref?: () => void }).unref?.();
      this.#metricTimer = timer;
    } catch {
      // No timers here: metrics leave with the next scope or flush().
    }
  }

  /** Waits for exports in flight and asks backends to flush their own buffers. */
  async forceFlush(): Promise<void> {
    await this.#settle(now() + this.#flushTimeoutMs);
    if (this.#state !== 'closed') await Promise.all(this.backends.map((b) => this.#settleBackend(b, 'forceFlush')));
  }

  /**
   * Flushes until nothing waits and no export is in flight: an export that started meanwhile (a
   * scope closing) is waited for, and what was kept back while exports were saturated, metric
   * changes included, leaves once they settle. Each round waits for exports bounded by
   * `flushTimeoutMs`. It stops at `deadline`, or when a backend failed: that failure is counted,
   * and the next try would fail the same way after waiting out its timeout again (each failure
   * also changes the drop counter, so something would always be waiting). True when nothing waits.
   */
  async #settle(deadline: number): Promise<boolean> {
    for (let round = 0; round < 4; round++) {
      const r = await this.#flush(deadline);
      await Promise.allSettled([...this.inflight]);
      if (this.inflight.size === 0 && this.#nothingWaiting()) return true;
      if (r.backends.some((b) => !b.ok) || now() >= deadline) return false;
    }
    return false;
  }

  /**
   * A backend's `shutdown()` or `forceFlush()`, bounded by `flushTimeoutMs` as exports are: a
   * backend that never answers (an OTLP request with no timeout to a silent collector) must not
   * hold its caller forever. Never rejects.
   */
  #settleBackend(backend: Backend, method: 'shutdown' | 'forceFlush'): Promise<void> {
    return this.#withinFlushTimeout(this.#guard(() => backend[method]?.())).then((r) => {
      if (r === PENDING) this.diag.drop('export_timeout', `backend "${backend.name}" did not finish ${method}() within ${this.#flushTimeoutMs} ms (flushTimeoutMs); it was left behind`);
      // What a backend says it lost at the end (OtlpBackend's metric deltas kept for a retry).
      else if (r !== null && typeof r === 'object' && (r as ExportResult).ok === false && (r as ExportResult).rejected !== undefined) this.#outcome(backend, r as ExportResult, 0);
    });
  }

  /** `p`, or PENDING once `flushTimeoutMs` has passed: the one deadline of exports, shutdown() and forceFlush(). */
  #withinFlushTimeout<T>(p: Promise<T>): Promise<T | typeof PENDING> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<typeof PENDING>((resolve) => {
      timer = setTimeout(() => resolve(PENDING), timerMs(this.#flushTimeoutMs));
    });
    return Promise.race([p, timeout]).then((r) => {
      clearTimeout(timer);
      return r;
    });
  }

  /** @internal a span ended */
  onEnd(span: RecordingSpan): void {
    // A RECORD_ONLY span is recorded for the code that holds it, not exported (SMP-04). It is
    // left out here rather than at export so that it takes no room in a scope's spansPerScope
    // or the buffer; tail policies (which never read the flag) see only what may be exported.
    if ((span.traceFlags & 1) === 0) return;
    if (this.#state !== 'open') {
      this.diag.drop('after_shutdown', 'a span ended after shutdown(); it was dropped');
      return;
    }
    const scope = span.scope;
    if (scope !== undefined && !scope.closed) {
      scope.addSpan(span);
      return;
    }
    // Room in the buffer (the usual case): what buffer() would do, without its checks.
    const size = estimateSpanBytes(span);
    const list = this.pendingSpans;
    if (list.length < this.limits.maxBufferedItems && this.pendingBytes + size <= this.limits.maxBufferedBytes) {
      list.push(span);
      this.pendingBytes += size;
    } else this.#buffer(true, span);
    if (this.#exportTimer === undefined || list.length >= EXPORT_BATCH_SIZE) this.#bufferedOutside();
  }

  /** @internal a log record was written */
  onLog(record: LogRecordData, scope: Scope | undefined): void {
    if (!this.enabled) return;
    if (scope !== undefined && !scope.closed) scope.addLog(record);
    else {
      this.#buffer(false, record);
      if (this.#exportTimer === undefined || this.pendingLogs.length >= EXPORT_BATCH_SIZE) this.#bufferedOutside();
    }
  }

  /**
   * Spans and logs that end outside any scope (background work, a timer, a script) leave with
   * the next scope's export, an explicit flush, a full batch of EXPORT_BATCH_SIZE, or at the
   * latest `exportDelayMs` after the first of them, as OpenTelemetry's batch processors do.
   */
  #bufferedOutside(): void {
    if (this.#batchFull()) {
      if (!this.#saturated()) void this.flush();
      return;
    }
    this.#scheduleExport();
  }

  #scheduleExport(): void {
    if (this.#exportTimer !== undefined || this.#state !== 'open') return;
    try {
      const timer = setTimeout(() => {
        this.#exportTimer = undefined;
        if (this.pendingSpans.length || this.pendingLogs.length) void this.flush();
      }, timerMs(this.#exportDelayMs));
      // It must not hold a server's exit back (where timers can be unref'd).
      (timer as { unref?: () => void }).unref?.();
      this.#exportTimer = timer;
    } catch {
      // No timers here (a Worker's global scope): the data leaves with the next scope or flush.
    }
  }

  #cancelScheduledExport(): void {
    const timer = this.#exportTimer;
    if (timer === undefined || timer === null) return;
    this.#exportTimer = undefined;
    try {
      clearTimeout(timer as ReturnType<typeof setTimeout>);
    } catch {
      // Armed in another request's context (Workers): it fires into an empty buffer.
    }
  }

  /** @internal */
  scopeSpanLimit(scope: Scope): boolean {
    if (scope.spans.length < this.limits.spansPerScope) return true;
    this.diag.drop('span_limit', `a scope finished more than ${this.limits.spansPerScope} spans (limits.spansPerScope); the rest were dropped`);
    return false;
  }

  /** @internal */
  scopeLogLimit(scope: Scope): boolean {
    if (scope.logs.length < this.limits.logsPerScope) return true;
    this.diag.drop('log_limit', `a scope wrote more than ${this.limits.logsPerScope} log records (limits.logsPerScope); the rest were dropped`);
    return false;
  }

  /** @internal */
  closeScope(scope: Scope): Promise<FlushResult> {
    this.#scopesClosed++;
    leaveScope();
    // After shutdown() nothing may wait in the buffer (no flush would take it): counted at once.
    if (this.#state === 'closed') return this.#export(scope.spans, scope.logs);
    if (this.#saturated()) {
      // A collector slower than the request rate: only this scope's data joins the (bounded)
      // buffer; re-buffering everything already waiting would cost O(buffer) per request.
      this.#bufferAll(scope.spans, scope.logs);
      return this.#carryBacklog();
    }
    if (this.#batchWindowMs > 0) {
      const t = now();
      if (t - this.#lastScopeExport < this.#batchWindowMs) return this.#deferScope(scope, t);
      this.#lastScopeExport = t;
    }
    // Whatever ended outside a scope, or after its scope closed, leaves with this flush.
    if (this.pendingSpans.length || this.pendingLogs.length) this.#cancelScheduledExport();
    const spans = this.pendingSpans.length ? this.pendingSpans.concat(scope.spans) : scope.spans.slice();
    const logs = this.pendingLogs.length ? this.pendingLogs.concat(scope.logs) : scope.logs.slice();
    this.pendingSpans = [];
    this.pendingLogs = [];
    this.pendingBytes = 0;
    const exported = this.#export(spans, logs);
    // An alert's post started by the collection: the scope, still open, holds it (outside its
    // export, by which the collector is judged).
    if (this.#collectionWork !== undefined) this.#handOver(scope);
    return exported;
  }

  /**
   * Work started by the collect callbacks of the export that just ran (an SLO alert's webhook
   * post, fired at a request's flush, where no scope is active): the runtime would cut it once
   * the export ends, so the invocation that exported holds it.
   */
  #collectionWork: Promise<unknown>[] | undefined;

  #handOver(scope: Scope): void {
    const work = this.#collectionWork!;
    this.#collectionWork = undefined;
    for (const p of work) scope.waitUntil(p);
  }

  /** `exported`, settling once the collection's work has settled too (an export that runs after its scope closed). */
  #withCollectionWork(exported: Promise<FlushResult>): Promise<FlushResult> {
    const work = this.#collectionWork;
    if (work === undefined) return exported;
    this.#collectionWork = undefined;
    return Promise.all([exported, ...work.map((p) => new Promise((r) => r(p)).catch(() => {}))]).then((r) => r[0]);
  }

  /**
   * `batchWindowMs`: a scope closing within the window of the last export joins the buffer. The
   * first such scope returns a promise (its own `waitUntil`) that waits while requests keep
   * arriving, at most to the end of the window, then exports every waiting scope's data in one
   * export per backend; later scopes return the settled "nothing to export". So the export
   * always runs inside a live `waitUntil` of the request that started it (no promise crosses
   * requests on Workers), and a busy isolate posts about once per window, not once per request.
   */
  #deferScope(scope: Scope, t: number): Promise<FlushResult> {
    this.#bufferAll(scope.spans, scope.logs);
    if (this.#batchFull()) {
      this.#lastScopeExport = t;
      return this.#exportWaiting();
    }
    // One scope per window carries the export; the others' data is in its hands already, so
    // they have nothing for `waitUntil` to wait for. A carrier still set well past its deadline
    // is dead: its scope's promise was held by no `waitUntil` (a Hono `app.request()` made without
    // an execution context), and workerd drops the timers of a request that has ended. Left in
    // place it kept every later scope of a window from exporting, each burst's tail waiting for the
    // next burst; this scope carries in its place.
    if ((this.#batchCarrier && t < this.#carrierDeadline + BATCH_QUIET_MS) || this.#nothingWaiting()) return nothingToExport();
    // The carrier waits while requests keep arriving or ending, up to the end of the window. If
    // none started or ended in the first millisecond (a lone request, or a caller that awaits
    // each request's export before sending the next) it exports then. Otherwise it checks every
    // 2 ms and exports early only after BATCH_QUIET_MS with no request started or ended (the end
    // of a burst): a busy isolate's short stalls (a GC, a slow client) no longer split its window
    // into several exports, each a POST per signal, and requests that started together and end
    // one by one leave together. Requests still open at the first check count as a burst; a
    // request merely still open afterwards (a stream, a WebSocket) does not hold it, or every
    // export would wait the whole window, polling.
    // Not unref'd: whoever holds this promise (a `waitUntil`, a script awaiting `close()`) is
    // waiting for the export.
    const deadline = (this.#carrierDeadline = this.#lastScopeExport + this.#batchWindowMs);
    const carrier: Promise<FlushResult> = (this.#batchCarrier = new Promise<void>((resolve) => {
      let seen = this.#scopesOpened + this.#scopesClosed;
      // Checks in a row that saw no request start or end; -1 until one has (the first check decides).
      let quietChecks = -1;
      const wait = (): void => {
        const events = this.#scopesOpened + this.#scopesClosed;
        // Requests still open at the first check will end and join: wait for the burst to go quiet.
        if (events !== seen || (quietChecks < 0 && this.#scopesOpened > this.#scopesClosed)) {
          seen = events;
          quietChecks = 0;
        } else if (quietChecks >= 0) quietChecks++;
        if (quietChecks < 0 || quietChecks * 2 >= BATCH_QUIET_MS || now() >= deadline) resolve();
        else setTimeout(wait, 2);
      };
      setTimeout(wait, 1);
    }).then(() => {
      // A late one leaves the carrier that replaced it in place.
      if (this.#batchCarrier === carrier) this.#batchCarrier = undefined;
      if (this.#nothingWaiting()) return nothingToExport();
      this.#lastScopeExport = now();
      return this.#exportWaiting();
    }));
    return carrier;
  }
  #batchCarrier: Promise<FlushResult> | undefined;
  #carrierDeadline = 0;

  /** Moves spans and logs (a closed scope's) into the buffer (bounded, see {@link buffer}). */
  #bufferAll(spans: readonly RecordingSpan[], logs: readonly LogRecordData[]): void {
    for (const s of spans) this.#buffer(true, s);
    for (const l of logs) this.#buffer(false, l);
  }

  /** A full batch of spans or logs waits in the buffer: it leaves at once. */
  #batchFull(): boolean {
    return this.pendingSpans.length >= EXPORT_BATCH_SIZE || this.pendingLogs.length >= EXPORT_BATCH_SIZE;
  }

  /** No span, log or metric change waits for an export. */
  #nothingWaiting(): boolean {
    return this.pendingSpans.length === 0 && this.pendingLogs.length === 0 && !this.metrics.dirty && this.#behindCount() === 0;
  }

  /** Exports what waits in the buffer, with the metric changes when their interval allows (always with `flushAll`). */
  #exportWaiting(flushAll = false): Promise<FlushResult> {
    const spans = this.pendingSpans;
    const logs = this.pendingLogs;
    this.pendingSpans = [];
    this.pendingLogs = [];
    this.pendingBytes = 0;
    return this.#withCollectionWork(this.#export(spans, logs, flushAll));
  }

  /**
   * While `maxPendingExports` exports are in flight, one caller's promise (its request's
   * `waitUntil`) waits for them to make room and then exports what is buffered; the others'
   * data is in its hands. Without it, buffered data would wait for the next request (on Workers
   * there is no timer), and be lost uncounted if the isolate is evicted first. Bounded by
   * `flushTimeoutMs`; past it the data stays buffered for the next flush.
   */
  #carryBacklog(): Promise<FlushResult> {
    if (this.#backlogCarried) return nothingToExport();
    this.#backlogCarried = true;
    const deadline = now() + this.#flushTimeoutMs;
    const attempt = (): Promise<FlushResult> => {
      if (this.#saturated() && now() < deadline && this.#state !== 'closed') return this.#room(deadline).then(attempt, attempt);
      // Cleared before exporting: data buffered from here on needs a carrier of its own.
      this.#backlogCarried = false;
      return this.#saturated() || this.#nothingWaiting() ? nothingToExport() : this.#exportWaiting();
    };
    return attempt();
  }
  #backlogCarried = false;

  /** True when every backend has `maxPendingExports` exports in flight: new data waits in the buffer. */
  #saturated(): boolean {
    const busy = this.#busy;
    if (busy.length === 0) return false;
    const max = this.limits.maxPendingExports;
    for (let i = 0; i < busy.length; i++) if (busy[i]! < max) return false;
    return true;
  }

  /**
   * Settles when a backend call settles (room may have been made), or at `deadline`: the calls
   * of a backend that never answers never settle, so without it a waiter could wait forever.
   */
  #room(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        const at = this.#roomWaiters.indexOf(wake);
        if (at >= 0) this.#roomWaiters.splice(at, 1);
        resolve();
      }, timerMs(Math.max(0, deadline - now())));
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#roomWaiters.push(wake);
    });
  }

  /** A backend call settled: one less in its count, and whoever waits for room looks again. */
  #release(i: number): void {
    this.#busy[i]!--;
    const waiters = this.#roomWaiters;
    if (waiters.length !== 0) {
      this.#roomWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /**
   * Buffers a span (isSpan) or log until the next flush, within `maxBufferedItems` per list and
   * `maxBufferedBytes` for both; the oldest items go first, counted as `buffer_full`.
   */
  #buffer(isSpan: boolean, item: RecordingSpan | LogRecordData): void {
    const list: (RecordingSpan | LogRecordData)[] = isSpan ? this.pendingSpans : this.pendingLogs;
    const size = estimateBytes(isSpan, item);
    const maxBytes = this.limits.maxBufferedBytes;
    if (size > maxBytes) {
      this.diag.drop('buffer_full', `a span or log larger than limits.maxBufferedBytes (${maxBytes}) could not wait for a flush; it was dropped`);
      return;
    }
    if (list.length >= this.limits.maxBufferedItems) this.#evictOldest(isSpan, `more than ${this.limits.maxBufferedItems} spans or logs waited for a flush (limits.maxBufferedItems); the oldest were dropped`);
    while (this.pendingBytes + size > maxBytes && (this.pendingSpans.length > 0 || this.pendingLogs.length > 0)) {
      this.#evictOldest(list.length > 0 ? isSpan : !isSpan, `more than ${maxBytes} bytes of spans and logs waited for a flush (limits.maxBufferedBytes); the oldest were dropped`);
    }
    list.push(item);
    this.pendingBytes += size;
  }

  /**
   * Drops the oldest eighth of a full list (at least one item) and counts them. In chunks, not
   * one per new item: a synchronous loop that ends spans faster than any export can settle (a
   * batch job, a benchmark's timing loop) keeps the buffer full, and shifting a 10,000-item list
   * and counting a drop for every span made such a loop cost ~320 ns a span, ~250 in chunks.
   */
  #evictOldest(isSpan: boolean, message: string): void {
    const list: (RecordingSpan | LogRecordData)[] = isSpan ? this.pendingSpans : this.pendingLogs;
    const old = list.splice(0, Math.max(1, list.length >> 3));
    if (old.length === 0) return;
    let bytes = 0;
    for (let i = 0; i < old.length; i++) bytes += estimateBytes(isSpan, old[i]!);
    this.pendingBytes = Math.max(0, this.pendingBytes - bytes);
    this.diag.drop('buffer_full', message, old.length);
  }

  #export(spansIn: RecordingSpan[], logs: LogRecordData[], flushAll = false): Promise<FlushResult> {
    if (this.backends.length === 0) return nothingToExport();
    if (this.#state === 'closed') {
      // A scope that closes after shutdown(): its backends are shut down already.
      this.diag.drop('after_shutdown', 'spans or logs were exported after shutdown(); they were dropped', spansIn.length + logs.length);
      return nothingToExport();
    }
    if (this.#saturated()) {
      // A collector slower than the request rate: keep the data for a later flush (bounded,
      // oldest dropped) instead of piling up exports.
      this.#bufferAll(spansIn, logs);
      return this.#carryBacklog();
    }
    let spans: SpanData[] = spansIn;
    if (this.#tailPolicy && spans.length) {
      spans = applyTailPolicy(spans, this.#tailPolicy, this.#keptTraces!).kept;
      this.diag.count('tail_sampled', spansIn.length - spans.length);
    }
    // Spans flag, as keys are set, whether the redactor may change any of their attributes.
    // Indexed: for-of made an iterator per export.
    for (let k = 0; k < spans.length; k++) {
      const s = spans[k] as RecordingSpan;
      if (s.redact || s.events.length !== 0 || s.links.length !== 0) this.#redactSpan(s);
    }
    // Metrics travel only when something was recorded since the previous flush and, with
    // `metricExportIntervalMs`, at most once per interval from request scopes (an explicit
    // flush always takes them).
    const t = now();
    // Collect callbacks may find new values at any collection, so with them metrics always travel.
    const metricsChanged = (this.metrics.dirty || this.metrics.hasCollectCallbacks) && (flushAll || t - this.#lastMetricExport >= this.#metricExportIntervalMs);
    if (metricsChanged) {
      this.metrics.dirty = false;
      this.#lastMetricExport = t;
    }
    if (spans.length === 0 && logs.length === 0 && !metricsChanged && this.#behindCount() === 0) return nothingToExport();

    // `deliver` never rejects; the export leaves `inflight` once settled (one reaction, no
    // `finally` wrapper: this runs once per request).
    const p = this.#deliver(spans, logs, metricsChanged);
    this.inflight.add(p);
    const settled = (): void => void this.inflight.delete(p);
    p.then(settled, settled);
    return p;
  }

  // Plain promise chains rather than async functions: this runs once per request, and each
  // `await` costs a promise and two closures.
  /** The last cumulative snapshot handed to backends had series. */
  #cumulativeShown = false;

  #deliver(spans: SpanData[], logs: LogRecordData[], metricsChanged: boolean): Promise<FlushResult> {
    let metricPoints = 0;
    // One snapshot per temporality, collected only when metrics travel.
    let snapshots: Map<Temporality, MetricsSnapshot | undefined> | undefined;
    // Sized up front and filled by index: the first push() of an empty array allocated room for
    // 16, and `for...of` an iterator, once per request.
    const backendList = this.backends;
    const jobs: Promise<FlushResult['backends'][number]>[] = new Array(backendList.length);
    /** Backends handed an empty cumulative snapshot (the news that the last series went). */
    let emptied: number[] | undefined;
    const busy = this.#busy;
    const max = this.limits.maxPendingExports;
    /** Backends with `maxPendingExports` exports in flight: the others take this export without them. */
    let skipped: number[] | undefined;
    try {
      for (let i = 0; i < backendList.length; i++) {
        const backend = backendList[i]!;
        if (busy[i]! >= max) {
          (skipped ??= []).push(i);
          continue;
        }
        const t = backend.temporality ?? 'cumulative';
        let metrics: MetricsSnapshot | undefined;
        if (metricsChanged && t !== 'none') {
          snapshots ??= new Map();
          if (snapshots.has(t)) metrics = snapshots.get(t);
          else {
            // One export runs the collect callbacks once, however many temporalities it collects.
            // Work the callbacks start (an SLO alert's post) is held by the invocation that exports.
            const s =
              snapshots.size === 0 && this.metrics.hasCollectCallbacks
                ? holdDuringCollection((p) => (this.#collectionWork ??= []).push(p), () => this.metrics.collect({ temporality: t }))
                : this.metrics.collect({ temporality: t, callbacks: snapshots.size === 0 });
            // An empty cumulative snapshot goes once, when the last series went (remove(),
            // reset()): "no series" is news there, and a Pushgateway PUT then clears the group.
            const shown = t === 'cumulative' ? this.#cumulativeShown : false;
            metrics = s.metrics.length > 0 || shown ? s : undefined;
            if (t === 'cumulative') this.#cumulativeShown = s.metrics.length > 0;
            snapshots.set(t, metrics);
          }
        }
        if (metrics) metricPoints = Math.max(metricPoints, countDataPoints(metrics));
        if (metrics?.metrics.length === 0) (emptied ??= []).push(i);
        // What this backend missed while busy goes with it, first.
        const behind = this.#behind[i];
        const own = behind !== undefined && behind.spans.length + behind.logs.length > 0 ? this.#takeBehind(i, spans, logs) : undefined;
        const s = own ? own.spans : spans;
        const l = own ? own.logs : logs;
        if (s.length === 0 && l.length === 0 && !metrics) jobs[i] = Promise.resolve({ name: backend.name, ok: true });
        else {
          busy[i]!++;
          jobs[i] = this.#exportOne(backend, i, { resource: this.resource, scope: SCOPE, spans: s, logs: l, metrics });
        }
      }
      if (skipped) for (const i of skipped) jobs[i] = this.#keepBehind(i, spans, logs, metricsChanged, snapshots);
    } catch (err) {
      return Promise.reject(err);
    }
    const done = (backends: FlushResult['backends']): FlushResult => {
      // An empty snapshot that failed (a Pushgateway PUT that did not arrive) goes again at the
      // next flush: nothing else would change the metrics, and the gateway would keep the old values.
      if (emptied?.some((i) => !backends[i]!.ok) && !this.#cumulativeShown) this.#cumulativeShown = this.metrics.dirty = true;
      return { spans: spans.length, logs: logs.length, metricPoints, backends };
    };
    return jobs.length === 1 ? jobs[0]!.then((b) => done([b])) : Promise.all(jobs).then(done);
  }

  /**
   * A busy backend's share of an export the others took waits for it in its own backlog
   * (bounded as the buffer is; the oldest go first, counted), so a backend that hangs holds back
   * no other and a slow one loses nothing while it keeps up on the whole. A metric delta
   * collected for another backend is lost to it and counted; a cumulative snapshot it gets
   * whole next time; a change no other backend collected waits for its next export. One caller
   * per backend (its request's `waitUntil` on Workers) waits for room and sends the backlog.
   */
  #keepBehind(i: number, spans: SpanData[], logs: LogRecordData[], metricsChanged: boolean, snapshots: Map<Temporality, MetricsSnapshot | undefined> | undefined): Promise<FlushResult['backends'][number]> {
    const backend = this.backends[i]!;
    const t = backend.temporality ?? 'cumulative';
    if (metricsChanged && t !== 'none') {
      if (!snapshots?.has(t)) this.metrics.dirty = true;
      else if (t === 'delta') {
        const lost = countDataPoints(snapshots.get(t));
        if (lost > 0) this.diag.drop('buffer_full', `backend "${backend.name}" had limits.maxPendingExports exports in flight: a metric delta collected for the other backends was dropped for it`, lost);
      }
    }
    const behind = (this.#behind[i] ??= { spans: [], logs: [], bytes: 0, carried: false });
    for (let k = 0; k < spans.length; k++) this.#addBehind(i, behind, true, spans[k]!);
    for (let k = 0; k < logs.length; k++) this.#addBehind(i, behind, false, logs[k]!);
    // Nothing kept (a metrics-only export), or a caller already waits to send it.
    if (behind.carried || behind.spans.length + behind.logs.length === 0) return Promise.resolve({ name: backend.name, ok: true });
    behind.carried = true;
    const deadline = now() + this.#flushTimeoutMs;
    const attempt = (): Promise<FlushResult['backends'][number]> => {
      // Only while open: shutdown() has its own deadline, and counts what is still behind.
      if (this.#busy[i]! >= this.limits.maxPendingExports && now() < deadline && this.#state === 'open') return this.#room(deadline).then(attempt, attempt);
      // Cleared before exporting: what is kept from here on needs a carrier of its own.
      behind.carried = false;
      if (behind.spans.length + behind.logs.length === 0) return Promise.resolve({ name: backend.name, ok: true });
      if (this.#state === 'closed' || this.#busy[i]! >= this.limits.maxPendingExports) {
        // Still busy at the deadline: the backlog stays (bounded) for the next export to it.
        return Promise.resolve({ name: backend.name, ok: false, reason: 'export_timeout', error: `limits.maxPendingExports exports still in flight after ${this.#flushTimeoutMs} ms` });
      }
      const own = this.#takeBehind(i, [], []);
      this.#busy[i]!++;
      return this.#exportOne(backend, i, { resource: this.resource, scope: SCOPE, spans: own.spans, logs: own.logs, metrics: undefined });
    };
    return attempt();
  }

  /** Adds one span or log to a busy backend's backlog, within the buffer's limits (oldest dropped, counted). */
  #addBehind(i: number, behind: Backlog, isSpan: boolean, item: SpanData | LogRecordData): void {
    const { maxBufferedItems, maxBufferedBytes } = this.limits;
    const size = estimateBytes(isSpan, item);
    const list: (SpanData | LogRecordData)[] = isSpan ? behind.spans : behind.logs;
    let dropped = 0;
    // The oldest of its own list go first; of the other one when bytes are short and it has none.
    while (behind.spans.length + behind.logs.length > 0 && (list.length >= maxBufferedItems || behind.bytes + size > maxBufferedBytes)) {
      const fromSpans = list.length > 0 ? isSpan : !isSpan;
      behind.bytes -= estimateBytes(fromSpans, (fromSpans ? behind.spans : behind.logs).shift()!);
      dropped++;
    }
    if (size > maxBufferedBytes) dropped++;
    else {
      list.push(item);
      behind.bytes += size;
    }
    if (dropped > 0) this.diag.drop('buffer_full', `backend "${this.backends[i]!.name}" fell behind (limits.maxPendingExports exports in flight) by more than limits.maxBufferedItems or maxBufferedBytes; its oldest spans and logs were dropped`, dropped);
  }

  /** A backend's backlog followed by this export's spans and logs; the backlog is emptied. */
  #takeBehind(i: number, spans: SpanData[], logs: LogRecordData[]): { spans: SpanData[]; logs: LogRecordData[] } {
    const behind = this.#behind[i]!;
    const out = { spans: behind.spans.length ? behind.spans.concat(spans) : spans, logs: behind.logs.length ? behind.logs.concat(logs) : logs };
    behind.spans = [];
    behind.logs = [];
    behind.bytes = 0;
    return out;
  }

  /** Spans and logs waiting in busy backends' backlogs. */
  #behindCount(): number {
    let n = 0;
    for (const b of this.#behind) if (b) n += b.spans.length + b.logs.length;
    return n;
  }

  /** One backend's export, bounded in time; failures are counted, never thrown. `i`: its index, for its count in flight. */
  #exportOne(backend: Backend, i: number, batch: TelemetryBatch): Promise<FlushResult['backends'][number]> {
    const items = batch.spans.length + batch.logs.length + countDataPoints(batch.metrics);
    let call: Promise<ExportResult>;
    // An export that has settled already (memory, no-op, console backends) needs no deadline: a
    // timer armed and cleared per request is measurable CPU on workerd. `call` has settled at
    // this point when its reaction, registered first, runs before one on a settled promise: what
    // Promise.race([call, PENDING]) tells, without its array, promises and resolving functions.
    let state = 0; // 1: fulfilled with `value`, 2: rejected with it
    let value: unknown;
    try {
      const run = this.exportContext;
      call = run === undefined ? backend.export(batch) : run(() => backend.export(batch));
      // In the try: a promise whose `constructor` getter throws fails as its rejection would.
      Promise.resolve(call).then(
        (r) => void ((state = 1), (value = r)),
        (err: unknown) => void ((state = 2), (value = err)),
      );
    } catch (err) {
      this.#release(i);
      return Promise.resolve(this.#outcome(backend, failed(err), items));
    }
    return nothingToExport().then(() => {
      if (state === 0) return this.#bounded(backend, this.#track(i, call), items);
      this.#release(i);
      return this.#outcome(backend, state === 1 ? (value as ExportResult) : failed(value), items);
    });
  }

  /**
   * A backend call still running: it stays in its backend's count until it settles, past
   * `flushTimeoutMs` too (it still holds its batch), and makes room when it does.
   */
  #track(i: number, call: Promise<ExportResult>): Promise<ExportResult> {
    // A custom backend's thenable, or a value that is neither: made a promise that settles once.
    const settled = Promise.resolve(call);
    const done = (): void => this.#release(i);
    settled.then(done, done);
    return settled;
  }

  /** An export still running: raced against `flushTimeoutMs`. */
  async #bounded(backend: Backend, call: Promise<ExportResult>, items: number): Promise<FlushResult['backends'][number]> {
    const r = await this.#withinFlushTimeout(this.#guard(() => call));
    return this.#outcome(backend, r === PENDING ? { ok: false, reason: 'export_timeout', error: `no answer within ${this.#flushTimeoutMs} ms` } : r, items);
  }

  /** A backend's answer as reported in the flush result; failures and rejections are counted. */
  #outcome(backend: Backend, result: ExportResult | undefined, items: number): FlushResult['backends'][number] {
    const r: ExportResult = result ?? { ok: false, reason: 'export_failed', error: 'export() returned nothing' };
    // A custom backend's reason and error may be anything (an object that cannot become text, a
    // getter that throws): read once, safely, so that neither the scope's export promise rejects
    // nor the backends after it are skipped.
    const reason = typeof r.reason === 'string' ? r.reason : undefined;
    const error = r.error === undefined || typeof r.error === 'string' ? r.error : errorMessage(r.error);
    const n = r.rejected ? (r.rejected.spans ?? 0) + (r.rejected.logs ?? 0) + (r.rejected.dataPoints ?? 0) : 0;
    const by = n > 0 ? r.byReason : undefined;
    if (by !== null && typeof by === 'object') {
      // The items per reason (OtlpBackend: traces rejected with a 400, logs lost to a network error).
      for (const k in by) this.diag.drop(k as DropReason, `backend "${backend.name}" ${r.ok ? 'rejected' : 'could not export'}: ${error ?? k}`, Number(by[k as DropReason]) || 0, k + backend.name);
    } else if (!r.ok) {
      // Reported once per backend and reason: a second misconfigured backend failing the same way
      // would otherwise never be named (the count has no backend label).
      this.diag.drop(reason ?? 'export_failed', `backend "${backend.name}" could not export: ${error ?? reason ?? 'failed'}`, n || items, (reason ?? 'export_failed') + backend.name);
    } else if (n > 0) {
      // The backend's own words when it gives them (what to change, such as a limit to raise).
      // Under the backend's reason when it gives one (MemoryBackend's bound: buffer_full).
      this.diag.drop(reason ?? 'export_rejected', `backend "${backend.name}" rejected ${n} items${error ? `: ${error}` : ''}`, n);
    } else if (error) {
      // Nothing lost (OtlpBackend kept its metrics for the next export), nothing counted; but a
      // collector down for an hour must not go unseen where this monitor's diagnostics are read.
      // The kept data leaves only with a later export: a script that ended with flush() alone
      // exited with it held, uncounted. Said here, where a script's author sees it.
      this.diag.report('export', `backend "${backend.name}" could not export, nothing lost yet: ${error} (kept for the next export; end with monitor.shutdown(), or an exit loses it uncounted)`, undefined, `export:${backend.name}`);
    }
    return { name: backend.name, ok: r.ok, reason, error };
  }

  /** Calls a backend method, turning a synchronous throw or a rejection into a failed result. */
  async #guard<T>(fn: () => Promise<T> | T | undefined): Promise<T | ExportResult> {
    try {
      return (await fn()) as T;
    } catch (err) {
      return failed(err);
    }
  }

  /** Redacts secret attribute values of a finished span (once, before it leaves). */
  #redactSpan(span: RecordingSpan): void {
    const r = this.redactor;
    redactAttributes(span.attributes as Record<string, unknown>, r);
    for (const e of span.events) redactAttributes(e.attributes as Record<string, unknown>, r);
    for (const l of span.links) redactAttributes(l.attributes as Record<string, unknown>, r);
  }
}

function redactAttributes(attrs: Record<string, unknown>, r: Redactor): void {
  for (const k in attrs) {
    const v = attrs[k];
    const nv = r.apply(k, v);
    if (nv !== v) attrs[k] = nv;
  }
}

/** What a busy backend missed (see Monitor#keepBehind); `carried` while a caller waits to send it. */
interface Backlog {
  spans: SpanData[];
  logs: LogRecordData[];
  bytes: number;
  carried: boolean;
}

/** Raced against a backend's export: wins when the export has not settled yet. */
const PENDING: unique symbol = Symbol('pending');

function failed(err: unknown): ExportResult {
  return { ok: false, reason: 'export_failed', error: errorMessage(err) };
}

function estimateBytes(isSpan: boolean, item: SpanData | LogRecordData): number {
  return isSpan ? estimateSpanBytes(item as RecordingSpan) : estimateLogBytes(item as LogRecordData);
}

function estimateSpanBytes(s: RecordingSpan): number {
  // The span keeps its attributes' estimate current as they are set (RecordingSpan.attributeBytes).
  let n = 400 + 2 * s.name.length + s.attributeBytes;
  // Indexed loops: for-of allocates an iterator per list here (measured ~80 bytes a span).
  const events = s.events;
  for (let i = 0; i < events.length; i++) n += 96 + 2 * events[i].name.length + attributesBytes(events[i].attributes as Record<string, unknown>);
  const links = s.links;
  for (let i = 0; i < links.length; i++) n += 160 + attributesBytes(links[i].attributes as Record<string, unknown>);
  if (s.status.message) n += 2 * s.status.message.length;
  return n;
}

function estimateLogBytes(l: LogRecordData): number {
  // A Logs API record's structured body counts as deep as it is kept, as attributes do.
  const body = l.body;
  return 240 + (typeof body === 'string' ? 2 * body.length : valueBytes(body)) + attributesBytes(l.attributes as Record<string, unknown>);
}

/**
 * Creates a monitor. Configuration errors throw here, naming the option and what is allowed.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ serviceName: 'checkout', backends: [new MemoryBackend()] });
 * const orders = monitor.metrics.createCounter('orders_total', 'Orders placed', { labelNames: ['status'] });
 * orders.increment(1, { status: 'ok' });
 * ```
 */
export function createMonitor(options?: MonitorOptions): Monitor {
  return new Monitor(options);
}
