import { oneLine } from '../exporters/console/format.js';
import type { Diagnostic, DiagnosticHandler, DropReason } from '../model/batch.js';
import { settleQuietly } from './callback.js';

/** The part of a counter the diagnostics need: kept structural so diag does not import metrics. */
export interface DropCounter {
  increment(value: number, labels: { reason: string }): void;
}

const defaultHandler: DiagnosticHandler = (d) => {
  // A library must not be silent about misuse, nor noisy: one line per kind of problem. The
  // message may quote what an app or a collector sent (a key, a span name, an error body):
  // escaped as the console backend escapes, it cannot forge lines or send terminal codes.
  if (typeof console !== 'undefined') console.warn(`[lexigram/monitor] ${d.kind}: ${oneLine(d.message)}`);
};

/** Distinct keys remembered; the kinds themselves (a few dozen) may still be added past it. */
const MAX_KEYS = 1024;

/**
 * Counts every drop in `lexigram_monitor_dropped_total{reason}` and reports each kind of
 * problem once through `onDiagnostic`, so a hot loop of bad calls costs a counter bump,
 * not a log line per call.
 */
export class Diagnostics {
  private readonly seen = new Set<string>();
  #counter: DropCounter | undefined;
  /** Drops counted before the counter existed (during construction). */
  #early: Partial<Record<DropReason, number>> = {};

  readonly #handler: DiagnosticHandler;

  constructor(handler: DiagnosticHandler = defaultHandler) {
    this.#handler = handler;
  }

  attachCounter(counter: DropCounter): void {
    this.#counter = counter;
    for (const [reason, n] of Object.entries(this.#early)) counter.increment(n as number, { reason });
    this.#early = {};
  }

  /**
   * Reports a problem the first time its kind (and optional key) is seen. A message given as a
   * function is built only then: drops that recur on a hot path (a label set past the
   * cardinality cap, an over-long value) would otherwise build the same text on every call.
   */
  report(kind: Diagnostic['kind'], message: string | (() => string), detail?: unknown, key: string = kind): void {
    // Keys may be built from names (a metric name per failing instrument): past MAX_KEYS they
    // fold into their kind, so neither the set nor the output grows with the input.
    if (this.seen.size >= MAX_KEYS) key = kind;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    try {
      settleQuietly(this.#handler({ kind, message: typeof message === 'function' ? message() : message, detail }));
    } catch {
      // A throwing diagnostics hook (or message) must not turn a dropped value into a failed request.
    }
  }

  /** Counts `n` dropped items and reports the reason once (once per `key`, when one is given). */
  drop(reason: DropReason, message: string | (() => string), n = 1, key?: string): void {
    if (n <= 0) return;
    this.count(reason, n);
    this.report(reason, message, undefined, key);
  }

  /** Counts `n` items left out by configuration (tail sampling): nothing went wrong, so nothing is reported. */
  count(reason: DropReason, n: number): void {
    if (n <= 0) return;
    if (this.#counter) this.#counter.increment(n, { reason });
    else this.#early[reason] = (this.#early[reason] ?? 0) + n;
  }
}
