/**
 * registerOpenTelemetry(monitor, { logs }): registration with an existing global, unregister,
 * loggers taken at load, logging.level, misuse counted, and the OTLP export of a bridged record
 * inside a request scope (decoded by protobufjs from the official .proto files).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { createMonitor, setContextStorage, type Diagnostic, type Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';

// As a log transport does: its logger taken once, at load (a ProxyLogger until a provider is set).
const early = logs.getLogger('transport', '1.0.0');

beforeAll(() => setContextStorage(AsyncLocalStorage));
afterEach(() => {
  unregisterOpenTelemetry();
  logs.disable();
});

const dropped = (monitor: Monitor, reason: string) =>
  monitor.metrics
    .collect({ temporality: 'cumulative' })
    .metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')
    ?.points.filter((p) => p.attributes.reason === reason)
    .reduce((n, p) => n + (p as { value: number }).value, 0) ?? 0;

describe('registerOpenTelemetry(monitor, { logs })', () => {
  it('serves api-logs only when asked, and unregister gives the global back', async () => {
    const { monitor, memory } = createTestMonitor();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    logs.getLogger('x').emit({ body: 'not served' });
    unregisterOpenTelemetry();

    expect(registerOpenTelemetry(monitor, { logs })).toBe(true);
    logs.getLogger('x').emit({ body: 'served' });
    await monitor.flush();
    expect(memory.logs.map((l) => l.body)).toEqual(['served']);
    unregisterOpenTelemetry();
    expect(logs.getLoggerProvider().constructor.name).toBe('ProxyLoggerProvider');
  });

  it('leaves another provider in place with a diagnostic, and replaces it with override', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const sdk = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    logs.setGlobalLoggerProvider(sdk);
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => void seen.push(d) });
    expect(registerOpenTelemetry(monitor, { logs })).toBe(false);
    expect(seen.find((d) => d.kind === 'otel')?.detail).toMatchObject({ registered: ['logs'] });
    // Says what to change: the rest is not registered either, and leaving out { logs } would.
    expect(seen.find((d) => d.kind === 'otel')?.message).toMatch(/^@opentelemetry\/api-logs already has a global logs provider .* registered nothing: .*\. Pass \{ override: true \} to replace it, or leave out \{ logs \} to keep it\.$/);
    expect(logs.getLoggerProvider()).toBe(sdk);

    expect(registerOpenTelemetry(monitor, { logs, override: true })).toBe(true);
    expect(seen.at(-1)?.detail).toEqual({ replaced: ['logs'] });
    logs.getLogger('x').emit({ body: 'to the monitor' });
    await monitor.flush();
    expect(memory.logs.map((l) => l.body)).toEqual(['to the monitor']);
    expect(exporter.getFinishedLogRecords()).toHaveLength(0);
  });

  it("refuses a wrong logs object (api-logs' module, not its logs) before setting any global, saying what to pass", async () => {
    const seen: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => void seen.push(d.message) });
    const module = { logs, SeverityNumber };
    expect(registerOpenTelemetry(monitor, { logs: module as never })).toBe(false);
    expect(seen).toEqual(["registerOpenTelemetry() failed: `logs` must be @opentelemetry/api-logs' logs object: import { logs } from '@opentelemetry/api-logs'"]);
    // Nothing was left set: the call as meant registers (it was refused as another SDK's providers).
    expect(trace.getTracerProvider().constructor.name).toBe('ProxyTracerProvider');
    expect((trace.getTracerProvider() as unknown as { getDelegate(): object }).getDelegate().constructor.name).toBe('NoopTracerProvider');
    expect(registerOpenTelemetry(monitor, { logs })).toBe(true);
  });

  it('a logger taken at load follows the latest registration', async () => {
    const first = createTestMonitor();
    expect(registerOpenTelemetry(first.monitor, { logs })).toBe(true);
    early.emit({ body: 'one' });
    unregisterOpenTelemetry();
    const { monitor, memory } = createTestMonitor();
    expect(registerOpenTelemetry(monitor, { logs })).toBe(true);
    early.emit({ body: 'two' });
    await Promise.all([first.monitor.flush(), monitor.flush()]);
    expect(first.memory.logs.map((l) => l.body)).toEqual(['one']);
    expect(memory.logs.map((l) => [l.body, l.instrumentationScope])).toEqual([['two', { name: 'transport', version: '1.0.0' }]]);
  });

  it('keeps logging.level: records below it are not kept, and enabled() says so', async () => {
    const { monitor, memory } = createTestMonitor({ logging: { level: 'warn' } });
    expect(registerOpenTelemetry(monitor, { logs })).toBe(true);
    const l = logs.getLogger('x');
    expect(l.enabled({ severityNumber: SeverityNumber.INFO4 })).toBe(false);
    expect(l.enabled({ severityNumber: SeverityNumber.WARN })).toBe(true);
    for (const n of [SeverityNumber.DEBUG, SeverityNumber.INFO4, SeverityNumber.WARN, SeverityNumber.FATAL4, SeverityNumber.UNSPECIFIED]) l.emit({ severityNumber: n, body: `n${n}` });
    await monitor.flush();
    expect(memory.logs.map((l) => l.body)).toEqual(['n13', 'n24', 'n0']);
  });

  it('counts misuse: a severity outside 0–24, a record that throws when read, records after shutdown', async () => {
    const { monitor, memory } = createTestMonitor();
    expect(registerOpenTelemetry(monitor, { logs })).toBe(true);
    const l = logs.getLogger('x');
    l.emit({ severityNumber: 99 as SeverityNumber, body: 'odd severity' });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => l.emit(proxy)).not.toThrow();
    expect(() => l.emit({ body: 'getter', attributes: Object.defineProperty({}, 'k', { enumerable: true, get: () => { throw new Error('no'); } }) })).not.toThrow();
    // enabled() never throws either: options that throw when read are answered as none given.
    expect(l.enabled(proxy)).toBe(true);
    // A context that is not an API Context: the record is kept under the active one, and counted.
    l.emit({ body: 'odd context', context: {} as never });
    await monitor.flush();
    expect(memory.logs.map((r) => [r.body, r.severityNumber])).toEqual([['odd severity', 0], ['getter', 0], ['odd context', 0]]);
    expect(dropped(monitor, 'invalid_value')).toBe(1);
    expect(dropped(monitor, 'invalid_attribute')).toBe(3);
    expect(dropped(monitor, 'internal_error')).toBe(0);
    await monitor.shutdown();
    expect(l.enabled()).toBe(false);
    l.emit({ body: 'late' });
    expect(dropped(monitor, 'after_shutdown')).toBe(1);
  });
});

describe('OTLP export of a bridged record', () => {
  it('leaves with its request scope, with the request span trace id, its scope and redacted attributes', async () => {
    const bodies: { url: string; body: Uint8Array }[] = [];
    const fetch = async (url: string | URL | Request, init?: RequestInit) => {
      bodies.push({ url: String(url), body: init!.body as Uint8Array });
      return new Response(null, { status: 200 });
    };
    const monitor = createMonitor({ serviceName: 'orders', onDiagnostic: () => {}, backends: [new OtlpBackend({ endpoint: 'http://collector:4318', fetch })] });
    expect(registerOpenTelemetry(monitor, { logs, metrics: false })).toBe(true);
    const scope = monitor.openScope({ name: 'req' });
    let traceId = '';
    let spanId = '';
    scope.run(() =>
      monitor.tracer.startActiveSpan('GET /orders', (request) => {
        trace.getTracer('db').startActiveSpan('query', (q) => q.end());
        traceId = request.spanContext().traceId;
        spanId = request.spanContext().spanId;
        logs.getLogger('winston', '3.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }).emit({
          severityNumber: SeverityNumber.WARN2,
          severityText: 'warning',
          body: 'stock low',
          timestamp: 1_700_000_000_123,
          attributes: { sku: 'A1', left: 2, token: 'abc' },
        });
        request.end();
      }),
    );
    expect(bodies).toHaveLength(0);
    await scope.close();
    const sent = bodies.find((b) => b.url.endsWith('/v1/logs'));
    expect(sent).toBeDefined();
    const decoded = decodeProto('logs', sent!.body);
    const scopeLogs = decoded.resourceLogs[0].scopeLogs;
    const winston = scopeLogs.find((s: any) => s.scope.name === 'winston');
    expect(winston.scope).toEqual({ name: 'winston', version: '3.0.0' });
    expect(winston.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    const [r] = winston.logRecords;
    // Observed at emit() (sdk-logs does the same when no observedTimestamp is given).
    expect(BigInt(r.observedTimeUnixNano)).toBeGreaterThan(BigInt(r.timeUnixNano));
    expect(r).toMatchObject({
      timeUnixNano: '1700000000123000000',
      severityNumber: SeverityNumber.WARN2,
      severityText: 'warning',
      body: { stringValue: 'stock low' },
      traceId,
      spanId,
      flags: 1,
    });
    expect(r.attributes).toEqual([
      { key: 'sku', value: { stringValue: 'A1' } },
      { key: 'left', value: { intValue: '2' } },
      { key: 'token', value: { stringValue: '[REDACTED]' } },
    ]);
    await monitor.shutdown();
  });
});
