import { checkOptionKeys } from '../config/option-keys.js';
import { holdInInvocation } from '../context/active.js';
import { now, timerMs } from '../time.js';
import type { Alert, Notifier } from './notifier.js';
import { settleQuietly } from '../diag/callback.js';

/** Options of `webhookNotifier`. */
export interface WebhookNotifierOptions {
  /** Where alerts are POSTed as JSON. */
  url: string;
  /** Extra request headers (an auth token for the receiver): a record, a `Headers` or name/value pairs. */
  headers?: Record<string, string> | Headers | [string, string][];
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /**
   * Least time between two posts for the same alert key (default 60 s). A change inside that
   * time is held and sent when it ends (by a timer, by the next `notify` after it ends, or by
   * `flush()`), if it still differs from what was last sent, so a flapping check yields at most
   * one post per interval.
   */
  minIntervalSeconds?: number;
  /** Give up on a post after this long (default 10 s; must be > 0). */
  timeoutSeconds?: number;
  /**
   * Where each post is handed so it outlives the response that triggered it. By default, the
   * active scope's `waitUntil`: an alert raised inside an instrumented request, invocation or
   * `scope.run()` keeps that invocation alive for its post (Workers, Vercel, Netlify `waitUntil`;
   * awaited before a Lambda returns).
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /**
   * Told about each failed post (network errors, redirects, which are not followed, and other
   * non-2xx answers); never rethrown. A state that failed
   * is not counted as sent: it is posted again when its interval ends (at least 1 s after the
   * failure, backing off to 5 min while the receiver stays down), by a timer, the next `notify`
   * or `flush()`, unless a newer state replaced it.
   */
  onError?: (error: unknown, alert: Alert) => void;
}

const KNOWN: Record<keyof WebhookNotifierOptions, 0> = { url: 0, headers: 0, fetch: 0, minIntervalSeconds: 0, timeoutSeconds: 0, waitUntil: 0, onError: 0 };

