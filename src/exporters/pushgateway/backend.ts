/**
 * `PushgatewayBackend`: pushes cumulative metrics as text 0.0.4 to a Prometheus Pushgateway.
 * Right for work that ends before a scrape could reach it (cron triggers, queue consumers,
 * batch jobs); wrong for a fleet of isolates sharing one grouping key (PG-12).
 *
 * @module
 */

import { checkOptionKeys } from '../../config/option-keys.js';
import { timerMs } from '../../time.js';
import type { Backend, DropReason, ExportResult, TelemetryBatch } from '../../model/batch.js';
import { CONTENT_TYPES } from '../prometheus/negotiate.js';
import { renderSnapshot, type DroppedMetric } from '../prometheus/render.js';
import { callOnDrop, checkOnDrop } from '../prometheus/source.js';
import { kindOf } from '../../config/option-keys.js';
import { errorMessage } from '../../diag/error-message.js';
import { CLIENT_HEADERS } from '../../http/token.js';
import { groupingPath, NOT_WELL_FORMED, validateGroupingKey, wellFormed } from './grouping-key.js';
// Only the retry policy's helpers (they import nothing of OTLP's): the same statuses, Retry-After
// reading and jittered backoff as OtlpBackend.
import { backoffMs, isRetryableStatus, parseRetryAfter, sleep } from '../otlp/retry.js';

export interface PushgatewayBackendOptions {
  /** Base URL of the Pushgateway, e.g. `http://pushgateway:9091` (a path prefix is kept). */
  readonly url: string;
  /** The `job` label of the grouping key. Required, non-empty. */
  readonly job: string;
  /** Further grouping-key labels, a plain object, e.g. `{ instance: 'eu-1' }`. Values may be empty or contain `/`. */
  readonly groupingKey?: Readonly<Record<string, string>>;
  /** `PUT` (default) replaces the whole group (PG-03); `POST` replaces only the pushed names (PG-04). */
  readonly method?: 'PUT' | 'POST';
  /**
   * Extra request headers, e.g. `Authorization`, as a plain object. Their values (of 4 characters
   * or more) never appear in errors. `connection`, `content-length`, `expect`, `keep-alive`,
   * `transfer-encoding` and `upgrade` are the HTTP client's own and throw.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /**
   * Bounds each push (and `delete()`) in milliseconds, retries included. Default 10000. A network
   * error, 429, 502, 503 or 504 is tried again (up to 5 attempts, after the `Retry-After` asked for
   * or a jittered backoff from 1 s) while the next try can start before this runs out.
   */
  readonly timeoutMs?: number;
  /** Told about metrics left out of a push (name conflicts, MET-13). */
  readonly onDrop?: (dropped: DroppedMetric) => void;
}

// The gateway's own per-group gauges; pushing these names is refused with 400 (PG-06, PG-10).
const GATEWAY_NAMES = ['push_time_seconds', 'push_failure_time_seconds'];
const OK: ExportResult = Object.freeze({ ok: true });
// The retry policy of OtlpBackend's defaults (OTLP-09, OTLP-10), within `timeoutMs`.
const MAX_ATTEMPTS = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const KNOWN: Record<keyof PushgatewayBackendOptions, 0> = { url: 0, job: 0, groupingKey: 0, method: 0, headers: 0, fetch: 0, timeoutMs: 0, onDrop: 0 };

function configError(option: string, message: string): TypeError {
  return new TypeError(`PushgatewayBackend option "${option}" ${message}`);
}

function checkPlainObject(option: string, value: unknown, example: string): void {
  const proto = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw configError(option, `must be a plain object of names to string values, such as ${example}, got ${value instanceof Map ? 'a Map' : typeof Headers !== 'undefined' && value instanceof Headers ? 'a Headers' : kindOf(value)}`);
  }
}

