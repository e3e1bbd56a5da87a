// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import type { DropReason } from '../../model/batch.js';
import { EXPORTER_REQUEST } from './exporter-urls.js';
import type { FetchLike } from './options.js';
import type { PartialSuccess } from './response.js';
import { backoffMs, isRetryableStatus, parseRetryAfter, sleep } from './retry.js';
import { parsePartialSuccess, parseStatusMessage, readBodyCapped } from './response.js';
import { redactUrl } from './endpoint.js';

/** What one export shares between its signals: the deadline and the retry policy. */
export interface PostContext {
  readonly fetch: FetchLike;
  /** Aborts when the export's time budget is spent. */
  readonly signal: AbortSignal;
  /** Epoch ms after which nothing more may start (Infinity for no limit). */
  readonly deadline: number;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly random?: () => number;
}

export interface PostOutcome {
  readonly ok: boolean;
  readonly reason?: DropReason;
  readonly error?: string;
  readonly status?: number;
  readonly attempts: number;
  /** Set on a 200 whose partial_success was populated (never retried, OTLP-07). */
  readonly partial?: PartialSuccess;
  /**
   * A failure the exporter retries (OTLP-09/10): a network error, a timeout, 429/502/503/504,
   * given up on only because the attempts or the time ran out. Unset for failures never retried
   * (another status, a response over 4 MiB, a 2xx whose body could not be read).
   */
  readonly retryable?: true;
}

const TIMEOUT: Omit<PostOutcome, 'attempts'> = { ok: false, reason: 'export_timeout', error: 'export timed out', retryable: true };

/**
 * The longest one Retry-After is waited when the export has no deadline (`timeoutMs: 0`); a
 * `maxBackoffMs` set higher raises it. 30 s is Workers' window after the response (DESIGN
 * decision 2) and above the monitor's `flushTimeoutMs` default (25 s): a longer wait only holds
 * the export (and `forceFlush`/`shutdown`) for a batch nobody awaits any more. Past it the
 * export gives up at once and the batch is counted as failed: retrying sooner than the server
 * asked would ignore its throttling (OTLP-10), as the deadline check below does for a timeout.
 */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * POSTs one encoded request, retrying only 429/502/503/504 and network errors (OTLP-09) with
 * Retry-After (OTLP-10) or jittered exponential backoff, all inside the export's deadline.
 * Never throws.
 */
export async function postWithRetry(
  ctx: PostContext,
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  sentJson: boolean,
  /** Told when a 2xx arrives, before its body is read: from then on the batch is delivered. */
  delivered?: (status: number, attempts: number) => void,
): Promise<PostOutcome> {
  let lastError = '';
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal.aborted) return { ...TIMEOUT, attempts: attempt - 1 };
    let res: Response | undefined;
    let waitMs: number | undefined;
    try {
      const init: RequestInit & { [EXPORTER_REQUEST]?: true } = {
        method: 'POST',
        headers,
        body: body as BodyInit,
        signal: ctx.signal,
        // Followed, a 301/302/303 turns the POST into a GET without the body, which the final
        // URL may answer 200: the batch lost and reported delivered. A 307/308 fails in Node's
        // fetch (its copy of the body is detached) and would take the headers (API keys) to
        // wherever it points. A redirect is a failure that says what to change instead.
        redirect: 'manual',
        [EXPORTER_REQUEST]: true,
      };
      res = await ctx.fetch(url, init);
    } catch (err) {
      if (ctx.signal.aborted) return { ...TIMEOUT, attempts: attempt };
      lastError = 'network error: ' + errorText(err);
    }
    if (res) {
      const status = res.status;
      if (status >= 200 && status < 300) {
        delivered?.(status, attempt);
        return await readSuccess(res, sentJson, attempt);
      }
      if (!isRetryableStatus(status)) return await readFailure(res, attempt, url);
      waitMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      // A response over the cap is a non-retryable error whatever its status (OTLP-05). Read up
      // to the cap, not discarded: a chunked one says its size only by being read.
      let body: Uint8Array | undefined | null = null;
      try {
        body = await readBodyCapped(res);
      } catch {
        // Cut off: the status stands.
      }
      if (body === undefined) return { ok: false, reason: 'export_failed', error: `HTTP ${status}, response body larger than 4 MiB (not retried)`, status, attempts: attempt };
      // The Status message (OTLP-08) says why, as for a final failure: "quota exceeded for tenant
      // x" is what tells a 429 worth raising a limit for from one that passes. Only a Status (JSON
      // or protobuf): a proxy's HTML 502 page would add nothing but markup to every retry's error.
      const type = res.headers.get('content-type');
      const message = body && type && /json|protobuf/.test(type) ? parseStatusMessage(body, type).slice(0, 200) : '';
      lastError = `HTTP ${status}${message ? ` (${message})` : ''}`;
      if (attempt >= ctx.maxAttempts) return { ok: false, reason: 'export_failed', error: `${lastError} after ${attempt} attempts`, status, attempts: attempt, retryable: true };
    } else if (attempt >= ctx.maxAttempts) {
      return { ok: false, reason: 'export_failed', error: `${lastError} after ${attempt} attempts`, attempts: attempt, retryable: true };
    }
    const delay = waitMs ?? backoffMs(attempt - 1, ctx.initialBackoffMs, ctx.maxBackoffMs, ctx.random);
    // Without a deadline (timeoutMs 0), one wait has its own cap: see MAX_RETRY_AFTER_MS.
    const pastDeadline = ctx.deadline < Infinity ? Date.now() + delay >= ctx.deadline : delay >= Math.max(MAX_RETRY_AFTER_MS, ctx.maxBackoffMs) + 1;
    if (pastDeadline) {
      // Waiting would only end in the timeout: give up now and say why.
      return { ok: false, reason: 'export_failed', error: `${lastError}; next retry in ${Math.round(delay)} ms is past the deadline`, attempts: attempt, retryable: true };
    }
    if (!(await sleep(delay, ctx.signal))) return { ...TIMEOUT, attempts: attempt };
  }
}

