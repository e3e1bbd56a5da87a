/**
 * The monitor's own exports run under suppressTracing, as the SDK's exporters do: an HTTP client
 * instrumented through @opentelemetry/api (instrumentation-undici, instrumentation-http) that
 * traces every fetch otherwise traces the export's own POST, whose span is exported by the next
 * export, traced again, and so on without end (one span per export, even with no traffic).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, setContextStorage, type Backend, type TelemetryBatch } from '../../src/index.js';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

const spanNames = (body: unknown): string[] =>
  ((body as { resourceSpans?: { scopeSpans: { spans: { name: string }[] }[] }[] }).resourceSpans ?? []).flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));

describe("the monitor's exports under an API-instrumented fetch", () => {
  it('are not traced: no export loop, as the SDK exporters run under suppressTracing', async () => {
    const bodies: unknown[] = [];
    const collector = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const body = init?.body;
      if (String(url).endsWith('/v1/traces')) bodies.push(JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body as Uint8Array)));
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    // What @opentelemetry/instrumentation-undici does for each request, in the caller's context.
    const instrumented = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (isTracingSuppressed(context.active())) return collector(url, init);
      const span = trace.getTracer('undici').startSpan('POST', { kind: SpanKind.CLIENT });
      try {
        return await collector(url, init);
      } finally {
        span.end();
      }
    };
    const monitor = createMonitor({
      serviceName: 'svc',
      backends: [new OtlpBackend({ endpoint: 'http://collector:4318', protocol: 'http/json', compression: 'none', fetch: instrumented })],
    });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    const scope = monitor.openScope({ name: 'req' });
    await scope.run(() => monitor.tracer.startActiveSpan('handler', () => undefined));
    await scope.close();
    for (let i = 0; i < 3; i++) await monitor.flush();
    expect(bodies.map(spanNames)).toEqual([['handler']]);
    // an app's own fetch outside the export is still traced
    await instrumented('http://elsewhere/', {});
    await monitor.flush();
    expect(bodies.map(spanNames)).toEqual([['handler'], ['POST']]);
    await monitor.shutdown();
  });

  it('the export keeps its backend as `this`; unregisterOpenTelemetry() puts the export method back', async () => {
    const seen: { self: unknown; suppressed: boolean }[] = [];
    class Probe implements Backend {
      readonly name = 'probe';
      export(_batch: TelemetryBatch) {
        seen.push({ self: this, suppressed: isTracingSuppressed(context.active()) });
        return Promise.resolve({ ok: true });
      }
      async forceFlush() {}
      async shutdown() {}
    }
    const probe = new Probe();
    const monitor = createMonitor({ serviceName: 'svc', backends: [probe] });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    monitor.tracer.startSpan('a').end();
    await monitor.flush();
    expect(seen).toEqual([{ self: probe, suppressed: true }]);
    unregisterOpenTelemetry();
    expect(Object.prototype.hasOwnProperty.call(probe, 'export')).toBe(false);
    await monitor.shutdown();
  });
});