/**
 * Pushes each metrics batch to `<url>/metrics/job/<job>{/<label>/<value>}`. Never throws from
 * `export` or `delete`: failures resolve `{ ok: false, reason, error }`.
 *
 * @example
 * const push = new PushgatewayBackend({ url: env.PUSHGATEWAY_URL, job: 'nightly-report' });
 * const monitor = createMonitor({ backends: [push] });
 * // in a scheduled handler: record metrics, then the monitor flushes through push.export()
 */
export class PushgatewayBackend implements Backend {
  readonly name = 'pushgateway';
  readonly temporality = 'cumulative' as const;
  /** The full grouping-key URL pushes go to. */
  readonly url: string;
  readonly method: 'PUT' | 'POST';
  readonly #headers: Record<string, string>;
  readonly #secrets: string[];
  readonly #fetch: (input: string, init: RequestInit) => Promise<Response>;
  readonly #timeoutMs: number;
  readonly #onDrop: ((dropped: DroppedMetric) => void) | undefined;
  /** `job` and the grouping key: the gateway sets them on every series, overwriting the body's. */
  readonly #fixedLabels: Record<string, string>;
  #queue: Promise<unknown> = Promise.resolve();
  /** The push queued and not yet started, which a newer export may supersede. */
  #waiting: { body: string; readonly result: Promise<ExportResult> } | undefined;
  #closed = false;
  /** A push or delete went to the group from this backend (see shutdown). */
  #sent = false;

  constructor(options: PushgatewayBackendOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('PushgatewayBackend needs an options object with "url" and "job"');
    checkOptionKeys('PushgatewayBackend', options, KNOWN);
    const { job, groupingKey = {}, method = 'PUT', headers = {}, timeoutMs = 10_000 } = options;
    if (typeof job !== 'string' || job === '') throw configError('job', 'is required and must be a non-empty string');
    if (!wellFormed(job)) throw configError('job', NOT_WELL_FORMED);
    if (method !== 'PUT' && method !== 'POST') throw configError('method', `must be "PUT" or "POST", got ${JSON.stringify(method)}`);
    if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      throw configError('timeoutMs', 'must be a positive number of milliseconds');
    }
    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw configError('fetch', 'must be a function');
    checkOnDrop('PushgatewayBackend', options.onDrop);
    // A `Map` or `Headers` has no own properties to read: its grouping key or credentials would be
    // left out unseen (a PUT to the job's group alone replaces that group).
    checkPlainObject('groupingKey', groupingKey, "{ instance: 'eu-1' }");
    checkPlainObject('headers', headers, '{ authorization: `Bearer ${token}` }');
    validateGroupingKey(groupingKey);

    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw configError('url', `must be an absolute http(s) URL, got ${JSON.stringify(String(options.url))}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw configError('url', 'must use http: or https:');
    if (base.username !== '' || base.password !== '') {
      throw configError('url', 'must not contain credentials; pass an Authorization header in "headers" instead');
    }
    if (base.search !== '' || base.hash !== '') throw configError('url', 'must not have a query or fragment');

    this.#headers = {};
    this.#secrets = [];
    for (const [name, value] of Object.entries(headers)) {
      // An unset env var (`authorization: env.TOKEN`) would be sent as the text "undefined".
      if (typeof value !== 'string') throw configError('headers', `has ${JSON.stringify(name)} with a value that is not a string (${kindOf(value)}); leave the header out when it has no value`);
      // The HTTP client's own: with one of these every push fails ("expect header not supported")
      // or hangs until the timeout (a Content-Length that is not the body's), as in OtlpBackend.
      if (CLIENT_HEADERS.includes(name.toLowerCase())) throw configError('headers', `has ${JSON.stringify(name)}, which is the HTTP client's to set (a request carrying it fails); leave it out`);
      try {
        new Headers([[name, value]]);
      } catch {
        // Name the header, never its value: it is often a credential.
        throw configError('headers', `has an invalid header ${JSON.stringify(name)}`);
      }
      this.#headers[name] = value;
      // As fetch sends it (outer whitespace trimmed), so an echo of what was sent is redacted too.
      // A value of 1-3 characters (a tenant id "1") is no credential, and redacting it would blank
      // every "1" of an error, the gateway's address included.
      const sent = value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
      for (const v of [value, sent]) if (v.length >= 4 && !this.#secrets.includes(v)) this.#secrets.push(v);
    }
    this.url = base.origin + base.pathname.replace(/\/+$/, '') + groupingPath(job, groupingKey);
    this.method = method;
    this.#timeoutMs = timeoutMs;
    this.#onDrop = options.onDrop;
    this.#fixedLabels = { job, ...groupingKey };
    const custom = options.fetch;
    // Looked up per call (not captured) so the global can be swapped. Both are called as plain
    // functions: as `this.#fetch(...)`, the runtime's own fetch given as `fetch: fetch` got the
    // backend as its `this` and threw "Illegal invocation" on workerd for every push.
    this.#fetch = custom !== undefined ? (input, init) => custom(input, init) : (input, init) => fetch(input, init);
  }

