/**
 * @module
 * The alerting contract: what health checks and SLOs hand to a notifier.
 */
import { settleQuietly } from '../diag/callback.js';

/** One alert state change. */
export interface Alert {
  /** What raised it. */
  source: 'health' | 'slo';
  /** Stable identity for de-duplication, such as `health:database` or `slo:checkout:page`. */
  key: string;
  /** `firing` when the problem starts, `resolved` when it ends. */
  state: 'firing' | 'resolved';
  /** `critical` for a critical check or a paging burn rate, `warning` otherwise. */
  severity: 'critical' | 'warning';
  /** One line for a chat message or a pager. */
  summary: string;
  /** The health check or SLO name. */
  name: string;
  /** Epoch milliseconds of the change. */
  time: number;
  /** Source-specific facts: the check's error, the burn rates. */
  details?: Record<string, unknown>;
}

/**
 * Receives alert state changes. `notify` must return at once and never throw: delivery
 * happens in the background (see `webhookNotifier`). Health registries and SLO monitors take
 * one as their `notifier` option.
 *
 * @example
 * ```ts
 * const logNotifier: Notifier = { notify: (a) => console.log(a.state, a.summary) };
 * const slos = new SLOMonitor({ slos: [slo], notifier: logNotifier });
 * ```
 */
export interface Notifier {
  notify(alert: Alert): void;
  /** Resolves when every delivery started so far has finished or been given up at its timeout (for tests and shutdown). */
  flush?(): Promise<void>;
}

/**
 * Hands an alert to a notifier; a throwing notifier must not fail the caller. The lost alert is
 * handed to `onError` (the caller counts and reports it), which must not throw either.
 */
export function notifySafely(notifier: Notifier | undefined, alert: Alert, onError?: (error: unknown, alert: Alert) => void): void {
  if (!notifier) return;
  const failed = (err: unknown): void => {
    try {
      settleQuietly(onError?.(err, alert));
    } catch {
      // nothing more to do
    }
  };
  try {
    // An async notify that rejects is handled as one that throws.
    settleQuietly(notifier.notify(alert), failed);
  } catch (err) {
    // An alerting bug must never turn into a failed request.
    failed(err);
  }
}
