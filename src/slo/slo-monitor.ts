import { checkOptionKeys } from '../config/option-keys.js';
import { notifySafely, type Notifier } from '../alerting/notifier.js';
import type { Diagnostics } from '../diag/diagnostics.js';
import type { MetricsCollector } from '../metrics/collector.js';
import type { Counter } from '../metrics/counter.js';
import type { Monitor } from '../monitor.js';
import { now } from '../time.js';
import { BucketRing } from './bucket-ring.js';
import { alertRanges, minWindow, renderRules, type PrometheusRulesOptions } from './prometheus-rules.js';
import { SLO, type BurnRateWindow, type SLOOptions } from './slo.js';

/** One burn-rate alert's state. */
export interface BurnRateStatus extends BurnRateWindow {
  /**
   * The seconds actually read for the long and short window: `longWindowSeconds` and
   * `shortWindowSeconds` widened to `minWindowSeconds`, as the rules' ranges (`[1m]`).
   */
  longRangeSeconds: number;
  shortRangeSeconds: number;
  /** Error ratio ÷ error budget over the long range (SLO-02); 0 without events. */
  longBurnRate: number;
  shortBurnRate: number;
  /** Both windows burn faster than `burnRate`. */
  firing: boolean;
}

/** What `status(name)` reports. */
export interface SLOStatus {
  name: string;
  kind: SLO['kind'];
  /** The objective as a ratio. */
  target: number;
  windowSeconds: number;
  /**
   * Events in the window. The bucket the window starts in counts for the share of it still
   * inside, so these may be fractional.
   */
  good: number;
  total: number;
  /** good ÷ total over the window (1 without events). */
  compliance: number;
  /** compliance ≥ target. */
  compliant: boolean;
  /** 1 − target. */
  errorBudget: number;
  /** Share of the error budget left: 1 untouched, 0 spent, negative when overspent. */
  errorBudgetRemaining: number;
  burnRates: BurnRateStatus[];
  /** Severities with at least one firing alert. */
  alerts: ('page' | 'ticket')[];
}

/** Options of `new SLOMonitor(...)`. */
export interface SLOMonitorOptions {
  slos: (SLO | SLOOptions)[];
  /** Where the SLI counters `slo_events_total{slo}` and `slo_good_events_total{slo}` go. */
  monitor?: Monitor;
  /**
   * Told when a burn-rate alert starts or stops firing. Alerts are checked at `status()` and
   * `statuses()`, at an observation (at most once a second), and, with `monitor`, at each
   * collection of its metrics (a Prometheus scrape, a metric export, an invocation's flush): a
   * failure held back by the once-a-second limit at the next one, other changes that come with
   * time alone at the first one a second or more after the last check. So the end of a burst
   * alerts by the flush of its own invocation (with a backend that takes metrics, unless
   * `metricExportIntervalMs` holds them back), and without traffic by the next scrape or export.
   */
  notifier?: Notifier;
  /** Epoch milliseconds (inject one in tests). */
  clock?: () => number;
  /**
   * Shortest range a burn-rate window reads, in seconds (default 60), as the rules'
   * `minWindowSeconds`: a shorter scaled window (a 1 h SLO's page pairs are 5 s/0.4 s and
   * 30 s/2.5 s) holds an event or none at low traffic, and its alert would fire and resolve
   * with every event. Such windows are widened to it, and `minEvents` above 1 scaled to the
   * widened long range, exactly as in the rules; `toPrometheusRules()` of this monitor uses the
   * same value unless given its own. 0 reads every window as scaled.
   */
  minWindowSeconds?: number;
}

const KNOWN: Record<keyof SLOMonitorOptions, 0> = { slos: 0, monitor: 0, notifier: 0, clock: 0, minWindowSeconds: 0 };

interface Tracked {
  slo: SLO;
  ring: BucketRing | undefined;
  firing: Set<'page' | 'ticket'>;
  lastEval: number;
  /** A failure was recorded after the last check and may have fired an alert. */
  pending: boolean;
}

/**
 * Measures SLOs in process (the original's `SLOMonitor`): compliance, error budget and
 * multi-window burn rates over sliding windows of time-bucketed counts, and the SLI counters
 * `slo_events_total` and `slo_good_events_total` (label `slo`) through the monitor, so
 * Prometheus can compute the same across isolates with `toPrometheusRules()`.
 *
 * @example
 * ```ts
 * const slo = new SLO({ name: 'api_latency', target: 99.0, windowSeconds: 3600, thresholdMs: 250 });
 * const slos = new SLOMonitor({ slos: [slo], monitor });
 * slos.recordObservation(0.125);              // the only SLO: a 125 ms request
 * slos.recordObservation('api_latency', false); // or by name: a failed one
 * slos.status('api_latency').errorBudgetRemaining;
 * ```
 */