interface KeyState {
  acked?: Alert['state'];
  sending?: Alert;
  /** When the post of `sending` started. */
  sentAt: number;
  held?: Alert;
  next: number;
  failures: number;
  seq: number;
  ackedSeq: number;
  /**
   * The state of a post newer than the acknowledged one that timed out: the receiver may have
   * taken it (it was only slow to answer), so a later opposite state must still be posted.
   */
  unsure?: Alert['state'];
  unsureSeq?: number;
  /** Gives up the post of `sending` now (see post). */
  giveUp?: () => void;
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 300_000;

/**
 * The URL is configuration: checked here, so a mistake throws at construction instead of failing
 * every post later (fetch refuses other schemes and URLs with credentials). Never echoed: it may
 * embed a token.
 */
function checkUrl(value: unknown): string {
  let u: URL | undefined;
  try {
    u = new URL(String(value));
  } catch {
    // reported below
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
    throw new TypeError('webhookNotifier: url must be an absolute http:// or https:// URL (for example "https://hooks.example.com/alerts")');
  }
  if (u.username !== '' || u.password !== '') {
    throw new TypeError('webhookNotifier: url must not contain credentials; pass them in headers (an Authorization header) instead');
  }
  return String(value);
}

/**
 * The headers as a record. Header names and values fetch would refuse throw now; the value is not
 * shown (often a credential). A `Headers`, a Map or pairs are read by iterating: spread as a
 * record, a `Headers` has no own properties and its Authorization was dropped without a word.
 */
function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== 'object') throw new TypeError('webhookNotifier: headers must be an object of header names to string values');
  let entries: [string, unknown][];
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    try {
      entries = [...new Headers(headers as [string, string][])];
    } catch {
      throw new TypeError('webhookNotifier: headers holds an invalid name or value, or a pair that is not [name, value] (values not shown); values are strings without line breaks');
    }
  } else entries = Object.entries(headers);
  for (const [name, value] of entries) {
    try {
      if (typeof value !== 'string') throw new TypeError();
      new Headers([[name, value]]);
    } catch {
      throw new TypeError(`webhookNotifier: header ${JSON.stringify(name)} has an invalid name or value (value not shown); values are strings without line breaks`);
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The JSON body of a post: the alert, with `time` as an ISO string. */
export type WebhookPayload = Omit<Alert, 'time'> & { time: string };

/**
 * A notifier that POSTs each alert state change as JSON (`WebhookPayload`). De-duplicated per
 * key (a state already sent is not sent again; `resolved` only follows `firing`), rate-limited
 * per key, one post per key at a time (a change made meanwhile waits for it, so the receiver
 * gets the states in order), and sent in the background: `notify` returns at once and never throws, so alerting
 * never blocks or fails a request.
 *
 * @example
 * ```ts
 * const notifier = webhookNotifier({ url: 'https://hooks.example.com/alerts', headers: { authorization: `Bearer ${token}` } });
 * const health = new HealthCheckRegistry({ metrics: monitor.metrics, notifier }); // or monitor.health.notifier = notifier
 * const slos = new SLOMonitor({ slos, monitor, notifier });
 * ```
 */
export function webhookNotifier(options: WebhookNotifierOptions): Notifier {
  // Without an object, reading `url` threw "Cannot read properties of undefined", naming nothing.
  if (options === null || typeof options !== 'object') throw new TypeError('webhookNotifier: options must be an object such as { url: "https://hooks.example.com/alerts" }');
  checkOptionKeys('webhookNotifier', options, KNOWN);
  // A callback that is no function failed only when called, out of sight: a non-function onError
  // threw inside the failure handler, so every failed post went unreported (not even printed).
  for (const name of ['fetch', 'waitUntil', 'onError'] as const) {
    const f = options[name];
    if (f !== undefined && typeof f !== 'function') throw new TypeError(`webhookNotifier: ${name} must be a function, got ${f === null ? 'null' : typeof f}`);
  }
  const url = checkUrl(options.url);
  // A content-type of the user's replaces ours: spread together in another case, fetch joined
  // them ("application/json, application/json; charset=utf-8"), which receivers refuse.
  const headers: Record<string, string> = checkHeaders(options.headers);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const minMs = (options.minIntervalSeconds ?? 60) * 1000;
  if (!(minMs >= 0)) throw new RangeError('webhookNotifier: minIntervalSeconds must be ≥ 0');
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  if (!(timeoutSeconds > 0)) {
    throw new RangeError(`webhookNotifier: timeoutSeconds must be a positive number of seconds, got ${String(timeoutSeconds)}`);
  }
  // Longer than a timer can wait is clamped by timerMs where the timer is set.
  const timeoutMs = timeoutSeconds * 1000;
  // Per key: the state the receiver acknowledged, the latest post in flight, the change waiting to be
  // sent, and the earliest time the next post may start.
  const keys = new Map<string, KeyState>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Posts in flight, each with the time it is given up (see inFlight). */
  const inflight = new Map<Promise<void>, number>();
  /** Keys whose failure was printed (no onError) and whose post has not got through since. */
  const quiet = new Set<string>();

  const stateOf = (key: string): KeyState => {
    let k = keys.get(key);
    if (!k) keys.set(key, (k = { next: 0, failures: 0, seq: 0, ackedSeq: 0, sentAt: 0 }));
    return k;
  };

  /**
   * Resolves `sent` when the receiver took the alert; `failed` after reporting why it did not,
   * `unsure` when it timed out (the receiver may have taken it).
   */
  const post = async (alert: Alert, k: KeyState): Promise<'sent' | 'failed' | 'unsure'> => {
    const doFetch = options.fetch ?? globalThis.fetch;
    const controller = new AbortController();
    // The timeout settles the post itself, not only the fetch's signal: a fetch that ignores its
    // signal never settled, so its state stayed "being sent" for ever (never retried, never
    // reported, and a later resolve reached a receiver that never got the firing).
    let giveUp!: () => void;
    const givenUp = new Promise<never>((_, reject) => {
      giveUp = () => {
        controller.abort();
        reject(controller.signal.reason);
      };
    });
    givenUp.catch(() => {}); // unobserved when fetch throws at once
    k.giveUp = giveUp;
    const timer = setTimeout(giveUp, timerMs(timeoutMs));
    try {
      // A time that is no date (NaN, an invalid Date) made toISOString throw: the post failed for ever. It goes with now.
      const t = new Date(alert.time);
      const payload: WebhookPayload = { ...alert, time: (isNaN(+t) ? new Date() : t).toISOString() };
      const res = await Promise.race([
        doFetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify(payload),
          signal: controller.signal,
          // Followed, a 301/302/303 turns the POST into a bodyless GET whose 200 would pass for
          // delivery, and any redirect may carry the headers to another host.
          redirect: 'manual',
        }),
        givenUp,
      ]);
      void res.body?.cancel().catch(() => {});
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
        // Named as an absolute URL, which the printed message shortens to its host: a relative
        // Location ("/services/T0/B0/secret/") carries the webhook's secret path, and was printed as is.
        const location = res.headers.get('location');
        let to = '';
        try {
          if (location) to = ` to ${new URL(location, url).href}`;
        } catch {
          // a Location that is no URL names nothing
        }
        throw new Error(`webhook answered a redirect (HTTP ${res.status}${to}), which is not followed: the alert was not delivered; set url to the final address`);
      }
      if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
      quiet.delete(alert.key);
      return 'sent';
    } catch (err) {
      try {
        if (options.onError) settleQuietly(options.onError(err, alert));
        else if (!quiet.has(alert.key)) {
          // Not silent without onError: said once per key until a post gets through. A URL in a
          // runtime's error text (Deno's names it) shows only its host: a webhook's path (Slack,
          // Discord) or query is often its secret.
          quiet.add(alert.key);
          const cause = (err as { cause?: unknown } | null)?.cause;
          const why = `${err instanceof Error ? err.message : String(err)}${cause instanceof Error ? ': ' + cause.message : ''}`
            .replace(/(\/\/[^/?#\s)]+)[^\s)]*/g, '$1/…')
            .replace(/\?[^\s)]*/g, '?…');
          console.warn(`[lexigram/monitor] webhookNotifier: the alert ${JSON.stringify(alert.key)} (${alert.state}) was not delivered (${why}); it is posted again later`);
        }
      } catch {
        // nothing more to do
      }
      return controller.signal.aborted ? 'unsure' : 'failed';
    } finally {
      clearTimeout(timer);
    }
  };

  const arm = (key: string, at: number): void => {
    const old = timers.get(key);
    if (old !== undefined) clearTimeout(old);
    const timer = setTimeout(() => release(key), timerMs(Math.max(0, at - now())));
    // A held alert must not hold a server's exit back (where timers can be unref'd).
    (timer as { unref?: () => void }).unref?.();
    timers.set(key, timer);
  };

  const send = (alert: Alert): void => {
    const k = stateOf(alert.key);
    const started = now();
    const seq = ++k.seq;
    k.sending = alert;
    k.sentAt = started;
    k.next = started + minMs;
    const p = post(alert, k)
      .then((outcome) => {
        const ok = outcome === 'sent';
        if (ok && seq > k.ackedSeq) {
          k.acked = alert.state;
          k.ackedSeq = seq;
          if ((k.unsureSeq ?? 0) < seq) k.unsure = undefined;
        }
        if (outcome === 'unsure' && seq > k.ackedSeq && seq > (k.unsureSeq ?? 0)) {
          k.unsure = alert.state;
          k.unsureSeq = seq;
        }
        // An older post's outcome says nothing about the newer one in flight.
        if (seq !== k.seq) return;
        k.sending = undefined;
        if (ok) {
          k.failures = 0;
          // A change that waited for this post goes now, or when its interval ends.
          if (k.held) {
            if (k.next <= now()) release(alert.key);
            else arm(alert.key, k.next);
          }
          return;
        }
        // Retry the undelivered state unless a newer one is already waiting, backing off so a
        // receiver that stays down gets one post per interval, not a loop.
        k.failures++;
        k.next = started + Math.max(minMs, Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (k.failures - 1)));
        k.held ??= alert;
        arm(alert.key, k.next);
      })
      .finally(() => inflight.delete(p));
    inflight.set(p, started + timeoutMs + 1000);
    try {
      // Without one, the invocation that raised the alert keeps itself alive for the post.
      if (options.waitUntil) options.waitUntil(p);
      else holdInInvocation(p);
    } catch {
      // a waitUntil outside a request: the promise still runs
    }
  };

  /**
   * Whether `state` must be posted: it differs from what the receiver knows (or is being told),
   * a resolve needing a firing before it; a firing that timed out may have arrived, so the
   * resolve after it goes (else the receiver could page for ever), and the firing is retried.
   */
  const needed = (k: KeyState, state: Alert['state']): boolean => {
    if (k.unsure !== undefined && k.unsure !== state) return true;
    const known = k.sending?.state ?? k.acked;
    return known ? known !== state : state === 'firing';
  };

  /**
   * The post in flight for a key, if any. One that outlived its timeout by a second is given up:
   * its abort timer may never run (a Worker's request context gone), and a change must not wait
   * on it for ever. A late answer from it is ignored (send() moved seq on).
   */
  const inFlight = (k: KeyState): Alert | undefined => {
    if (!k.sending || now() - k.sentAt < timeoutMs + 1000) return k.sending;
    // Its timer never ran: given up here, so it ends as a timed-out post (reported, retried).
    k.giveUp?.();
    return undefined;
  };

  const release = (key: string): void => {
    const timer = timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(key);
    const k = keys.get(key);
    const alert = k?.held;
    // One post per key at a time: two in flight may arrive in either order, and a receiver that
    // took `resolved` before `firing` would believe the alert fires. The post's end releases it.
    if (!k || !alert || inFlight(k)) return;
    k.held = undefined;
    // Sent only if it still differs from what the receiver knows (a resolve needs a firing): a
    // post given up may have arrived, so a resolve after it goes.
    if (needed(k, alert.state)) send(alert);
  };

  /**
   * Waits for the posts in flight, each at most until it is given up: a fetch that ignores its
   * signal (a custom one, or a Worker's whose abort timer never runs) never settles, and flush()
   * (shutdown, a test's await) waited on it for ever.
   */
  const settle = async (): Promise<void> => {
    for (;;) {
      const t = now();
      let until = 0;
      const live: Promise<void>[] = [];
      for (const [p, end] of inflight) {
        if (end <= t) inflight.delete(p);
        else {
          live.push(p);
          until = Math.max(until, end - t);
        }
      }
      if (live.length === 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled(live), new Promise((r) => (timer = setTimeout(r, timerMs(until))))]);
      clearTimeout(timer);
    }
  };

  // Timers are not enough on their own: a Worker's isolate may be idle (or gone) when one would
  // fire, and I/O must belong to a request there. So every later notify (which runs inside a
  // request) and every flush also send held alerts whose interval has ended.
  const releaseDue = (): void => {
    const t = now();
    for (const [key, k] of keys) if (k.held && k.next <= t) release(key);
  };

  return {
    notify(alert: Alert): void {
      try {
        releaseDue();
        const k = stateOf(alert.key);
        if (k.held) {
          // The latest change replaces the waiting one; release compares it with what was sent.
          k.held = alert;
          return;
        }
        // De-duplicate: the receiver knows (or is being told) this state, or there is nothing to resolve.
        const sending = inFlight(k);
        if (!needed(k, alert.state)) return;
        if (!sending && k.next <= now()) return send(alert);
        k.held = alert;
        // While a post is in flight its end releases the change (see release); else a timer, or
        // the next notify after k.next.
        arm(alert.key, sending ? Math.max(k.next, k.sentAt + timeoutMs + 1000) : k.next);
      } catch {
        // never fail the caller
      }
    },
    /** Sends every held alert now (the rate limit yields to an explicit flush), then waits for posts in flight. */
    async flush(): Promise<void> {
      // A change waiting for its key's post in flight goes once that post ends; the post itself,
      // should it fail, is retried by the next flush, not in a loop here.
      const busy = new Map<string, Alert>();
      for (const [key, k] of keys) {
        const sending = inFlight(k);
        if (sending) busy.set(key, sending);
        else release(key);
      }
      await settle();
      for (const [key, sent] of busy) if (keys.get(key)?.held !== sent) release(key);
      await settle();
    },
  };
}
