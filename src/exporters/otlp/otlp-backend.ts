// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import { timerMs } from '../../time.js';
import type { Backend, Diagnostic, DiagnosticHandler, DropReason, ExportResult, TelemetryBatch } from '../../model/batch.js';
import type { Temporality } from '../../model/metric-data.js';
import type { OtlpSignal } from './endpoint.js';
import { contentTypeOf, encodeSignal, gzip } from './encode.js';
import { USER_AGENT } from './version.js';
import { settleQuietly } from '../../diag/callback.js';
import { countDataPoints, countNegativeSummaries } from './metric-shape.js';
import type { FetchLike, OtlpBackendOptions, ResolvedOtlpOptions } from './options.js';
import { registerExporterUrl, unregisterExporterUrl } from './exporter-urls.js';
import type { PostContext, PostOutcome } from './post.js';
import { deliveredUnread, postWithRetry } from './post.js';
import { SIGNALS, redactUrl } from './endpoint.js';
import { resolveOtlpOptions } from './options.js';
import { DROPPED_METRIC, DeltaCarry } from './carry-over.js';

/** The recommended cap on request bodies, before compression (OTLP-05). */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

const REJECTED_KEY = { traces: 'spans', metrics: 'dataPoints', logs: 'logs' } as const;

/**
 * An export's result. When the items it lost went for more than one reason (traces rejected with
 * a 400, logs lost to a network error), `byReason` has the same items per reason; `reason` is the
 * first failure's.
 */
export interface OtlpExportResult extends ExportResult {
  readonly byReason?: { readonly [R in DropReason]?: number };
}

interface Job {
  readonly signal: OtlpSignal;
  readonly count: number;
}

/**
 * Sends batches to an OpenTelemetry collector over OTLP/HTTP (protobuf or JSON): one POST per
 * non-empty signal, retried on 429/502/503/504 and network errors within that signal's timeout
 * (`tracesTimeoutMs`, `metricsTimeoutMs`, `logsTimeoutMs`, else `timeoutMs`).
 * `export` never throws and never rejects; failures come back as an `ExportResult` and
 * through `onDiagnostic`. Configuration mistakes throw here, at construction.
 *
 * @param options endpoint (default `http://localhost:4318`), protocol (`http/protobuf`),
 *   headers, compression (`none`), timeoutMs (10000), temporality (`delta`), fetch, signals.
 * @example
 * const otlp = new OtlpBackend({
 *   endpoint: 'https://otlp.example.com',
 *   headers: { authorization: `Bearer ${env.OTLP_TOKEN}` },
 *   compression: 'gzip',
 * });
 * const monitor = createMonitor({ serviceName: 'api', backends: [otlp] });
 */
export class OtlpBackend implements Backend {
  readonly name: string;
  readonly temporality: Temporality | 'none';
  /** The URL each signal is posted to, after ENV-02 URL building. */
  readonly urls: Readonly<Record<OtlpSignal, string>>;
  readonly #options: ResolvedOtlpOptions;
  readonly #fetch: FetchLike;
  readonly #onDiagnostic: DiagnosticHandler | undefined;
  readonly #secrets: string[];
  /** The request headers per signal, without Content-Encoding. */
  readonly #headers = {} as Record<OtlpSignal, Readonly<Record<string, string>>>;
  readonly #inflight = new Set<Promise<OtlpExportResult>>();
  /** Metric deltas not delivered yet (delta temporality only): see `#export`. */
  readonly #carry: DeltaCarry | undefined;
  #closed = false;

