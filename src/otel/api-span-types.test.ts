/**
 * `injectContext` and `startSpan({ parent })` take an `@opentelemetry/api` span or span context
 * (its tracestate a TraceState object) as the README says, without a cast: this file is
 * type-checked by `tsc -p tsconfig.test.json` (npm run typecheck), and the calls work at runtime.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { propagation, ROOT_CONTEXT, trace, type Span as ApiSpan, type SpanContext as ApiSpanContext } from '@opentelemetry/api';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { injectContext, setContextStorage } from '../index.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

beforeAll(() => setContextStorage(AsyncLocalStorage));
afterEach(() => unregisterOpenTelemetry());

it('an API span and an API span context serve as the span to inject and as a parent', () => {
  const { monitor } = createTestMonitor();
  expect(registerOpenTelemetry(monitor)).toBe(true);
  const remote = propagation.extract(ROOT_CONTEXT, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'v=1' });
  const apiSpan: ApiSpan = trace.getTracer('lib').startSpan('a', {}, remote);
  const ctx: ApiSpanContext = apiSpan.spanContext();
  const maybe: ApiSpan | undefined = trace.getActiveSpan();

  const headers: Record<string, string> = {};
  injectContext(headers, apiSpan);
  expect(headers.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${ctx.spanId}-01`);
  expect(headers.tracestate).toBe('v=1');
  const fromContext = injectContext(new Headers(), ctx);
  expect(fromContext.get('traceparent')).toBe(headers.traceparent);
  injectContext({}, maybe);

  const child = monitor.tracer.startSpan('child', { parent: apiSpan });
  const child2 = monitor.tracer.startSpan('child2', { parent: ctx });
  monitor.tracer.startSpan('child3', { parent: maybe }).end();
  for (const c of [child, child2]) {
    expect(c.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(c.spanContext().traceState).toBe('v=1');
    c.end();
  }
  apiSpan.end();
});

it("an API span context serves as a link's context, its TraceState object sent as text", async () => {
  const { monitor, memory } = createTestMonitor();
  expect(registerOpenTelemetry(monitor)).toBe(true);
  const remote = propagation.extract(ROOT_CONTEXT, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'v=1' });
  const ctx: ApiSpanContext = trace.getSpanContext(remote)!;
  monitor.tracer.startSpan('linked', { links: [{ context: ctx, attributes: { why: 'batch' } }] }).end();
  const s = monitor.tracer.startSpan('linked-later');
  s.addLink({ context: ctx });
  s.end();
  await monitor.flush();
  for (const span of memory.spans) expect(span.links).toMatchObject([{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceState: 'v=1' }]);
});
