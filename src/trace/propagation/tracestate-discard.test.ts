import { describe, expect, it } from 'vitest';
import type { Monitor } from '../../monitor.js';
import { createTestMonitor } from '../../testing/index.js';
import { extractContext, extractIncoming } from './propagation.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function invalidValues(monitor: Monitor): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return (m?.points ?? []).filter((p) => p.attributes.reason === 'invalid_value').reduce((n, p) => n + (p as { value: number }).value, 0);
}

describe('a caller tracestate discarded as invalid (TS-01…TS-05) is counted, as left-out baggage members are', () => {
  it('duplicated keys, a malformed member, 33 members: each header discarded is one invalid_value, reported once; the trace goes on', () => {
    const seen: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d.message) });
    for (const ts of ['foo=1,foo=2', 'FOO=1,bar=2', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')]) {
      const ctx = extractContext({ traceparent: TP, tracestate: ts }, monitor.diag)!;
      expect(ctx.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(ctx.traceState).toBeUndefined();
    }
    expect(invalidValues(monitor)).toBe(3);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('tracestate header was discarded');
  });

  it('the request adapters (extractIncoming) count it with tracecontext alone too', () => {
    const { monitor } = createTestMonitor();
    const { parent } = extractIncoming({ traceparent: TP, tracestate: 'a=1,a=1' }, { diag: monitor.diag, propagators: ['tracecontext'] });
    expect(parent!.traceState).toBeUndefined();
    expect(invalidValues(monitor)).toBe(1);
  });

  it('a valid, empty or absent tracestate, or one without a traceparent (TC-09), counts nothing', () => {
    const { monitor } = createTestMonitor();
    expect(extractContext({ traceparent: TP, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' }, monitor.diag)!.traceState).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    extractContext({ traceparent: TP, tracestate: '' }, monitor.diag);
    extractContext({ traceparent: TP, tracestate: ' , \t,' }, monitor.diag);
    extractContext({ traceparent: TP }, monitor.diag);
    extractContext({ tracestate: 'foo=1,foo=2' }, monitor.diag);
    expect(invalidValues(monitor)).toBe(0);
  });
});
