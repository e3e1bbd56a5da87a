import { describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';

function invalidAttributes(monitor: Monitor): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return (m?.points ?? []).filter((p) => p.attributes.reason === 'invalid_attribute').reduce((n, p) => n + (p as { value: number }).value, 0);
}

describe('an unsampled span given attributes that throw when read', () => {
  it('setAttributes never throws into the caller (as on a sampled span) and counts the misuse (invalid_attribute)', () => {
    const { monitor } = createTestMonitor({ sampler: 'always_off' });
    const span = monitor.tracer.startSpan('s');
    expect(span.isRecording()).toBe(false);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const getter = Object.defineProperty({}, 'http.route', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(() => span.setAttributes(proxy as never)).not.toThrow();
    expect(() => span.setAttributes(getter as never)).not.toThrow();
    expect(invalidAttributes(monitor)).toBe(2);
  });

  it('a route set on it is still kept for the request metric (control)', () => {
    const { monitor } = createTestMonitor({ sampler: 'always_off' });
    const span = monitor.tracer.startSpan('s');
    span.setAttributes({ 'http.route': '/users/:id' });
    expect((span as unknown as { route?: string }).route).toBe('/users/:id');
    expect(invalidAttributes(monitor)).toBe(0);
  });
});