  /**
   * Pushes the batch's metrics (text 0.0.4, no timestamps, PG-09). Batches without metrics are a
   * no-op; an empty snapshot (the last series removed) PUTs an empty body, which empties the group (PG-03).
   */
  export(batch: TelemetryBatch): Promise<ExportResult> {
    const snapshot = batch.metrics;
    if (this.#closed) return Promise.resolve(failure('after_shutdown', 'PushgatewayBackend is shut down'));
    if (snapshot === undefined || (snapshot.metrics.length === 0 && this.method !== 'PUT')) return Promise.resolve(OK);
    if (snapshot.temporality !== 'cumulative') {
      return Promise.resolve(failure('export_rejected', 'Pushgateway needs cumulative metrics'));
    }
    let body: string;
    // Points left out of the body (a name clash, the gateway's own names) are reported back as
    // rejected, so the monitor counts them (export_rejected) instead of their vanishing.
    let dropped = 0;
    // What the monitor's report says (the first one left out): which metric, and what to change.
    let note = '';
    // A throwing onDrop must not lose the whole push: its failure joins the note, reported once.
    let onDropFailed = '';
    try {
      const onDrop = this.#onDrop;
      body = renderSnapshot(snapshot, {
        format: 'text',
        reservedNames: GATEWAY_NAMES,
        // As with the gateway's own names: a series whose label the gateway would overwrite (and,
        // with two such series made one, answer every push 400) is left out and counted.
        fixedLabels: this.#fixedLabels,
        onDrop: (d) => {
          dropped += d.reason === 'duplicate_series' || d.reason === 'label_conflict' ? 1 : (snapshot.metrics.find((m) => m.name === d.metric)?.points.length ?? 1);
          note ||=
            d.reason === 'label_conflict'
              ? `a series of metric "${d.metric}" was left out of the push (label_conflict: its label "${d.label}" is the ${d.label === 'job' ? '"job" option' : 'grouping key\'s'}, which the gateway writes on every series); rename the label or leave it out`
              : `metric "${d.metric}" was left out of the push (${d.reason}: family "${d.family}"); rename ${
                  d.reason === 'name_conflict'
                    ? "it or the metric it clashes with (push_time_seconds and push_failure_time_seconds are the gateway's own)"
                    : 'the labels that are equal once made valid Prometheus names'
                }`;
          if (onDrop) callOnDrop(onDrop, d, (err) => void (onDropFailed ||= `; the onDrop option threw: ${this.#redact(err)}`));
        },
      });
    } catch (err) {
      return Promise.resolve(failure('internal_error', this.#redact(err)));
    }
    // Each body is the whole cumulative state, so a push still waiting behind a slow gateway is
    // superseded by a newer one instead of piling up: at most one waits, with the latest values,
    // and its callers share its outcome. Without this a hung gateway held every body made meanwhile.
    this.#sent = true;
    const waiting = this.#waiting;
    const result = waiting !== undefined ? ((waiting.body = body), waiting.result) : this.#push(body);
    return dropped === 0 ? result : result.then((r) => (r.ok ? { ...r, rejected: { dataPoints: dropped }, error: note + onDropFailed } : r));
  }

  #push(body: string): Promise<ExportResult> {
    const entry: { body: string; result: Promise<ExportResult> } = { body, result: undefined as unknown as Promise<ExportResult> };
    this.#waiting = entry;
    entry.result = this.#enqueue(() => {
      if (this.#waiting === entry) this.#waiting = undefined;
      return this.#send(this.method, entry.body);
    });
    return entry.result;
  }

  /** Deletes this grouping key's metrics from the gateway (PG-05: answered 202). */
  delete(): Promise<ExportResult> {
    // A push after the delete must go after it, not into a push queued before it.
    this.#waiting = undefined;
    this.#sent = true;
    return this.#enqueue(() => this.#send('DELETE', undefined));
  }

  /** Waits for pushes in flight. */
  async forceFlush(): Promise<void> {
    await this.#queue;
  }

  /**
   * Waits for pushes in flight; later exports resolve `after_shutdown`. A run that recorded
   * nothing (so never pushed) pushes its state now, an empty body: without it the gateway kept the
   * previous run's values and `push_time_seconds`, and a "last run" alert saw this run as missing
   * (a PUT replaces the group, PG-03; a POST updates only `push_time_seconds`, PG-04). Not after
   * the app's own `delete()`, which the push would undo.
   */
  async shutdown(): Promise<void> {
    if (!this.#closed && !this.#sent) {
      this.#sent = true;
      void this.#enqueue(() => this.#send(this.method, ''));
    }
    this.#closed = true;
    await this.#queue;
  }

  // Requests go out one at a time so the gateway sees them in order (a PUT after a DELETE wins).
  #enqueue(send: () => Promise<ExportResult>): Promise<ExportResult> {
    // Never a rejected link: one would skip every later push (and fail forceFlush and shutdown).
    const next = this.#queue.then(send).catch((err: unknown) => failure('internal_error', this.#redact(err)));
    this.#queue = next;
    return next;
  }

