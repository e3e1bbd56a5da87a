/**
 * UCUM unit → Prometheus unit word (MET-13). The word becomes a name suffix such as
 * `_seconds`, placed before `_total`, and the OpenMetrics `# UNIT` value.
 *
 * @module
 */

import { sanitizeMetricName } from './names.js';

// The units OpenTelemetry's Prometheus translation names; anything else is kept, sanitised.
const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  bit: 'bits',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  K: 'kelvin',
  Hz: 'hertz',
  '%': 'percent',
  // Dimensionless: `1/s` is `per_second` (the whole unit `1` is handled in unitWord).
  '1': '',
};

// After `/` the singular is used: `By/s` → `bytes_per_second`; a unit not listed here is kept as
// written (`By/ms` → `bytes_per_ms`), as OpenTelemetry's Prometheus translator does, so a metric
// is named alike here and after a collector.
const PER_WORDS: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const ANNOTATIONS = /\{[^}]*\}/g;

function word(part: string, table: Record<string, string>): string {
  const trimmed = part.trim();
  if (trimmed === '') return '';
  // Own keys only: `toString` or `constructor` as a unit is a word, not Object's method.
  const known = Object.hasOwn(table, trimmed) ? table[trimmed] : undefined;
  if (known !== undefined) return known;
  const s = sanitizeMetricName(trimmed).replace(/^_+|_+$/g, '');
  return s;
}

/**
 * The Prometheus unit word for a UCUM unit, or '' when the unit adds no suffix.
 * `{…}` annotations are dropped; `1` becomes `ratio` for gauges only (MET-13).
 *
 * @example
 * unitWord('s', 'counter')        // 'seconds'
 * unitWord('{request}', 'counter') // ''
 * unitWord('1', 'gauge')          // 'ratio'
 * unitWord('By/s', 'gauge')       // 'bytes_per_second'
 */
export function unitWord(unit: string, type: string): string {
  if (unit === '') return '';
  if (unit === '1') return type === 'gauge' ? 'ratio' : '';
  const stripped = unit.replace(ANNOTATIONS, '');
  const slash = stripped.indexOf('/');
  if (slash < 0) return word(stripped, UNIT_WORDS);
  const num = word(stripped.slice(0, slash), UNIT_WORDS);
  const den = word(stripped.slice(slash + 1), PER_WORDS);
  if (den === '') return num;
  return num === '' ? 'per_' + den : num + '_per_' + den;
}
