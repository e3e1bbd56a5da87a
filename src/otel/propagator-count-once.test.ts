/**
 * Incoming headers read twice in one request (by the runtime adapter, then by OpenTelemetry
 * instrumentation through the registered propagator, as `@hono/otel` does, or by a sub-app
 * served nested with the same request) have their invalid tracestate and baggage members
 * counted once: every drop is counted, but once.
 */
import { context, defaultTextMapGetter, propagation } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { handleRequest } from '../http/handle-request.js';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => unregisterOpenTelemetry());

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function invalidValues(monitor: Monitor): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return (m?.points ?? []).filter((p) => p.attributes.reason === 'invalid_value').reduce((n, p) => n + (p as { value: number }).value, 0);
}

/** What `@hono/otel` does first in a request: extract the request's headers again, as a plain object. */
function extractAgain(request: Request): void {
  propagation.extract(context.active(), Object.fromEntries(request.headers), defaultTextMapGetter);
}

async function serve(monitor: Monitor, headers: Record<string, string>, inside: (request: Request) => void | Promise<unknown>): Promise<void> {
  await handleRequest(monitor, new Request('https://edge.example/x', { headers }), async (request) => {
    await inside(request);
    return new Response('ok');
  });
}

describe('invalid incoming tracestate and baggage are counted once per request', () => {
  it('with a traceparent: a discarded tracestate (1) and two left-out baggage members (2) make 3, however often the headers are read', async () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    await serve(monitor, { traceparent: TP, tracestate: 'a=1,a=2', baggage: 'ok=1,broken,b d=2' }, (request) => {
      extractAgain(request);
      extractAgain(request);
    });
    expect(invalidValues(monitor)).toBe(3);
  });

  it('baggage without a traceparent: its left-out member counted once', async () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    await serve(monitor, { baggage: 'ok=1,broken' }, extractAgain);
    expect(invalidValues(monitor)).toBe(1);
  });

  it('a sub-app served nested with the same request, extracting again too: counted once', async () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    await serve(monitor, { traceparent: TP, baggage: 'ok=1,broken' }, (request) =>
      handleRequest(monitor, request, (r) => {
        extractAgain(r);
        return new Response('sub');
      }),
    );
    expect(invalidValues(monitor)).toBe(1);
  });

  it('other headers read inside the request (another trace, other baggage) and the next request with the same headers are counted', async () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    const headers = { traceparent: TP, baggage: 'ok=1,broken' };
    await serve(monitor, headers, () => {
      propagation.extract(context.active(), { traceparent: '00-11111111111111111111111111111111-2222222222222222-01', baggage: 'x=1,bad' }, defaultTextMapGetter);
      propagation.extract(context.active(), { baggage: 'x=1,bad' }, defaultTextMapGetter);
    });
    expect(invalidValues(monitor)).toBe(3);
    await serve(monitor, headers, extractAgain);
    expect(invalidValues(monitor)).toBe(4);
    // Outside any request: counted each time.
    extractAgain(new Request('https://edge.example/x', { headers }));
    expect(invalidValues(monitor)).toBe(5);
  });
});
