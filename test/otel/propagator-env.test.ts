// ENV-16: the OpenTelemetry bridge's propagator follows the monitor's `propagators`
// (OTEL_PROPAGATORS), as the SDK's global propagator follows the variable.
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/index.js';
import { W3CPropagator } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { BridgedSpan } from '../../src/otel/span.js';
import { injectContext } from '../../src/trace/propagation/propagation.js';

const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'tenant=acme' };

function roundTrip(OTEL_PROPAGATORS: string) {
  const { monitor } = createTestMonitor(configFromEnv({ OTEL_PROPAGATORS }));
  const p = new W3CPropagator(monitor);
  const ctx = p.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const out: Record<string, string> = {};
  p.inject(propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, trace.getSpanContext(ctx) ?? trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }).spanContext()), propagation.createBaggage({ k: { value: 'v' } })), out, defaultTextMapSetter);
  return { parent: trace.getSpanContext(ctx)?.spanId, baggage: propagation.getBaggage(ctx)?.getEntry('tenant')?.value, sent: Object.keys(out).sort() };
}

describe('W3CPropagator(monitor) and OTEL_PROPAGATORS (ENV-16)', () => {
  it('tracecontext alone, baggage alone, none', () => {
    expect(roundTrip('tracecontext,baggage')).toEqual({ parent: 'b7ad6b7169203331', baggage: 'acme', sent: ['baggage', 'traceparent'] });
    expect(roundTrip('tracecontext')).toEqual({ parent: 'b7ad6b7169203331', baggage: undefined, sent: ['traceparent'] });
    expect(roundTrip('baggage')).toEqual({ parent: undefined, baggage: 'acme', sent: ['baggage'] });
    expect(roundTrip('none')).toEqual({ parent: undefined, baggage: undefined, sent: [] });
  });

  it('fields() lists only the headers of the propagators in use', () => {
    const fields = (OTEL_PROPAGATORS: string) => new W3CPropagator(createTestMonitor(configFromEnv({ OTEL_PROPAGATORS })).monitor).fields();
    expect(fields('tracecontext,baggage')).toEqual(['traceparent', 'tracestate', 'baggage']);
    expect(fields('tracecontext')).toEqual(['traceparent', 'tracestate']);
    expect(fields('baggage')).toEqual(['baggage']);
    expect(fields('none')).toEqual([]);
    expect(new W3CPropagator().fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it("injectContext given a monitor's span through @opentelemetry/api (trace.getActiveSpan()) follows that monitor's propagators", () => {
    const { monitor } = createTestMonitor(configFromEnv({ OTEL_PROPAGATORS: 'baggage' }));
    const span = monitor.tracer.startSpan('s', { parent: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1, isRemote: true, baggage: { k: { value: 'v' } } } as never });
    const own = injectContext({}, span);
    expect(own).toEqual({ baggage: 'k=v' });
    expect(injectContext({}, new BridgedSpan(span) as never)).toEqual(own);
  });

  it('a baggage header left out by the propagators counts no dropped members', () => {
    for (const propagators of [['tracecontext'], ['tracecontext', 'baggage']] as const) {
      const seen: string[] = [];
      const { monitor } = createTestMonitor({ propagators, onDiagnostic: (d) => void seen.push(d.message) });
      new W3CPropagator(monitor).extract(ROOT_CONTEXT, { ...carrier, baggage: 'ok=1,=bad' }, defaultTextMapGetter);
      new W3CPropagator(monitor).extract(ROOT_CONTEXT, { baggage: 'ok=1,=bad' }, defaultTextMapGetter);
      expect(seen.some((m) => m.includes('baggage'))).toBe(propagators.length === 2);
    }
  });
});
