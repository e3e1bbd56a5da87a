import { describe, expect, it } from 'vitest';
import { sanitizeLabelName, sanitizeMetricName } from './names.js';
import { unitWord } from './units.js';
import { formatCanonical } from './numbers.js';
import { escapeHelpOpenMetrics, escapeHelpText, escapeLabelValue } from './escape.js';

describe('names.ts (MET-13, PR-01)', () => {
  it('MET-13: metric names', () => {
    expect(sanitizeMetricName('http.server.request.duration')).toBe('http_server_request_duration');
    expect(sanitizeMetricName('a..b--c//d')).toBe('a_b_c_d');
    expect(sanitizeMetricName('2xx')).toBe('_2xx');
    expect(sanitizeMetricName('ok:name')).toBe('ok:name');
    expect(sanitizeMetricName('')).toBe('_');
  });
  it('PR-01: label names never start with __ or a digit, and never contain :', () => {
    expect(sanitizeLabelName('__name__')).toBe('key_name_');
    expect(sanitizeLabelName('_x')).toBe('key_x');
    expect(sanitizeLabelName('9x')).toBe('key_9x');
    expect(sanitizeLabelName('a:b')).toBe('a_b');
    expect(sanitizeLabelName('')).toBe('key_');
  });
});

describe('units.ts (MET-13)', () => {
  it('MET-13: UCUM words; 1 → ratio only for gauges; annotations dropped', () => {
    expect(unitWord('s', 'histogram')).toBe('seconds');
    expect(unitWord('ms', 'counter')).toBe('milliseconds');
    expect(unitWord('By', 'gauge')).toBe('bytes');
    expect(unitWord('1', 'gauge')).toBe('ratio');
    expect(unitWord('1', 'counter')).toBe('');
    expect(unitWord('{request}', 'counter')).toBe('');
    expect(unitWord('{packet}/s', 'counter')).toBe('per_second');
    expect(unitWord('By/s', 'gauge')).toBe('bytes_per_second');
  });

  it('MET-13: after a slash only the per-unit words are translated, others kept as written (OpenTelemetry translator): 1/min is per_min, By/ms bytes_per_ms', () => {
    expect(unitWord('1/min', 'gauge')).toBe('per_min');
    expect(unitWord('By/ms', 'gauge')).toBe('bytes_per_ms');
    expect(unitWord('{request}/h', 'counter')).toBe('per_hour');
    expect(unitWord('KiBy/d', 'gauge')).toBe('kibibytes_per_day');
    expect(unitWord('By/constructor', 'gauge')).toBe('bytes_per_constructor');
    expect(unitWord('toString', 'gauge')).toBe('toString');
  });

  it('MET-13: the dimensionless 1 names no word before a slash either: 1/s is per_second', () => {
    expect(unitWord('1/s', 'gauge')).toBe('per_second');
    expect(unitWord('1/s', 'counter')).toBe('per_second');
  });
});

describe('numbers.ts and escape.ts', () => {
  it('OM-08: canonical numbers follow Go %g', () => {
    expect(formatCanonical(0.1)).toBe('0.1');
    expect(formatCanonical(100000)).toBe('100000.0');
    expect(formatCanonical(0.0001)).toBe('0.0001');
    expect(formatCanonical(0.00001234)).toBe('1.234e-05');
    expect(formatCanonical(NaN)).toBe('NaN');
  });
  it('PT-03, PT-04, OM-05: escaping per format', () => {
    expect(escapeHelpText('a"b\\c\nd')).toBe('a"b\\\\c\\nd');
    expect(escapeHelpOpenMetrics('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('plain')).toBe('plain');
  });
});
