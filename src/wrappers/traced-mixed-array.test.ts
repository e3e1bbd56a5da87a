import { afterEach, describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { setDefaultMonitor } from './default-monitor.js';
import { traced } from './traced.js';

afterEach(() => setDefaultMonitor(undefined));

// An array attribute holds one type (OpenTelemetry common spec). A mixed one passed the check at
// wrapping, then was written as strings and counted as invalid_attribute on every call.
describe('traced(): an array attribute mixing types throws when wrapping', () => {
  it('[1, "x"] and [true, 1] throw naming the attribute and the types; one type with nulls is taken and counts no drop', () => {
    const { monitor } = createTestMonitor();
    // @ts-expect-error refused by the types too
    expect(() => traced('t', () => 1, { monitor, attributes: { ids: [1, 'x'] } })).toThrow(/^traced\("t"\): the attribute "ids" in `attributes` mixes number and string; an array attribute holds strings, numbers or booleans, one type only\.$/);
    // @ts-expect-error refused by the types too
    expect(() => traced({ attributes: { flags: [true, 1] } })).toThrow(/"flags" in `attributes` mixes boolean and number/);
    const f = traced('u', () => 1, { monitor, attributes: { ids: [1, null, 2], tags: ['a', undefined, 'b'], empty: [] } });
    f();
    f();
    expect(monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')).toBeUndefined();
  });
});