/**
 * A 2xx whose body was not read (cut off, or still coming at the timeout): delivered all the
 * same. As a failure, the batch would be counted as lost, and a metrics delta kept and sent
 * again: the collector would sum it twice.
 */
export function deliveredUnread(status: number, attempts: number, why: string): PostOutcome {
  return { ok: true, status, attempts, partial: { rejected: 0, errorMessage: `delivered (HTTP ${status}), response not read: ${why}` } };
}

async function readSuccess(res: Response, sentJson: boolean, attempts: number): Promise<PostOutcome> {
  let body: Uint8Array | undefined;
  try {
    body = await readBodyCapped(res);
  } catch (err) {
    // The server answered 2xx; a broken or late body after that does not undo the delivery.
    return deliveredUnread(res.status, attempts, errorText(err));
  }
  if (body === undefined) {
    return { ok: false, reason: 'export_failed', error: 'response body larger than 4 MiB (not read)', status: res.status, attempts };
  }
  const partial = parsePartialSuccess(body, res.headers.get('content-type'), sentJson);
  if (partial && partial.rejected > 0) {
    return { ok: false, reason: 'export_rejected', error: `partial success: ${partial.rejected} rejected${partial.errorMessage ? ': ' + partial.errorMessage : ''}`, status: res.status, attempts, partial };
  }
  return { ok: true, status: res.status, attempts, partial };
}

async function readFailure(res: Response, attempts: number, url: string): Promise<PostOutcome> {
  const status = res.status;
  let message = '';
  try {
    const body = await readBodyCapped(res);
    if (body) message = parseStatusMessage(body, res.headers.get('content-type')).slice(0, 200);
  } catch {
    // The status says enough.
  }
  const reason: DropReason = status === 400 ? 'export_rejected' : status === 413 ? 'export_too_large' : 'export_failed';
  // A redirect is not followed (see `redirect: 'manual'`). Its target is shown as the endpoint is
  // (redactUrl: without `user:password@`, query and fragment, which may hold credentials), a path
  // (the endpoint's server) without its query; another relative one (`v2/traces`) resolved
  // against the request URL, as fetch would.
  const l = res.headers.get('location');
  const loc = l && (/^\/(?![/\\])/.test(l) ? l.split(/[?#]/)[0] : redactUrl(l, url));
  const to = status > 299 && status < 400 ? ` redirect ${loc ? 'to ' + loc : 'without a Location'}, not followed: set the endpoint to the final URL` : '';
  return { ok: false, reason, error: `HTTP ${status}${to}${message ? ': ' + message : ''}`, status, attempts };
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const c = cause instanceof Error ? ` (${cause.message})` : '';
    return (err.message || err.name) + c;
  }
  return String(err);
}
