// A label value over limits.labelValueLengthLimit is redacted before it is cut: cut first, a URL
// cut before the `@` of `user:pw@` no longer reads as one with credentials and kept the start of
// the password (redaction and truncation order, as for span and log attributes).
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { NumberPoint } from '../model/metric-data.js';

const URL = 'https://bob:hunter2-very-secret-password@db.example.com/orders?page=1';

function points(monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string): NumberPoint[] {
  return monitor.metrics.collect().metrics.find((m) => m.name === name)!.points as NumberPoint[];
}

describe('a long secret label value', () => {
  for (const declared of [true, false]) {
    it(`is redacted, then cut, ${declared ? 'with' : 'without'} declared label names; one series for every call`, () => {
      const { monitor } = createTestMonitor({ onDiagnostic: () => {}, limits: { labelValueLengthLimit: 24 } });
      const c = monitor.metrics.createCounter('calls_total', 'Calls', declared ? { labelNames: ['url.full'] } : {});
      c.increment({ 'url.full': URL });
      c.increment({ 'url.full': URL });
      const pts = points(monitor, 'calls_total');
      expect(pts).toHaveLength(1);
      const v = pts[0]!.attributes['url.full'] as string;
      expect(v.length).toBeLessThanOrEqual(24);
      expect(v).not.toContain('hunter');
      expect(v).not.toContain('bob:');
      expect(pts[0]!.value).toBe(2);
      // remove() finds the series by the same value
      expect(c.remove({ 'url.full': URL })).toBe(true);
    });
  }
  it('a value redaction brings under the limit is not counted as truncated', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => {}, limits: { labelValueLengthLimit: 24 } });
    const c = monitor.metrics.createCounter('logins_total', 'Logins', { labelNames: ['password'] });
    c.increment({ password: 'a-very-long-password-value-indeed' });
    expect(points(monitor, 'logins_total')[0]!.attributes.password).not.toContain('very');
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    expect((dropped?.points as NumberPoint[] | undefined)?.find((p) => p.attributes.reason === 'label_too_long')).toBeUndefined();
  });
});
