/**
 * Baggage members left out while `propagation.extract` parses an incoming header (malformed,
 * past 64 members or 8192 bytes) are counted as `invalid_value` drops by the monitor the
 * propagator belongs to, as `extractContext(headers, monitor.diag)` counts them for requests.
 */
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry, W3CPropagator } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
let monitor: Monitor;
beforeEach(() => {
  ({ monitor } = createTestMonitor({ onDiagnostic: () => undefined }));
});
afterEach(() => unregisterOpenTelemetry());

const dropped = (m: Monitor) =>
  (m.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total')?.points ?? [])
    .filter((p) => p.attributes.reason === 'invalid_value')
    .reduce((n, p) => n + (p as { value: number }).value, 0);

const keys = (carrier: Record<string, string>) =>
  (propagation.getBaggage(propagation.extract(ROOT_CONTEXT, carrier))?.getAllEntries() ?? []).map(([k]) => k);

describe('propagation.extract counts baggage members left out', () => {
  it('registerOpenTelemetry: with and without a traceparent, each left-out member counted once', () => {
    expect(registerOpenTelemetry(monitor)).toBe(true);
    expect(keys({ traceparent: TP, baggage: 'ok=1,broken,b d=2' })).toEqual(['ok']);
    expect(dropped(monitor)).toBe(2);
    expect(keys({ baggage: 'ok=1,=x' })).toEqual(['ok']);
    expect(dropped(monitor)).toBe(3);
    // every member invalid: none kept, each still counted once (not parsed a second time)
    expect(keys({ traceparent: TP, baggage: 'broken' })).toEqual([]);
    expect(dropped(monitor)).toBe(4);
    keys({ baggage: Array.from({ length: 70 }, (_, i) => `k${i}=v`).join(',') });
    expect(dropped(monitor)).toBe(10);
  });

  it('new W3CPropagator(monitor) counts through that monitor; without one nothing is counted and nothing throws', () => {
    const carrier = { baggage: 'ok=1,broken' };
    new W3CPropagator(monitor).extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    expect(dropped(monitor)).toBe(1);
    const ctx = new W3CPropagator().extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    expect(propagation.getBaggage(ctx)?.getEntry('ok')?.value).toBe('1');
    expect(dropped(monitor)).toBe(1);
  });

  it('inject: a member whose key is not a token is left out and counted', () => {
    const ctx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ ok: { value: '1' }, 'b d': { value: '2' } }));
    const carrier: Record<string, string> = {};
    new W3CPropagator(monitor).inject(ctx, carrier, defaultTextMapSetter);
    expect(carrier.baggage).toBe('ok=1');
    expect(dropped(monitor)).toBe(1);
  });
});