export class SLOMonitor {
  private readonly tracked = new Map<string, Tracked>();
  private readonly clock: () => number;
  private readonly events: Counter | undefined;
  private readonly goodEvents: Counter | undefined;
  private readonly diag: Diagnostics | undefined;
  /** The monitor's metrics, whose collections check the alerts (see watch). */
  private readonly metrics: MetricsCollector | undefined;
  /** Removes the collect callback while one is registered. */
  private unwatch: (() => void) | undefined;
  /** The latest clock reading: the monitor's time never goes backwards (see time). */
  private latest = -Infinity;
  /** The shortest range a burn-rate window reads (the option, default 60). */
  readonly minWindowSeconds: number;
  notifier: Notifier | undefined;

  constructor(options: SLOMonitorOptions) {
    if (!options || !Array.isArray(options.slos)) throw new TypeError('new SLOMonitor({ slos }): slos must be an array of SLO');
    checkOptionKeys('new SLOMonitor', options, KNOWN);
    if (options.clock !== undefined && typeof options.clock !== 'function') throw new TypeError('new SLOMonitor({ clock }): clock must be a function returning epoch milliseconds');
    // A notifier without notify() would lose every alert at the first transition, silently.
    if (options.notifier !== undefined && typeof (options.notifier as Partial<Notifier> | null)?.notify !== 'function') {
      throw new TypeError('new SLOMonitor({ notifier }): notifier must be an object with a notify(alert) method, such as webhookNotifier({ url })');
    }
    this.clock = options.clock ?? now;
    this.notifier = options.notifier;
    const min = (this.minWindowSeconds = minWindow('new SLOMonitor', options.minWindowSeconds));
    for (const s of options.slos) {
      const slo = s instanceof SLO ? s : new SLO(s);
      if (this.tracked.has(slo.name)) throw new TypeError(`SLOMonitor: two SLOs are named "${slo.name}"`);
      // The ring covers ranges widened past a window under minWindowSeconds too.
      if (min / slo.bucketSeconds > 100_000) throw new RangeError(`SLOMonitor: SLO "${slo.name}" needs over 100000 buckets for minWindowSeconds ${min}; raise bucketSeconds or lower minWindowSeconds`);
      this.tracked.set(slo.name, { slo, ring: undefined, firing: new Set(), lastEval: -Infinity, pending: false });
    }
    // Anything else (a config object, `{}`) left the SLO series unexported and drops uncounted.
    const mon = options.monitor as Partial<Monitor> | undefined;
    if (mon !== undefined && typeof mon?.metrics?.createCounter != 'function') throw new TypeError('new SLOMonitor({ monitor }): monitor must be a monitor of createMonitor() (it counts the SLO events it exports)');
    this.diag = options.monitor?.diag;
    const m = (this.metrics = options.monitor?.metrics);
    if (m) {
      this.events = m.createCounter('slo_events_total', 'SLI events counted against an SLO.', { labelNames: ['slo'] });
      this.goodEvents = m.createCounter('slo_good_events_total', 'SLI events that met the SLO (successful, or within its latency threshold).', { labelNames: ['slo'] });
      // Every SLO's two series exist at 0 from the start: one that appeared at its first increment
      // would lose, to rate() and increase(), the events counted before its first scrape (a new
      // isolate whose first requests fail: the rules read its next good events as missing and
      // page). A delta export sends each 0 once, so a collector's cumulative series starts at 0 too.
      // Not on a monitor shut down: no value is lost there, yet each 0 would count as after_shutdown.
      if (!m.closed) for (const slo of this.tracked.keys()) {
        this.events.increment(0, { slo });
        this.goodEvents.increment(0, { slo });
      }
    }
  }

  /** The SLOs, in the order given. */
  get slos(): SLO[] {
    return [...this.tracked.values()].map((t) => t.slo);
  }

