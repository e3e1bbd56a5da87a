/**
 * Property tests: any names, units, help texts and label values the core might pass through
 * must yield an exposition that parses (promtool: exit 0 or lint-only exit 3, never a parse
 * error) and a structurally valid OpenMetrics document, with one TYPE per name (MET-13).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderSnapshot } from '../../src/exporters/prometheus/index.js';
import type { MetricData } from '../../src/model/metric-data.js';
import { counter, gauge, histogram, snapshot, summary } from './fixtures.js';
import { validateOpenMetrics } from './openmetrics-validator.js';
import { promtoolCheck, shouldRun } from './processes.js';

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const awkward = fc.oneof(text, fc.constantFrom('', '"', '\\', '\n', '\\n', '{}', 'a.b-c/d', '9x', '__x', 'le', 'quantile', '日本', 'a"b\\c\nd'));
const name = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_.\-/]{0,15}$/), awkward.filter((s) => s.length > 0));
const unit = fc.constantFrom('', 's', 'ms', 'By', '1', '{request}', 'By/s', 'Cel', '%', 'weird unit');
const labels = fc.dictionary(awkward, awkward, { maxKeys: 4 });
const value = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ noNaN: false }), fc.constantFrom(Infinity, -Infinity, NaN, 0, -0, 1e-7, 1e21));
const positive = fc.double({ min: 0, max: 1e6, noNaN: true });

const metric: fc.Arbitrary<MetricData> = fc.oneof(
  fc.tuple(name, awkward, unit, fc.array(fc.tuple(labels, positive), { maxLength: 4 })).map(([n, h, u, p]) => counter(n, h, u, p)),
  fc.tuple(name, awkward, unit, fc.array(fc.tuple(labels, value), { maxLength: 4 })).map(([n, h, u, p]) => gauge(n, h, u, p)),
  fc
    .tuple(name, awkward, unit, fc.uniqueArray(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 0, maxLength: 5 }), fc.array(fc.tuple(labels, fc.array(fc.double({ min: -200, max: 200, noNaN: true }), { minLength: 1, maxLength: 6 })), { maxLength: 3 }))
    .map(([n, h, u, b, s]) => histogram(n, h, u, [...new Set(b.map((x) => (Object.is(x, -0) ? 0 : x)))].sort((x, y) => x - y), s)),
  fc
    .tuple(name, awkward, unit, fc.array(fc.tuple(labels, fc.nat(100)), { maxLength: 3 }))
    .map(([n, h, u, s]) => summary(n, h, u, s.map(([l, c]) => [l, { count: c, sum: c * 0.5, quantiles: [[0.5, 0.1], [0.99, NaN]] }]))),
);
const snapshots = fc.array(metric, { minLength: 1, maxLength: 8 }).map((m) => snapshot(...m));

describe('property: any input renders to a valid exposition', () => {
  it('MET-13, OM-02..OM-11: OpenMetrics is structurally valid; one TYPE per name in both formats', () => {
    fc.assert(
      fc.property(snapshots, (snap) => {
        const om = renderSnapshot(snap, { format: 'openmetrics' });
        expect(validateOpenMetrics(om)).toEqual([]);
        for (const out of [om, renderSnapshot(snap)]) {
          const types = [...out.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
          expect(new Set(types).size).toBe(types.length);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it.runIf(shouldRun('promtool'))('PT-01..PT-09: promtool parses every generated text 0.0.4 exposition (no parse errors)', () => {
    // One promtool process per sample is slow; 60 samples cover the shapes above well enough.
    fc.assert(
      fc.property(snapshots, (snap) => {
        const body = renderSnapshot(snap);
        const r = promtoolCheck(body);
        // Exit 3 is lint only (e.g. camelCase or a random name ending in _count); 1 is a parse error.
        if (r.code !== 0 && r.code !== 3) throw new Error(`promtool exit ${r.code}: ${r.output}\n${body}`);
        expect(r.output).not.toMatch(/parsing error|not unique/);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
