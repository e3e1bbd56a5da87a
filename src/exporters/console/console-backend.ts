import type { Backend, ExportResult, TelemetryBatch } from '../../model/batch.js';
import type { LogRecordData } from '../../model/log-data.js';
import type { MetricData } from '../../model/metric-data.js';
import { SpanKind, type SpanData } from '../../model/span-data.js';
import { formatAttributes, formatDuration, formatValue, oneLine } from './format.js';

/** A span kind's name by its number (SpanKind's names, 1 to 5, lower-cased). */
const KIND = ['', ...Object.keys(SpanKind).map((k) => k.toLowerCase())];
const STATUS = ['', ' ok', ' ERROR'];

export interface ConsoleBackendOptions {
  /**
   * Where lines go, one call per line. Default: `console.log`, called once per export with its
   * lines joined by newlines (see {@link ConsoleBackend}).
   */
  write?: (line: string) => void;
  /** Print metric summaries (default true). */
  metrics?: boolean;
  /** Most series printed per metric (default 10). */
  maxSeries?: number;
}

function spanLine(s: SpanData): string {
  const ms = Math.max(0, s.endTime - s.startTime);
  const parent = s.parentSpanId ? ` parent=${s.parentSpanId}` : '';
  const msg = s.status.message ? `: ${oneLine(s.status.message)}` : '';
  return `[span] ${oneLine(s.name)} ${KIND[s.kind] ?? ''} ${formatDuration(ms)}${STATUS[s.status.code] ?? ''}${msg} trace=${s.traceId} span=${s.spanId}${parent}${formatAttributes(s.attributes)}`;
}

/**
 * A span event's line, under its span's (a Workflow's `step.sleep`, an exception): the stack
 * trace is left out, one escaped line of it would fill the terminal.
 */
function eventLine(e: SpanData['events'][number], spanId: string): string {
  const { 'exception.stacktrace': _, ...attributes } = e.attributes;
  return `[event] ${oneLine(e.name)} span=${spanId}${formatAttributes(attributes)}`;
}

/** Severity names by range of severity number (1–4 TRACE … 21–24 FATAL), for a record without a text. */
const SEVERITY = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/**
 * A record's severity as printed: its text, escaped (a Logs API record's `severityText` is the
 * caller's own string and must not forge a line), else the name of its severity number's range
 * (`emit({ severityNumber: 13 })` has no text), else nothing (an unspecified severity).
 */
function severity(l: LogRecordData): string {
  if (l.severityText) return oneLine(l.severityText);
  const n = l.severityNumber;
  return n >= 1 && n <= 24 ? SEVERITY[(n - 1) >> 2]! : '';
}

/** The quantile as a percentile, rounded to 12 digits: 0.07 * 100 is 7.000000000000001 in floating point. */
function percent(q: number): number {
  return +(q * 100).toPrecision(12);
}

function metricLines(m: MetricData, max: number): string[] {
  const unit = m.unit ? ` ${oneLine(m.unit)}` : '';
  const lines: string[] = [];
  for (const p of m.points.slice(0, max)) {
    const a = p.attributes;
    // Values as text, as printed when labels were all strings (code="200"); the overflow series' true stays bare.
    const labels = formatAttributes(Object.fromEntries(Object.keys(a).map((k) => [k, k === 'otel.metric.overflow' ? a[k] : String(a[k])])));
    if ('value' in p) lines.push(`[metric] ${m.name}${labels} ${m.type} = ${p.value}${unit}`);
    else if (!('quantiles' in p)) {
      const mean = p.count ? p.sum / p.count : 0;
      lines.push(`[metric] ${m.name}${labels} histogram count=${p.count} sum=${+p.sum.toFixed(6)} mean=${+mean.toFixed(6)}${unit}`);
    } else {
      const qs = p.quantiles.map((q) => `p${percent(q.quantile)}=${Number.isNaN(q.value) ? 'NaN' : +q.value.toFixed(6)}`).join(' ');
      lines.push(`[metric] ${m.name}${labels} summary count=${p.count} ${qs}${unit}`);
    }
  }
  if (m.points.length > max) lines.push(`[metric] ${m.name} …and ${m.points.length - max} more series`);
  return lines;
}

/**
 * Prints readable one-line spans, logs and metric summaries: the local default, so the first
 * request of a new app shows its telemetry in the terminal. Control characters are escaped,
 * so input cannot forge lines.
 *
 * By default all the lines of one export go to a single `console.log` call: each call costs a
 * runtime its own trip through the log pipeline (in workerd, a Worker printing three lines per
 * request measured +19% CPU per request against +3% for the same Worker with no output), and
 * a batched export carries many requests' lines.
 */
export class ConsoleBackend implements Backend {
  readonly name = 'console';
  readonly temporality = 'cumulative' as const;
  /** One call per line, or undefined for the default: one `console.log` per export. */
  readonly #write: ((line: string) => void) | undefined;
  readonly #showMetrics: boolean;
  readonly #maxSeries: number;

  constructor(options: ConsoleBackendOptions = {}) {
    const { write, maxSeries = 10 } = options;
    // Wrong values throw here (DESIGN 5): a write that is no function failed every export, and a
    // negative or non-numeric maxSeries printed wrong counts or no series at all.
    if (write !== undefined && typeof write !== 'function') throw new TypeError(`ConsoleBackend: \`write\` must be a function (line) => void, got ${typeof write}.`);
    if (!(Number.isInteger(maxSeries) && maxSeries >= 0) && maxSeries !== Infinity) {
      throw new RangeError(`ConsoleBackend: \`maxSeries\` must be an integer ≥ 0 (or Infinity for every series), got ${typeof maxSeries === 'string' ? JSON.stringify(maxSeries) : String(maxSeries)}.`);
    }
    this.#write = write;
    this.#showMetrics = options.metrics !== false;
    this.#maxSeries = maxSeries;
  }

  async export(batch: TelemetryBatch): Promise<ExportResult> {
    try {
      const lines: string[] = [];
      for (const s of batch.spans) {
        lines.push(spanLine(s));
        for (const e of s.events) lines.push(eventLine(e, s.spanId));
      }
      for (const l of batch.logs) {
        const ids = l.traceId ? ` trace=${l.traceId} span=${l.spanId}` : '';
        const event = l.eventName ? ` event=${oneLine(l.eventName)}` : '';
        lines.push(`[log] ${severity(l)}${event} ${oneLine(typeof l.body === 'string' ? l.body : l.body === undefined ? '' : formatValue(l.body))}${formatAttributes(l.attributes)}${ids}`);
      }
      if (this.#showMetrics && batch.metrics) {
        for (const m of batch.metrics.metrics) lines.push(...metricLines(m, this.#maxSeries));
      }
      if (this.#write) for (const line of lines) this.#write(line);
      else if (lines.length > 0) console.log(lines.join('\n'));
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: 'export_failed', error: err instanceof Error ? err.message : String(err) };
    }
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