  /**
   * Records one event: a latency in seconds, or an outcome (true is good). With one SLO the
   * name may be left out, as in the original's `record_observation(0.125)`. Unknown names
   * and unusable values are dropped (never thrown on a request path), counted in
   * `lexigram_monitor_dropped_total{reason="invalid_value"}` and reported once when a monitor
   * is given.
   */
  recordObservation(value: number | boolean): void;
  recordObservation(name: string, value: number | boolean): void;
  recordObservation(a: string | number | boolean, b?: number | boolean): void {
    let t: Tracked | undefined;
    let value: number | boolean | undefined;
    if (typeof a === 'string') {
      t = this.tracked.get(a);
      value = b;
    } else if (this.tracked.size === 1) {
      t = this.tracked.values().next().value;
      value = a;
    }
    if (!t) {
      if (typeof a === 'string') {
        return this.drop('slo:unknown', () => `SLOMonitor.recordObservation: no SLO named ${JSON.stringify(a)} (known: ${[...this.tracked.keys()].join(', ')}); the observation was dropped`);
      }
      return this.drop('slo:unnamed', () => `SLOMonitor.recordObservation(value) without a name needs exactly one SLO, and there are ${this.tracked.size}; pass the name first. The observation was dropped`);
    }
    const good = value === undefined ? undefined : t.slo.isGood(value);
    if (good === undefined) {
      const name = t.slo.name;
      return this.drop('slo:value', () => `SLOMonitor.recordObservation("${name}", …) got ${String(value)}, neither a boolean nor a latency in seconds (a finite number ≥ 0); it was dropped`);
    }
    const time = this.time();
    (t.ring ??= new BucketRing(Math.max(t.slo.windowSeconds, this.minWindowSeconds), t.slo.bucketSeconds * 1000)).add(time, good);
    const labels = { slo: t.slo.name };
    this.events?.increment(1, labels);
    if (good) this.goodEvents?.increment(1, labels);
    if (this.notifier) {
      // Alerts are checked at most once a second, not on every event. A failure held back by
      // that limit (the end of a burst) is checked at the next collection of the monitor's
      // metrics (see watch), where no later call may come: on Workers, Vercel, Netlify and Lambda
      // the flush of the invocation that recorded it; else at status(), statuses() or the next
      // observation a second or more after the last check. (Once both severities fire, a failure
      // changes nothing.) No timer: a Worker's or a frozen Lambda's timers do not run between
      // invocations, and elsewhere one would hold a process up.
      if (this.unwatch === undefined && this.metrics) this.watch(this.metrics);
      if (time - t.lastEval >= 1000) this.check(t, time);
      else if (!good && t.firing.size < 2) t.pending = true;
    }
  }

  /**
   * Checks the SLOs' alerts at each collection of the monitor's metrics (a Prometheus scrape, a
   * metric export, an invocation's flush) while a notifier is set: an SLO with a failure held
   * back since its last check at once, every other at most once a second, so a window that crosses
   * its threshold as time passes, with no event (the good events before a burst leave the long
   * window; the errors leave the short one), fires or resolves without waiting for traffic. The
   * callback is removed once no alert can change as time passes (no event in any alert window,
   * none firing) and added again with the next observation: an idle SLO monitor adds no work to
   * the monitor's exports.
   */
  private watch(metrics: MetricsCollector): void {
    this.unwatch = metrics.addCollectCallback(() => {
      let live = false;
      if (this.notifier) {
        const time = this.time();
        for (const t of this.tracked.values()) {
          if (!t.ring) continue;
          if (t.pending || time - t.lastEval >= 1000) {
            if (this.check(t, time)) live = true;
          } else live = true;
        }
      }
      if (!live) {
        this.unwatch?.();
        this.unwatch = undefined;
      }
    });
  }

  /**
   * The clock, never going backwards: a clock stepped back (a custom clock following the wall
   * clock) would read the windows as of an earlier time, leaving out every event since (an alert
   * resolved and fired again), and stop the checks until it caught up. The time stalls instead,
   * as `now()` does. A reading that is no number is taken as the latest one.
   */
  private time(): number {
    const t = this.clock();
    if (t > this.latest) this.latest = t;
    return this.latest;
  }

  /** Counts a dropped observation and reports its kind of problem once (DESIGN §5). */
  private drop(key: string, message: () => string): void {
    if (!this.diag) return;
    this.diag.count('invalid_value', 1);
    this.diag.report('invalid_value', message, undefined, key);
  }

  /** Compliance, error budget and burn rates of one SLO (the only one when `name` is omitted). */
  status(name?: string): SLOStatus {
    const t = name === undefined && this.tracked.size === 1 ? this.tracked.values().next().value : this.tracked.get(name ?? '');
    if (!t) throw new RangeError(`SLOMonitor: no SLO named ${JSON.stringify(name)} (known: ${[...this.tracked.keys()].join(', ')})`);
    return this.evaluate(t, this.time());
  }

  /** The status of every SLO. */
  statuses(): SLOStatus[] {
    const time = this.time();
    return [...this.tracked.values()].map((t) => this.evaluate(t, time));
  }

  /** Prometheus rules for every SLO, as one YAML document; `minWindowSeconds` defaults to the monitor's. */
  toPrometheusRules(options?: PrometheusRulesOptions): string {
    return renderRules(this.slos, { ...options, minWindowSeconds: options?.minWindowSeconds ?? this.minWindowSeconds });
  }