  constructor(options: OtlpBackendOptions = {}) {
    const o = resolveOtlpOptions(options);
    this.#options = o;
    this.name = o.name;
    // lowmemory takes the delta collection (shared with other delta backends), observable
    // counters' totals swapped in at export (see #export).
    this.temporality = o.signals.has('metrics') ? (o.temporality === 'cumulative' ? 'cumulative' : 'delta') : 'none';
    this.#carry = this.temporality === 'delta' ? new DeltaCarry() : undefined;
    // Resolved per call, so a fetch replaced after construction (tests, polyfills) is used.
    // Called as a plain function: as a method of the post context, the runtime's own fetch
    // given as `fetch: fetch` threw "Illegal invocation" on workerd for every export.
    const given = options.fetch;
    this.#fetch = (input, init) => (given ?? globalThis.fetch)(input, init);
    this.#onDiagnostic = options.onDiagnostic;
    const secrets: string[] = (this.#secrets = []);
    const secret = (v: string): void => void (v.length >= 4 && !secrets.includes(v) && secrets.push(v));
    const urls = {} as Record<OtlpSignal, string>;
    for (const s of SIGNALS) {
      // A user Content-Type or Content-Encoding would not describe the body actually sent.
      const { 'user-agent': ua, 'content-type': _type, 'content-encoding': _encoding, ...given } = o.headers[s];
      const user: Record<string, string> = given;
      const endpoint = splitEndpoint(o.urls[s], secret);
      urls[s] = endpoint.url;
      // fetch refuses a URL with `user:password@`: the credentials go as Basic auth instead.
      if (endpoint.authorization && !Object.keys(user).some((k) => k.toLowerCase() === 'authorization')) user.authorization = endpoint.authorization;
      this.#headers[s] = { ...user, 'user-agent': ua ? `${ua} ${USER_AGENT}` : USER_AGENT, 'content-type': contentTypeOf(o.protocol[s]) };
      for (const v of Object.values(user)) {
        secret(v);
        // The token of `Bearer <token>` or `Basic <credentials>`: a collector may echo it alone.
        for (const part of v.split(/\s+/)) if (part.length >= 8) secret(part);
      }
    }
    this.urls = urls;
    for (const s of o.signals) registerExporterUrl(urls[s]);
  }

  /** True for a URL this backend posts to: adapters use it to skip tracing the exporter itself. */
  ownsUrl(url: string | URL | Request): boolean {
    const u = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
    for (const s of this.#options.signals) {
      const own = this.urls[s];
      if (u === own) return true;
      try {
        if (new URL(u).href === new URL(own).href) return true;
      } catch {
        // Not a URL: not ours.
      }
    }
    return false;
  }

  export(batch: TelemetryBatch): Promise<OtlpExportResult> {
    if (this.#closed) return Promise.resolve({ ok: false, reason: 'after_shutdown', error: 'OtlpBackend is shut down' });
    const p = this.#export(batch).catch(
      (err: unknown): ExportResult => ({ ok: false, reason: 'export_failed', error: this.#redact('internal error: ' + String(err)) }),
    );
    this.#inflight.add(p);
    void p.then(() => this.#inflight.delete(p));
    return p;
  }

  /** Resolves once every export in flight has settled. */
  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
  }

  /**
   * Stops accepting batches, waits for those in flight, sends the metric deltas still held from
   * failed exports (their last chance), and unregisters the exporter URLs.
   */
  async shutdown(): Promise<void | ExportResult> {
    if (this.#closed) return this.forceFlush();
    this.#closed = true;
    await this.forceFlush();
    const held = this.#carry?.held;
    let lost: ExportResult | undefined;
    if (held) {
      let items = 0;
      // Under the last export's reason, as in any export: a 400 rejected them, a timeout kept them.
      let reason: DropReason = 'export_failed';
      for (const [resource, [scope]] of [...held]) {
        const r = await this.#export({ resource, scope, spans: [], logs: [] }, true);
        // What this last export dropped (a 400, a partial success, a timeout: nothing is kept for
        // later now) is lost: counted in what shutdown() returns, since nothing reads this result.
        if (!r.ok) (items += r.rejected?.dataPoints ?? 0), (reason = r.reason ?? reason);
      }
      held.clear();
      if (items > 0) {
        const message = this.#redact(`OTLP metrics to ${redactUrl(this.urls.metrics)}: ${items} data points kept from failed exports were lost at shutdown`);
        this.#diagnose({ kind: reason, message, detail: { signal: 'metrics', items } });
        // Also the monitor's to count and report: the backend's own onDiagnostic is unset by default.
        lost = { ok: false, reason, error: message, rejected: { dataPoints: items } };
      }
    }
    for (const s of this.#options.signals) unregisterExporterUrl(this.urls[s]);
    return lost;
  }

  /**
   * A metrics delta that could not be delivered is not lost silently. A delta collection resets
   * what it collects, so OpenTelemetry's SDKs (sdk-metrics' PeriodicExportingMetricReader and
   * TemporalMetricProcessor) let a failed delta export go, logged but not counted; and the counts
   * of a failed export, recorded after it, ride with the next one, so a second failure in a row
   * took them too. Here, as the OpenTelemetry Collector's exporters do (retry and queue what is
   * transient, drop and count what is permanent), with the same line the retries draw (OTLP-09/10):
   * - a failure the exporter would retry (network error, timeout, 429/502/503/504 after the
   *   attempts or the time ran out) keeps the delta and merges it into this backend's next
   *   metrics export (`DeltaCarry`): per series, sums and histograms add up over [the first
   *   start, the latest time], gauges and cumulative points keep the latest. A delta merges, so
   *   what waits is bounded by the series, not by the number of failures; an isolate serves many
   *   requests, and the next one's export delivers it;
   * - a failure never retried (400, 500, another status, over 64 MiB) would fail again: its
   *   points are dropped and counted (`rejected.dataPoints`, counted by the monitor under the
   *   reason), except lexigram_monitor_dropped_total's own points, which are always kept (a
   *   handful of series) so that the counts of what was lost reach the collector;
   * - a partial success is never sent again (OTLP-07): its rejected points are counted.
   * An export whose undelivered data was all kept reports `ok` with the failure in `error`
   * (and through onDiagnostic): nothing was dropped, so nothing is counted; the monitor counts a
   * failed result's items as dropped. What is still kept at shutdown gets one last export.
   */
  async #export(batch: TelemetryBatch, last = false): Promise<OtlpExportResult> {
    const o = this.#options;
    const carry = this.#carry;
    let metrics = batch.metrics;
    // lowmemory (ENV-08): an observable counter goes as its totals (Cumulative), before any carry,
    // which then keeps the latest totals instead of adding them up.
    if (metrics && o.temporality === 'lowmemory') metrics = { ...metrics, metrics: metrics.metrics.map((m) => (m.type === 'counter' && m.totals ? { ...m, temporality: 'cumulative', points: m.totals } : m)) };
    let overBound = 0;
    // Carried deltas ride with the next metrics of their resource (the monitor paces metrics by
    // metricExportIntervalMs), or with the last export at shutdown.
    if (carry && (metrics ? metrics.temporality === 'delta' : last)) ({ metrics, lost: overBound } = carry.take(batch.resource, metrics));
    if (metrics !== batch.metrics) batch = { ...batch, metrics };
    const jobs: Job[] = [];
    if (o.signals.has('traces') && batch.spans.length > 0) jobs.push({ signal: 'traces', count: batch.spans.length });
    const points = countDataPoints(metrics);
    if (o.signals.has('metrics') && points > 0) jobs.push({ signal: 'metrics', count: points });
    if (o.signals.has('logs') && batch.logs.length > 0) jobs.push({ signal: 'logs', count: batch.logs.length });
    if (jobs.length === 0) return { ok: true };

    // Each signal's request is bounded by its own timeout (ENV-04); signals with the same timeout
    // (the usual case) share one timer and one AbortController, as the whole export once did.
    const budgets = new Map<number, Budget>();
    let outcomes: PostOutcome[];
    try {
      outcomes = await Promise.all(
        jobs.map((job) => {
          const ms = o.timeoutMs[job.signal];
          let b = budgets.get(ms);
          if (b === undefined) budgets.set(ms, (b = budget(ms, this.#fetch, o)));
          return b.run((delivered) => this.#send(batch, job.signal, b.ctx, delivered));
        }),
      );
    } finally {
      for (const b of budgets.values()) b.end();
    }
    return this.#combine(jobs, outcomes, o.signals.has('metrics') ? countNegativeSummaries(metrics) : 0, batch, overBound, last);
  }

  async #send(batch: TelemetryBatch, signal: OtlpSignal, ctx: PostContext, delivered: (status: number, attempts: number) => void): Promise<PostOutcome> {
    const o = this.#options;
    let body: Uint8Array;
    try {
      body = encodeSignal(batch, signal, o.protocol[signal]);
    } catch (err) {
      return { ok: false, reason: 'export_failed', error: 'encoding failed: ' + String(err), attempts: 0 };
    }
    if (body.byteLength > MAX_REQUEST_BYTES) {
      return { ok: false, reason: 'export_too_large', error: `request body of ${body.byteLength} bytes exceeds 64 MiB (not sent)`, attempts: 0 };
    }
    let headers = this.#headers[signal];
    if (o.compression[signal] === 'gzip') {
      try {
        body = await gzip(body);
      } catch (err) {
        return { ok: false, reason: 'export_failed', error: 'gzip failed: ' + String(err), attempts: 0 };
      }
      headers = { ...headers, 'content-encoding': 'gzip' };
    }
    return postWithRetry(ctx, this.urls[signal], headers, body, o.protocol[signal] === 'http/json', delivered);
  }

  /**
   * `trimmed`: summary points sent without their negative quantiles and sum, counted when
   * delivered. `overBound`: carried points let go past the carry's bound (`buffer_full`).
   * `last`: the export at shutdown, whose undelivered points are lost, not kept.
   */
  #combine(jobs: Job[], outcomes: PostOutcome[], trimmed: number, batch: TelemetryBatch, overBound: number, last: boolean): OtlpExportResult {
    let reason: DropReason | undefined;
    const errors: string[] = [];
    const rejected: { spans?: number; logs?: number; dataPoints?: number } = {};
    // The same items per reason: each signal's request fails for its own (a 400 for traces, a
    // network error for logs), and the counts must not all go under the first one's.
    const byReason: { [R in DropReason]?: number } = {};
    const drop = (r: DropReason, n: number): void => void (byReason[r] = (byReason[r] ?? 0) + n);
    // Points kept from failed exports past the carry's bound (more series than a collection holds).
    if (overBound > 0) drop('buffer_full', (rejected.dataPoints = overBound));
    for (let i = 0; i < jobs.length; i++) {
      const { signal, count } = jobs[i];
      const out = outcomes[i];
      const to = redactUrl(this.urls[signal]);
      const where = `OTLP ${signal} export to ${to}`;
      if (out.ok) {
        if (out.partial?.errorMessage) {
          this.#diagnose({ kind: 'export', message: this.#redact(`${where}: server warning: ${out.partial.errorMessage}`), detail: { signal, status: out.status } });
        }
        if (signal === 'metrics' && trimmed > 0) {
          // Delivered, but not whole: the monitor counts ok results' `rejected` as export_rejected.
          const error = `${trimmed} summary points sent without negative quantiles and sum (MET-09)`;
          errors.push(error);
          rejected.dataPoints = (rejected.dataPoints ?? 0) + trimmed;
          drop('export_rejected', trimmed);
          this.#diagnose({ kind: 'export_rejected', message: `${where}: ${error}`, detail: { signal, items: trimmed } });
        }
        continue;
      }
      // A server can claim more rejected items than were sent: no more than `count` were lost.
      let items = out.partial ? Math.min(out.partial.rejected, count) : count;
      let kept = '';
      const metrics = batch.metrics;
      // The last export (shutdown) keeps nothing: there is no next one.
      if (signal === 'metrics' && this.#carry && metrics && !out.partial && !last) {
        // See #export: all of a delta the exporter would retry, else the drop counter's own points.
        const keep = out.retryable ? metrics.metrics : metrics.metrics.filter((m) => m.name === DROPPED_METRIC);
        const n = countDataPoints({ ...metrics, metrics: keep });
        // Points past the carry's bound are dropped after all, under this failure's reason.
        items += this.#carry.keep(batch.resource, batch.scope, keep) - n;
        if (n > 0) kept = `; ${n} data points kept for the next export`;
      }
      // The URL says where it went: on Workers a failed fetch says only "Network connection lost.",
      // and a stray OTEL_EXPORTER_OTLP_* variable sends to the default http://localhost:4318.
      const error = this.#redact(`${signal} to ${to}: ${out.error ?? 'failed'}${kept}`);
      errors.push(error);
      if (items > 0) {
        const why = out.reason ?? 'export_failed';
        reason ??= why;
        drop(why, items);
        rejected[REJECTED_KEY[signal]] = (rejected[REJECTED_KEY[signal]] ?? 0) + items;
      }
      this.#diagnose({
        kind: out.reason ?? 'export_failed',
        message: this.#redact(`${where} failed: ${out.error ?? 'unknown error'}${kept}`),
        detail: { signal, status: out.status, attempts: out.attempts, items },
      });
    }
    // Nothing lost to a failure: `ok`, whatever was kept for later (the monitor counts nothing);
    // carried points past the bound alone are counted as buffer_full.
    // Only when there is more than one reason: with one, `reason` says it.
    const split = Object.keys(byReason).length > 1 && { byReason };
    if (reason === undefined) {
      return errors.length || overBound ? { ok: true, ...(overBound && { reason: 'buffer_full' as const }), error: errors.join('; '), ...(rejected.dataPoints && { rejected }), ...split } : { ok: true };
    }
    return { ok: false, reason, error: errors.join('; '), rejected, ...split };
  }

  #diagnose(d: Diagnostic): void {
    try {
      settleQuietly(this.#onDiagnostic?.(d));
    } catch {
      // A throwing diagnostics hook must not turn into a failed export.
    }
  }

  /**
   * Header values (API keys, and the token of `Bearer <token>`) and the endpoint's query values
   * and credentials never leave in messages, whatever a server or runtime echoed (a fetch error
   * quotes the URL).
   */
  #redact(message: string): string {
    let out = message;
    for (const s of this.#secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
    return out;
  }
}

/** One timeout within an export: the signals it bounds share its deadline and abort signal. */
interface Budget {
  readonly ctx: PostContext;
  /**
   * The send `start` begins, or a timeout outcome at the deadline even if an injected fetch
   * ignores the abort; a success if a 2xx had arrived by then (`delivered`), its body still coming.
   */
  run(start: (delivered: (status: number, attempts: number) => void) => Promise<PostOutcome>): Promise<PostOutcome>;
  /** Clears the timer; aborts sends still running (abandoned, not awaited). */
  end(): void;
}

function budget(ms: number, fetch: FetchLike, o: ResolvedOtlpOptions): Budget {
  const controller = new AbortController();
  // Resolved by the timer itself rather than by an 'abort' listener: one listener fewer per export.
  let expire: (outcome: PostOutcome) => void;
  const timedOut = new Promise<PostOutcome>((resolve) => (expire = resolve));
  const timer =
    ms > 0
      ? setTimeout(() => {
          controller.abort();
          expire({ ok: false, reason: 'export_timeout', error: `export timed out after ${ms} ms`, attempts: 0, retryable: true });
        }, timerMs(ms))
      : undefined;
  let running = 0;
  return {
    ctx: {
      fetch,
      signal: controller.signal,
      deadline: ms > 0 ? Date.now() + ms : Infinity,
      maxAttempts: o.maxAttempts,
      initialBackoffMs: o.initialBackoffMs,
      maxBackoffMs: o.maxBackoffMs,
    },
    run: (start) => {
      running++;
      let status = 0;
      let attempts = 0;
      const send = start((s, a) => ((status = s), (attempts = a)));
      const late = timedOut.then((t) => (status ? deliveredUnread(status, attempts, `body still coming after ${ms} ms`) : t));
      return Promise.race([send.finally(() => --running || clearTimeout(timer)), late]);
    },
    end: () => {
      clearTimeout(timer);
      // Only a send still running (a fetch that ignored the signal) has anything to abort: an
      // abort builds a DOMException and dispatches an event, which every export paid before
      // (about 8% of an unbatched request's CPU in Node).
      if (running > 0) controller.abort();
    },
  };
}

/**
 * The endpoint without `user:password@` (fetch refuses such a URL), those credentials as a Basic
 * authorization value, and each secret the URL holds (its credentials, its query values, raw
 * and decoded) handed to `secret`.
 */
function splitEndpoint(url: string, secret: (v: string) => void): { url: string; authorization?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  for (const pair of u.search.slice(1).split('&')) {
    const raw = pair.slice(pair.indexOf('=') + 1);
    secret(raw);
    try {
      secret(decodeURIComponent(raw.replace(/\+/g, ' ')));
    } catch {
      // kept raw only
    }
  }
  if (u.username === '' && u.password === '') return { url };
  let user = u.username;
  let password = u.password;
  try {
    user = decodeURIComponent(user);
    password = decodeURIComponent(password);
  } catch {
    // used as written
  }
  for (const v of [u.username, u.password, user, password]) secret(v);
  u.username = '';
  u.password = '';
  const basic = btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)));
  secret(basic);
  return { url: u.href, authorization: `Basic ${basic}` };
}
