import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { HookRegistry } from './registry.js';

describe('hook durations', () => {
  it('an infinite durationMs is one drop, not two (its span starts at the end, as for NaN or a negative one)', async () => {
    const reported: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => reported.push(d.message) });
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    const dropped = (): number =>
      monitor.metrics
        .collect()
        .metrics.filter((m) => m.name === 'lexigram_monitor_dropped_total')
        .flatMap((m) => (m as unknown as { points: { value: number }[] }).points)
        .reduce((n, p) => n + p.value, 0);
    hooks.taskEnd({ task: 't', durationMs: Infinity });
    hooks.queueProcess({ queue: 'q', durationMs: Infinity });
    expect(dropped()).toBe(2);
    expect(reported.some((m) => /span time/.test(m))).toBe(false);
    await monitor.flush();
    expect(memory.findSpan('task t')!.durationMs).toBe(0);
  });
});