  /** The status of one SLO at `time`; alert changes are notified. */
  private evaluate(t: Tracked, time: number): SLOStatus {
    const [burnRates] = this.burnRates(t, time);
    const status = this.summarise(t, time, burnRates);
    this.transitions(t, burnRates, time, () => status);
    return status;
  }

  /**
   * Checks one SLO's alerts and notifies changes. The whole SLO window, most of status()'s work
   * for a 30-day SLO, is read only for the summary of a change. Returns whether an alert may
   * still change as time passes alone (an alert window holds events, or an alert fires).
   */
  private check(t: Tracked, time: number): boolean {
    const [burnRates, events] = this.burnRates(t, time);
    let status: SLOStatus | undefined;
    this.transitions(t, burnRates, time, () => (status ??= this.summarise(t, time, burnRates)));
    return events || t.firing.size > 0;
  }

  /** The burn-rate alerts of one SLO at `time`, and whether any alert window holds events. */
  private burnRates(t: Tracked, time: number): [BurnRateStatus[], boolean] {
    t.lastEval = time;
    t.pending = false;
    const { slo, ring } = t;
    const budget = slo.errorBudget;
    // Error ratios come straight from the counts (not 1 − compliance), so a ratio that equals
    // the budget in decimal is the same floating-point number as the budget.
    const errors = (seconds: number): [ratio: number, events: number] => {
      if (!ring) return [0, 0];
      const { good, total } = ring.sum(time, seconds);
      return [total === 0 ? 0 : (total - good) / total, total];
    };
    let any = false;
    const burnRates: BurnRateStatus[] = slo.windows.map((w) => {
      const [longRangeSeconds, shortRangeSeconds, least] = alertRanges(w, slo.minEvents, this.minWindowSeconds);
      const [longRatio, events] = errors(longRangeSeconds);
      const [shortRatio] = errors(shortRangeSeconds);
      if (events > 0) any = true;
      // The condition the generated rules use: error ratio > burn rate × budget (SLO-04).
      const threshold = w.burnRate * budget;
      const firing = longRatio > threshold && shortRatio > threshold && events >= least;
      return { ...w, longRangeSeconds, shortRangeSeconds, longBurnRate: longRatio / budget, shortBurnRate: shortRatio / budget, firing };
    });
    return [burnRates, any];
  }

  private summarise(t: Tracked, time: number, burnRates: BurnRateStatus[]): SLOStatus {
    const { slo, ring } = t;
    const budget = slo.errorBudget;
    const whole = ring ? ring.sum(time, slo.windowSeconds) : { good: 0, total: 0 };
    const compliance = whole.total === 0 ? 1 : whole.good / whole.total;
    const errorRatio = whole.total === 0 ? 0 : (whole.total - whole.good) / whole.total;
    return {
      name: slo.name,
      kind: slo.kind,
      target: slo.target,
      windowSeconds: slo.windowSeconds,
      good: whole.good,
      total: whole.total,
      compliance,
      compliant: errorRatio <= budget,
      errorBudget: budget,
      errorBudgetRemaining: 1 - errorRatio / budget,
      burnRates,
      alerts: (['page', 'ticket'] as const).filter((s) => burnRates.some((b) => b.severity === s && b.firing)),
    };
  }

  private transitions(t: Tracked, burnRates: BurnRateStatus[], time: number, summary: () => SLOStatus): void {
    for (const severity of ['page', 'ticket'] as const) {
      const firing = burnRates.some((b) => b.severity === severity && b.firing);
      if (firing === t.firing.has(severity)) continue;
      if (firing) t.firing.add(severity);
      else t.firing.delete(severity);
      const status = summary();
      const rates = burnRates.filter((b) => b.severity === severity).map((b) => ({ long: b.longBurnRate, short: b.shortBurnRate, threshold: b.burnRate }));
      notifySafely(this.notifier, {
        source: 'slo',
        key: `slo:${t.slo.name}:${severity}`,
        name: t.slo.name,
        state: firing ? 'firing' : 'resolved',
        severity: severity === 'page' ? 'critical' : 'warning',
        summary: firing
          ? `SLO "${t.slo.name}" is burning its error budget too fast (${severity}); ${(status.errorBudgetRemaining * 100).toFixed(1)}% of the budget left`
          : `SLO "${t.slo.name}" burn rate is back under the ${severity} threshold`,
        time,
        details: { burnRates: rates, compliance: status.compliance, errorBudgetRemaining: status.errorBudgetRemaining, target: status.target },
      }, this.diag && ((err, alert) => this.diag!.drop('export_failed', () => `the SLOMonitor notifier threw (${err instanceof Error ? err.message : String(err)}); the alert ${alert.key} ${alert.state} was not delivered`)));
    }
  }
}
