import { describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { HookRegistry } from './registry.js';

type TestMonitor = ReturnType<typeof createTestMonitor>['monitor'];

function hits(monitor: TestMonitor): number[] {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'cache_hits_total') as CounterMetric | undefined;
  return (m?.points ?? []).map((p) => p.value);
}

// monitor.subscribeHooks(hooks) subscribes a registry once however often it is called; the
// registry's own subscribe(monitor) subscribed it again each time, and every event was counted
// once per call (a set-up run per request multiplied the counts).
describe('HookRegistry.subscribe(monitor) twice', () => {
  it('counts each event once and gives back the same unsubscribe', () => {
    const { monitor } = createTestMonitor();
    const hooks = new HookRegistry();
    const off1 = hooks.subscribe(monitor);
    const off2 = hooks.subscribe(monitor);
    expect(off2).toBe(off1);
    hooks.cacheHit({ cache: 'c' });
    expect(hits(monitor)).toEqual([1]);
    off1();
    hooks.cacheHit({ cache: 'c' });
    expect(hits(monitor)).toEqual([1]);
    // subscribed again after unsubscribing: counted again, once
    const off3 = hooks.subscribe(monitor);
    expect(off3).not.toBe(off1);
    hooks.cacheHit({ cache: 'c' });
    expect(hits(monitor)).toEqual([2]);
    off1();
    hooks.cacheHit({ cache: 'c' });
    expect(hits(monitor)).toEqual([3]);
  });

  it('monitor.subscribeHooks after hooks.subscribe with the same monitor still counts once', () => {
    const { monitor } = createTestMonitor();
    const hooks = new HookRegistry();
    hooks.subscribe(monitor);
    monitor.subscribeHooks(hooks);
    hooks.cacheHit({ cache: 'c' });
    expect(hits(monitor)).toEqual([1]);
  });
});
