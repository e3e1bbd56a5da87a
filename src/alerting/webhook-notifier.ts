import { now, timerMs } from '../time.js';
import type { Alert, Notifier } from './notifier.js';

/** Options of `webhookNotifier`. */
export interface WebhookNotifierOptions {
  /** Where alerts are POSTed as JSON. */
  url: string;
  /** Extra request headers (an auth token for the receiver). */
  headers?: Record<string, string>;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /**
   * Least time between two posts for the same alert key (default 60 s). A change inside that
   * time is held and sent when it ends (by a timer, by the next `notify` after it ends, or by
   * `flush()`), if it still differs from what was last sent, so a flapping check yields at most
   * one post per interval.
   */
  minIntervalSeconds?: number;
  /** Give up on a post after this long (default 10 s). */
  timeoutSeconds?: number;
  /** Workers: `ctx.waitUntil`, so a post outlives the response that triggered it. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Told about failed posts (network errors, non-2xx); never rethrown. */
  onError?: (error: unknown, alert: Alert) => void;
}

/** The JSON body of a post: the alert, with `time` as an ISO string. */
export type WebhookPayload = Omit<Alert, 'time'> & { time: string };

/**
 * A notifier that POSTs each alert state change as JSON (`WebhookPayload`). De-duplicated per
 * key (a state already sent is not sent again; `resolved` only follows `firing`), rate-limited
 * per key, and sent in the background: `notify` returns at once and never throws, so alerting
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
  const url = String(options.url);
  new URL(url); // a malformed URL is configuration: throw now
  const minMs = (options.minIntervalSeconds ?? 60) * 1000;
  if (!(minMs >= 0)) throw new RangeError('webhookNotifier: minIntervalSeconds must be ≥ 0');
  const timeoutMs = (options.timeoutSeconds ?? 10) * 1000;
  const sent = new Map<string, { state: Alert['state']; at: number }>();
  const held = new Map<string, Alert>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const inflight = new Set<Promise<void>>();

  const post = async (alert: Alert): Promise<void> => {
    const doFetch = options.fetch ?? globalThis.fetch;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timerMs(timeoutMs));
    try {
      const payload: WebhookPayload = { ...alert, time: new Date(alert.time).toISOString() };
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(payload),
        signal: controller.signal,
      });
      void res.body?.cancel().catch(() => {});
      if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
    } catch (err) {
      try {
        options.onError?.(err, alert);
      } catch {
        // nothing more to do
      }
    } finally {
      clearTimeout(timer);
    }
  };

  const send = (alert: Alert): void => {
    sent.set(alert.key, { state: alert.state, at: now() });
    const p = post(alert).finally(() => inflight.delete(p));
    inflight.add(p);
    try {
      options.waitUntil?.(p);
    } catch {
      // a waitUntil outside a request: the promise still runs
    }
  };

  const release = (key: string): void => {
    const timer = timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(key);
    const alert = held.get(key);
    held.delete(key);
    if (alert && sent.get(key)?.state !== alert.state) send(alert);
  };

  // Timers are not enough on their own: a Worker's isolate may be idle (or gone) when one would
  // fire, and I/O must belong to a request there. So every later notify (which runs inside a
  // request) and every flush also send held alerts whose interval has ended.
  const releaseDue = (): void => {
    if (held.size === 0) return;
    const t = now();
    for (const key of [...held.keys()]) {
      const last = sent.get(key);
      if (!last || last.at + minMs <= t) release(key);
    }
  };

  const hold = (alert: Alert, wait: number): void => {
    held.set(alert.key, alert);
    if (timers.has(alert.key)) return;
    const timer = setTimeout(() => release(alert.key), timerMs(Math.max(0, wait)));
    // A held alert must not hold a server's exit back (where timers can be unref'd).
    (timer as { unref?: () => void }).unref?.();
    timers.set(alert.key, timer);
  };

  return {
    notify(alert: Alert): void {
      try {
        releaseDue();
        const last = sent.get(alert.key);
        if (!held.has(alert.key)) {
          // De-duplicate: the receiver already knows this state (or there is nothing to resolve).
          if (last ? last.state === alert.state : alert.state === 'resolved') return;
        }
        const wait = last ? last.at + minMs - now() : 0;
        if (wait <= 0 && !held.has(alert.key)) return send(alert);
        hold(alert, wait);
      } catch {
        // never fail the caller
      }
    },
    /** Sends every held alert now (the rate limit yields to an explicit flush), then waits for posts in flight. */
    async flush(): Promise<void> {
      for (const key of [...held.keys()]) release(key);
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
  };
}
