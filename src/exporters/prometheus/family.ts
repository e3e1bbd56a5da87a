/**
 * The Prometheus family a metric becomes: its type word, names for both formats, unit and the
 * sample names it will use. Computed once per (type, unit, name) and cached.
 *
 * @module
 */

import type { MetricData } from '../../model/metric-data.js';
import { sanitizeMetricName } from './names.js';
import { unitWord } from './units.js';

export type PrometheusType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface Family {
  readonly type: PrometheusType;
  /** OpenMetrics family name; for counters it has no `_total` (OM-06). */
  readonly name: string;
  /** Name on 0.0.4 `# TYPE`/`# HELP` lines: counters use the full `_total` name (PT-09). */
  readonly textName: string;
  /** Name of the plain sample lines (`foo_total` for counters, the family name otherwise). */
  readonly sampleName: string;
  /** OpenMetrics `# UNIT` value, '' when the family name does not end with a unit (OM-03). */
  readonly unit: string;
  /** Every name the family's lines use, so another family cannot reuse one (MET-13, OM-07). */
  readonly claims: readonly string[];
}

const CACHE_LIMIT = 10_000;
const cache = new Map<string, Family>();

function promType(type: MetricData['type']): PrometheusType {
  // A non-monotonic sum is a Prometheus gauge (MET-05).
  // An exponential histogram is shown as a classic one (classic-histogram.ts).
  return type === 'updowncounter' ? 'gauge' : type === 'exponential_histogram' ? 'histogram' : type;
}

/**
 * Describes the Prometheus family for a metric (MET-13): sanitised name, unit suffix before
 * the type suffix, `_total` for counters.
 *
 * @example
 * describeFamily({ type: 'counter', name: 'http.requests', unit: '{request}', ... }).textName
 * // 'http_requests_total'
 */
export function describeFamily(metric: Pick<MetricData, 'type' | 'name' | 'unit'>): Family {
  const key = metric.type + '\0' + metric.unit + '\0' + metric.name;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;

  const type = promType(metric.type);
  let base = sanitizeMetricName(metric.name);
  // A name ending in `.`, `-`, `/` or `_` would meet its type suffix as a run (`jobs__total`,
  // `lat__bucket`), which MET-13 collapses: the family name drops the trailing `_`, as
  // OpenTelemetry's translator does (sanitising left at most one). Gauges get no suffix and keep their name.
  if (type !== 'gauge' && base.length > 1 && base.endsWith('_')) base = base.slice(0, -1);
  // `_total` is the type suffix and goes last, so it is taken off before the unit is added.
  if (type === 'counter' && base.length > 6 && base.endsWith('_total')) base = base.slice(0, -6);
  const unit = unitWord(metric.unit, type);
  if (unit !== '' && !base.endsWith('_' + unit) && base !== unit) base = base + '_' + unit;
  base = base.replace(/__+/g, '_');
  const hasUnit = unit !== '' && base.endsWith('_' + unit);

  let claims: string[];
  let sampleName = base;
  let textName = base;
  if (type === 'counter') {
    sampleName = textName = base + '_total';
    claims = [base, sampleName, base + '_created'];
  } else if (type === 'histogram') {
    claims = [base, base + '_bucket', base + '_count', base + '_sum', base + '_created'];
  } else if (type === 'summary') {
    claims = [base, base + '_count', base + '_sum', base + '_created'];
  } else {
    claims = [base];
  }
  const family: Family = { type, name: base, textName, sampleName, unit: hasUnit ? unit : '', claims };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, family);
  return family;
}
