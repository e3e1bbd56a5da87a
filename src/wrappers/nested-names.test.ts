import { afterEach, describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { setDefaultMonitor } from './default-monitor.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

afterEach(() => setDefaultMonitor(undefined));

function calls(monitor: ReturnType<typeof createTestMonitor>['monitor']): string[] {
  return monitor.metrics
    .collect()
    .metrics.map((m) => m.name)
    .filter((n) => n.endsWith('_calls_total'))
    .sort();
}

// An anonymous function wrapped with a name: the wrapper carries that name, so a wrapper around
// it that is given none (`traced(metered('combo', fn))`) names its span or metrics after it, not
// "anonymous".
describe('a name given to a wrapper of an anonymous function is the name an outer wrapper uses', () => {
  it("traced(metered('combo', () => …)) names its span combo", async () => {
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const combo = traced(metered('combo', (x: number) => x * 2));
    expect(combo(2)).toBe(4);
    expect(combo.name).toBe('combo');
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['combo']);
    expect(calls(monitor)).toEqual(['combo_calls_total']);
  });

  it("metered(traced('Load User', async () => …)) records load_user_* metrics", async () => {
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const load = metered(traced('Load User', async (id: string) => ({ id })));
    await expect(load('u1')).resolves.toEqual({ id: 'u1' });
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['Load User']);
    expect(calls(monitor)).toEqual(['load_user_calls_total']);
  });

  it('a named function keeps its own name (the given one names only the wrapper that was given it)', async () => {
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const charge = traced(metered('payments', function charge(cents: number) {
      return cents;
    }));
    expect(charge.name).toBe('charge');
    charge(1);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['charge']);
    expect(calls(monitor)).toEqual(['payments_calls_total']);
  });

  it('an anonymous function wrapped without a name stays anonymous', async () => {
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const f = traced(metered((x: number) => x));
    expect(f.name).toBe('');
    f(1);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['anonymous']);
    expect(calls(monitor)).toEqual(['anonymous_calls_total']);
  });
});