  async #send(method: string, body: string | undefined): Promise<ExportResult> {
    const controller = new AbortController();
    const deadline = Date.now() + this.#timeoutMs;
    // What the attempts so far came to, for the timeout's message.
    const tries = { attempts: 0, last: '' };
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Raced as well as aborted: an injected fetch may ignore the signal.
    const timeout = new Promise<ExportResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        const before = tries.attempts > 1 ? ` (attempt ${tries.attempts}; the one before: ${tries.last})` : '';
        resolve(failure('export_timeout', `Pushgateway did not answer within ${this.#timeoutMs} ms${before}`));
      }, timerMs(this.#timeoutMs));
    });
    try {
      return await Promise.race([this.#retrying(method, body, controller.signal, deadline, tries), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A batch job pushes once, at its end: a gateway restarting (connection refused, 503) or a proxy
   * throttling it (429) would lose that only push. Those failures are tried again, as OtlpBackend
   * tries them, while the wait ends before `deadline`; every other answer is final. The export's
   * one result is what the monitor counts, so a push given up on is counted once.
   */
  async #retrying(method: string, body: string | undefined, signal: AbortSignal, deadline: number, tries: { attempts: number; last: string }): Promise<ExportResult> {
    for (let attempt = 1; ; attempt++) {
      tries.attempts = attempt;
      const { result, retry } = await this.#attempt(method, body, signal);
      if (retry === undefined || signal.aborted) return result;
      tries.last = result.error!;
      const after = attempt > 1 ? ` (after ${attempt} attempts)` : '';
      if (attempt >= MAX_ATTEMPTS) return failure('export_failed', result.error! + after);
      const delay = retry.waitMs ?? backoffMs(attempt - 1, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS);
      if (Date.now() + delay >= deadline) {
        // Waiting would only end in the timeout: give up now and say why.
        return failure('export_failed', `${result.error}${after}; the retry ${retry.waitMs === undefined ? 'due' : 'asked for (Retry-After)'} in ${Math.ceil(delay)} ms is past timeoutMs (${this.#timeoutMs} ms)`);
      }
      if (!(await sleep(delay, signal))) return result;
    }
  }

  /** One request. `retry` is set when the failure is worth another try; `waitMs` is the gateway's Retry-After. */
  async #attempt(method: string, body: string | undefined, signal: AbortSignal): Promise<{ result: ExportResult; retry?: { waitMs: number | undefined } }> {
    try {
      const headers: Record<string, string> = { ...this.#headers };
      if (body !== undefined) headers['content-type'] = CONTENT_TYPES.text;
      // Not followed: a 301/302 turns a POST into a GET (a 303 any method), without the body, and
      // a redirect target answering that GET 200 reported the lost push as delivered; a followed
      // 307/308 takes the headers (credentials) wherever it points. As in OtlpBackend, a redirect
      // is a failure that names where it points.
      const init: RequestInit = { method, headers, signal, redirect: 'manual' };
      if (body !== undefined) init.body = body;
      const response = await this.#fetch(this.url, init);
      if (response.ok) {
        await response.body?.cancel();
        return { result: OK };
      }
      const status = response.status;
      // A browser's fetch hides a manual redirect as an `opaqueredirect` answer with status 0.
      if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
        await response.body?.cancel().catch(() => undefined);
        const to = redirectTarget(response.headers.get('location'), this.url);
        const where = to === undefined ? 'without a Location' : `to ${this.#redact(to)}`;
        return { result: failure('export_failed', `Pushgateway answered ${status || 'a'} redirect ${where}, not followed (the push would be lost): set "url" to the gateway's final address`) };
      }
      // Redacted before it is cut, so that no cut leaves part of a secret unredacted.
      const detail = clip(this.#redact((await response.text().catch(() => '')).trim()));
      const result = failure('export_failed', `Pushgateway answered ${status}${detail ? ': ' + detail : ''}`);
      return isRetryableStatus(status) ? { result, retry: { waitMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()) } } : { result };
    } catch (err) {
      // fetch's "fetch failed" says neither where nor why: its cause and the URL do.
      const cause = (err as { cause?: unknown } | null)?.cause;
      const result = failure('export_failed', this.#redact(`${this.#redact(err)}${cause instanceof Error ? ': ' + cause.message : ''} (${method} ${this.url})`));
      // A network error (refused, reset) is worth another try; the abort at the timeout is not.
      return signal.aborted ? { result } : { result, retry: { waitMs: undefined } };
    }
  }

  #redact(err: unknown): string {
    let message: string;
    try {
      message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    } catch {
      // A rejection with no text form (a null-prototype object): reading it must not throw here.
      message = errorMessage(err);
    }
    for (const secret of this.#secrets) message = message.split(secret).join('[redacted]');
    return message;
  }
}

/**
 * A gateway message cut to a bounded length, keeping its end: a 400 quotes the whole offending
 * metric (every bucket of a histogram) and says what is wrong with it only at the end ("is not a
 * GAUGE", "was collected before with the same name and label values").
 */
function clip(detail: string): string {
  return detail.length <= 600 ? detail : detail.slice(0, 300) + ' … ' + detail.slice(-250);
}

/**
 * Where a redirect points, resolved against the push URL, without credentials, query or fragment
 * (which may carry a token); undefined without a usable Location.
 */
function redirectTarget(location: string | null, base: string): string | undefined {
  if (location === null || location.trim() === '') return undefined;
  try {
    const u = new URL(location.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin + u.pathname : u.protocol;
  } catch {
    return undefined;
  }
}

function failure(reason: DropReason, error: string): ExportResult {
  return { ok: false, reason, error };
}
