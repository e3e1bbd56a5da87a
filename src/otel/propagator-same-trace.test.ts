/**
 * `propagation.extract(context.active(), carrier)` with a carrier of the active trace: only the
 * request's own incoming traceparent (already the server span's parent) keeps the local span; a
 * header injected later in the same trace (a message published and consumed in one request) is
 * the parent the consumer continues, with its tracestate, as the SDK's W3CTraceContextPropagator
 * gives it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { handleRequest } from '../http/handle-request.js';
import { getActiveSpan, setContextStorage, type Monitor } from '../index.js';
import { createTestMonitor, type MemoryBackend } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

let monitor: Monitor;
let memory: MemoryBackend;

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});
beforeEach(() => {
  ({ monitor, memory } = createTestMonitor());
  expect(registerOpenTelemetry(monitor)).toBe(true);
});
afterEach(() => {
  unregisterOpenTelemetry();
});

it('extract of a message published earlier in the same trace continues the message, with its tracestate', async () => {
  const tracer = trace.getTracer('queue-lib');
  const headers: Record<string, string> = {};
  tracer.startActiveSpan('handle request', (root) => {
    tracer.startActiveSpan('publish', { kind: SpanKind.PRODUCER }, (p) => {
      propagation.inject(context.active(), headers);
      p.end();
    });
    headers.tracestate = 'vendor=abc';
    const extracted = propagation.extract(context.active(), headers);
    const c = trace.getSpanContext(extracted)!;
    expect(c.spanId).toBe(headers.traceparent.split('-')[2]);
    expect(c.isRemote).toBe(true);
    expect(c.traceState?.get('vendor')).toBe('abc');
    tracer.startSpan('process', { kind: SpanKind.CONSUMER }, extracted).end();
    root.end();
  });
  await monitor.flush();
  const byName = Object.fromEntries(memory.spans.map((s) => [s.name, s]));
  expect(byName.process!.parentSpanId).toBe(byName.publish!.spanId);
  expect(byName.process!.traceState).toBe('vendor=abc');
});

it("the request's own incoming traceparent, extracted again below a span nested in the server span, keeps the local span", async () => {
  const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
  let server: unknown;
  await handleRequest(monitor, new Request('http://x.test/a', { headers }), () => {
    server = getActiveSpan();
    return trace.getTracer('mw').startActiveSpan('middleware', (mw) => {
      const again = propagation.extract(context.active(), headers);
      expect(trace.getSpan(again)).toBe(mw);
      mw.end();
      return new Response('ok');
    });
  });
  expect((server as { parentSpanId?: string }).parentSpanId).toBe('00f067aa0ba902b7');
});
