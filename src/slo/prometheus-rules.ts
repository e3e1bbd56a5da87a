import type { BurnRateWindow, SLO } from './slo.js';

/** Options of `toPrometheusRules`. */
export interface PrometheusRulesOptions {
  /** Name of the total-events counter as Prometheus sees it (default `slo_events_total`). */
  eventsMetric?: string;
  /** Name of the good-events counter (default `slo_good_events_total`). */
  goodEventsMetric?: string;
  /**
   * Shortest range a rule uses, in seconds (default 60; from `SLOMonitor.toPrometheusRules()`,
   * the monitor's own `minWindowSeconds`). Windows scaled down from short SLO windows can be
   * shorter than a few scrape intervals, where `rate()` has no data.
   */
  minWindowSeconds?: number;
  /** Extra labels on every alert (team, runbook …). */
  labels?: Record<string, string>;
}

/** Seconds → the exact Prometheus duration in the largest unit that divides it (`1h`, `90s`, `417ms`). */
export function promDuration(seconds: number): string {
  const ms = Math.max(1, Math.round(seconds * 1000));
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A YAML double-quoted scalar. JSON's escapes are YAML's, but JSON leaves DEL, the C1 controls
 * and U+FFFE/U+FFFF raw, which YAML forbids ("control characters are not allowed"): those are
 * escaped too. A lone surrogate has no UTF-8 form at all (YAML and Prometheus refuse it).
 */
const q = (s: string): string => {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)) {
    throw new TypeError(`toPrometheusRules: ${JSON.stringify(s)} holds a lone surrogate, which is not valid Unicode; fix the label value`);
  }
  return JSON.stringify(s).replace(/[\x7f-\x9f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
};
/** minWindowSeconds, checked: NaN or a string would print `[NaNms]` ranges promtool refuses. */
export function minWindow(what: string, min: unknown = 60): number {
  if (typeof min !== 'number' || !Number.isFinite(min) || min < 0) {
    throw new RangeError(`${what}: minWindowSeconds must be a finite number of seconds ≥ 0 (default 60), got ${String(min)}`);
  }
  return min;
}

/**
 * What an alert pair reads, for the rules and SLOMonitor alike so the two cannot disagree: its
 * windows widened to at least `min` seconds, and the least events over the long range. A range
 * widened holds more events than the window, so minEvents is scaled to it; at 1 or less an empty
 * range already yields no ratio, so it stays as given (a widened 1 would hold a low-traffic alert).
 */
export function alertRanges(w: BurnRateWindow, minEvents: number, min: number): [long: number, short: number, least: number] {
  const long = Math.max(min, w.longWindowSeconds);
  return [long, Math.max(min, w.shortWindowSeconds), minEvents > 1 ? +((minEvents * long) / w.longWindowSeconds).toPrecision(12) : minEvents];
}

const METRIC = /^[A-Za-z_:][A-Za-z0-9_:]*$/;
const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Renders the rule groups of several SLOs as one YAML document (one group per SLO). */
export function renderRules(slos: readonly SLO[], options: PrometheusRulesOptions = {}): string {
  const events = options.eventsMetric ?? 'slo_events_total';
  const goodEvents = options.goodEventsMetric ?? 'slo_good_events_total';
  for (const m of [events, goodEvents]) if (!METRIC.test(m)) throw new TypeError(`toPrometheusRules: ${JSON.stringify(m)} is not a Prometheus metric name`);
  const extra = options.labels ?? {};
  for (const k of Object.keys(extra)) {
    if (!LABEL.test(k) || k.startsWith('__')) throw new TypeError(`toPrometheusRules: ${JSON.stringify(k)} is not a Prometheus label name ([A-Za-z_][A-Za-z0-9_]*, not starting with "__")`);
    // These two are set on every alert: a value given here was dropped without a word.
    if (k === 'severity' || k === 'slo') throw new TypeError(`toPrometheusRules: labels.${k} is set by the rules (severity page or ticket, slo the SLO's name); remove it from labels`);
  }
  const min = minWindow('toPrometheusRules', options.minWindowSeconds);
  const lines: string[] = ['groups:'];
  for (const slo of slos) {
    const sel = `{slo=${q(slo.name)}}`;
    const dur = (s: number): string => promDuration(Math.max(min, s));
    const record = (d: string): string => `slo:sli_error:ratio_rate${d}`;
    lines.push(`  - name: ${q(`slo:${slo.name}`)}`, '    rules:');
    const windows = new Set<string>();
    for (const w of slo.windows) windows.add(dur(w.longWindowSeconds)).add(dur(w.shortWindowSeconds));
    windows.add(dur(slo.windowSeconds));
    for (const d of windows) {
      // A good-events series that does not exist yet (an isolate or a deploy that has seen only
      // failures: a counter appears at its first increment) would leave the division empty, and a
      // total outage would never alert; it counts as 0 good events instead.
      const all = `sum by (slo) (rate(${events}${sel}[${d}]))`;
      const expr = `1 - ((sum by (slo) (rate(${goodEvents}${sel}[${d}])) or 0 * ${all}) / ${all})`;
      // The static slo label keeps rules of different SLOs distinct (promtool flags duplicates).
      lines.push(`      - record: ${record(d)}`, `        expr: ${q(expr)}`, '        labels:', `          slo: ${q(slo.name)}`);
    }
    const budget = slo.errorBudget;
    for (const severity of ['page', 'ticket'] as const) {
      const pairs = slo.windows.filter((w) => w.severity === severity);
      const expr = pairs
        .map((w) => {
          const t = `(${w.burnRate} * ${budget})`;
          const [long, short, least] = alertRanges(w, slo.minEvents, min);
          // minEvents holds the alert until the long range has that many events, as SLOMonitor
          // does (SLO-07); at 1 or less there is no clause.
          const enough = slo.minEvents > 1 ? ` and on (slo) sum by (slo) (increase(${events}${sel}[${dur(long)}])) >= ${least}` : '';
          return `(${record(dur(long))}${sel} > ${t} and ${record(dur(short))}${sel} > ${t}${enough})`;
        })
        .join(' or ');
      const windowsText = pairs.map((w) => `${dur(w.longWindowSeconds)}/${dur(w.shortWindowSeconds)} > ${w.burnRate}x`).join(', ');
      lines.push(
        '      - alert: SLOErrorBudgetBurn',
        `        expr: ${q(expr)}`,
        '        labels:',
        ...Object.entries(extra).map(([k, v]) => `          ${k}: ${q(String(v))}`),
        `          severity: ${severity}`,
        `          slo: ${q(slo.name)}`,
        '        annotations:',
        `          summary: ${q(`SLO ${slo.name} is burning its error budget too fast (${severity})`)}`,
        `          description: ${q(`Burn rate over ${windowsText} for target ${+(slo.target * 100).toPrecision(12)}% over ${dur(slo.windowSeconds)}.`)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
