import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { traced } from './traced.js';

// An attribute key must be non-empty (OpenTelemetry common spec). `attributes: { '': 1 }` passed
// the check at wrapping, then was dropped and counted as invalid_attribute on every call.
describe('traced(): an attribute with an empty name', () => {
  it('throws when wrapping (as a function and as a decorator), saying so', () => {
    const { monitor } = createTestMonitor();
    expect(() => traced('t', () => 1, { monitor, attributes: { '': 1, ok: 2 } })).toThrow(/^traced\("t"\): an attribute in `attributes` has an empty name; give it a name\.$/);
    expect(() => traced({ attributes: { '': 'x' } })).toThrow(/^traced\(\): an attribute in `attributes` has an empty name/);
  });

  it('named ones are taken and count no drop', () => {
    const { monitor } = createTestMonitor();
    traced('u', () => 1, { monitor, attributes: { ok: 2 } })();
    expect(monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')).toBeUndefined();
  });
});
