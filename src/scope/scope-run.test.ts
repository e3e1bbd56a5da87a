import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { contextStorage, getActiveScope, getActiveSpan } from '../context/active.js';
import { handleRequest } from '../http/handle-request.js';
import type { Scope } from './scope.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('scope.run(fn): the span that is current in the scope', () => {
  it('called inside the scope (getActiveScope().run(fn) under a span) keeps that span: logs get its ids, new spans are its children', async () => {
    expect(contextStorage().kind).toBe('async-local-storage');
    const { monitor, memory } = createTestMonitor();
    const scope = monitor.openScope({ name: 'job' });
    let jobId = '';
    let traceId = '';
    await scope.run(() =>
      monitor.tracer.startActiveSpan('job', async (job) => {
        jobId = job.spanContext().spanId;
        traceId = job.spanContext().traceId;
        await getActiveScope()!.run(async () => {
          expect(getActiveSpan()).toBe(job);
          monitor.logger.info('step');
          monitor.tracer.startSpan('step').end();
        });
      }),
    );
    await scope.close();
    const step = memory.spans.find((s) => s.name === 'step')!;
    expect(step.parentSpanId).toBe(jobId);
    expect(step.traceId).toBe(traceId);
    const log = memory.logs.find((l) => l.body === 'step')!;
    expect(log.traceId).toBe(traceId);
    expect(log.spanId).toBe(jobId);
    await monitor.shutdown();
  });

  it("called outside any context (a callback that lost it) makes the request's SERVER span current, with its baggage", async () => {
    const { monitor, memory } = createTestMonitor();
    let scope: Scope | undefined;
    const request = new Request('https://example.com/orders', { headers: { traceparent: TRACEPARENT, baggage: 'tenant=t1' } });
    await handleRequest(monitor, request, (_req, t) => {
      scope = t.scope;
      return new Response('ok');
    });
    const server = scope!.serverSpan!;
    expect(getActiveSpan()).toBeUndefined();
    scope!.run(() => {
      expect(getActiveSpan()).toBe(server);
      expect(contextStorage().get()?.baggage?.tenant?.value).toBe('t1');
      monitor.logger.info('later');
      monitor.tracer.startSpan('later').end();
    });
    await monitor.flush();
    const later = memory.spans.find((s) => s.name === 'later')!;
    expect(later.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(later.parentSpanId).toBe(server.spanContext().spanId);
    const log = memory.logs.find((l) => l.body === 'later')!;
    expect(log.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(log.spanId).toBe(server.spanContext().spanId);
    await monitor.shutdown();
  });

  it('a scope with no span of its own (openScope) makes no span current; one of another scope is not kept', async () => {
    const { monitor, memory } = createTestMonitor();
    const scope = monitor.openScope({ name: 'job' });
    const other = monitor.openScope({ name: 'other' });
    scope.run(() => {
      expect(getActiveSpan()).toBeUndefined();
      monitor.tracer.startSpan('root').end();
    });
    other.run(() =>
      monitor.tracer.startActiveSpan('elsewhere', () =>
        scope.run(() => {
          expect(getActiveScope()).toBe(scope);
          expect(getActiveSpan()).toBeUndefined();
          monitor.tracer.startSpan('own-root').end();
        }),
      ),
    );
    await scope.close();
    await other.close();
    expect(memory.spans.find((s) => s.name === 'root')!.parentSpanId).toBeUndefined();
    expect(memory.spans.find((s) => s.name === 'own-root')!.parentSpanId).toBeUndefined();
    expect(scope.spans.map((s) => s.name)).toEqual(['root', 'own-root']);
    await monitor.shutdown();
  });
});
