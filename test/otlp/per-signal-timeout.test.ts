/**
 * ENV-01/ENV-04: each signal's timeout bounds that signal's request (retries included), as the
 * OpenTelemetry exporter spec has it (`OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT` overrides
 * `OTEL_EXPORTER_OTLP_TIMEOUT`), while the monitor's `flushTimeoutMs` still bounds the whole
 * export. A real local receiver holds the traces request; what it received, the ExportResult,
 * the diagnostics and the dropped counts say what happened, not tight wall-clock numbers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend, otlpOptionsFromEnv, type OtlpBackendOptions } from '../../src/exporters/otlp/index.js';
import { createMonitor } from '../../src/index.js';
import type { Diagnostic } from '../../src/model/batch.js';
import { batch } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';
import { ok, startReceiver, type Handler, type Receiver } from './helpers/receiver.js';

let rx: Receiver;
/** Receiver answers not yet sent when the test ended: sent at once so no socket is left open. */
const held = new Set<() => void>();
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());
afterEach(() => {
  for (const answer of held) answer();
  held.clear();
  rx.handler = ok;
});

/** Answers `signal` after `ms` (held for the test), every other signal at once; records when each answer left. */
function holding(signal: string, ms: number, answered: string[]): Handler {
  return (req, res, i) => {
    const answer = (): void => {
      if (!held.delete(answer)) return;
      answered.push(req.path);
      ok(req, res, i);
    };
    held.add(answer);
    if (req.path.endsWith(signal)) setTimeout(answer, ms);
    else answer();
  };
}

function backend(options: OtlpBackendOptions, diags: Diagnostic[]): OtlpBackend {
  return new OtlpBackend({ endpoint: rx.url, retry: { maxAttempts: 1 }, onDiagnostic: (d) => diags.push(d), ...options });
}

function paths(start: number): string[] {
  return rx.requests.slice(start).map((r) => r.path).sort();
}

describe('per-signal OTLP timeouts', () => {
  it('traces with a 200 ms timeout give up while metrics with 5 s succeed, though metrics answer after the traces deadline', async () => {
    const answered: string[] = [];
    // Metrics answer after 600 ms: past the traces' 200 ms, so one export-wide 200 ms budget
    // would have failed them too.
    rx.handler = (req, res, i) => (req.path.endsWith('metrics') ? setTimeout(() => (answered.push(req.path), ok(req, res, i)), 600) : holding('traces', 3000, answered)(req, res, i));
    const diags: Diagnostic[] = [];
    const start = rx.requests.length;
    const otlp = backend({ tracesTimeoutMs: 200, metricsTimeoutMs: 5000 }, diags);
    const result = await otlp.export(batch({ spans: true, metrics: true }));
    await otlp.shutdown();

    // Both requests reached the receiver; metrics were answered, traces were not (yet).
    expect(paths(start)).toEqual(['/v1/metrics', '/v1/traces']);
    expect(answered).toEqual(['/v1/metrics']);
    expect(decodeProto('metrics', rx.requests.slice(start).find((r) => r.path === '/v1/metrics')!.body).resourceMetrics).toHaveLength(1);
    // Only the traces are reported failed, as a timeout naming their own 200 ms.
    expect(result).toMatchObject({ ok: false, reason: 'export_timeout', rejected: { spans: 3 } });
    expect(result.ok === false && result.rejected?.dataPoints).toBeUndefined();
    expect(result.error).toBe(`traces to ${rx.url}/v1/traces: export timed out after 200 ms`);
    expect(diags.map((d) => [d.kind, (d.detail as { signal: string }).signal])).toEqual([['export_timeout', 'traces']]);
  });

  it('a per-signal timeout falls back to timeoutMs: logs bounded by timeoutMs 200, traces given 5 s', async () => {
    const answered: string[] = [];
    rx.handler = holding('logs', 3000, answered);
    const diags: Diagnostic[] = [];
    const start = rx.requests.length;
    const otlp = backend({ timeoutMs: 200, tracesTimeoutMs: 5000 }, diags);
    const result = await otlp.export(batch({ spans: true, logs: true }));
    await otlp.shutdown();
    expect(paths(start)).toEqual(['/v1/logs', '/v1/traces']);
    expect(answered).toEqual(['/v1/traces']);
    expect(result).toMatchObject({ ok: false, reason: 'export_timeout', error: `logs to ${rx.url}/v1/logs: export timed out after 200 ms` });
    expect(Object.keys((result as { rejected: object }).rejected)).toEqual(['logs']);
  });

  it('a per-signal timeout of 0 means no limit for that signal (ENV-04)', async () => {
    const answered: string[] = [];
    rx.handler = holding('traces', 500, answered);
    const otlp = backend({ timeoutMs: 100, tracesTimeoutMs: 0 }, []);
    const result = await otlp.export(batch({ spans: true }));
    expect(result).toEqual({ ok: true });
    expect(answered).toEqual(['/v1/traces']);
  });

  it('per-signal timeouts are validated like timeoutMs', () => {
    expect(() => new OtlpBackend({ tracesTimeoutMs: -1 })).toThrow(/"tracesTimeoutMs" must be a finite number ≥ 0/);
    expect(() => new OtlpBackend({ logsTimeoutMs: NaN })).toThrow(/"logsTimeoutMs"/);
    expect(() => new OtlpBackend({ metricsTimeoutMs: '5' as unknown as number })).toThrow(/"metricsTimeoutMs"/);
  });

  it('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT is applied, not reported: an OtlpBackend built from the environment behaves as above', async () => {
    const warnings: string[] = [];
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '200' };
    const options = otlpOptionsFromEnv(env, (m) => warnings.push(m));
    expect(options).toEqual({ endpoint: rx.url, timeoutMs: 5000, tracesTimeoutMs: 200 });
    expect(warnings).toEqual([]);

    const answered: string[] = [];
    rx.handler = (req, res, i) => (req.path.endsWith('metrics') ? setTimeout(() => (answered.push(req.path), ok(req, res, i)), 600) : holding('traces', 3000, answered)(req, res, i));
    const diags: Diagnostic[] = [];
    const otlp = new OtlpBackend({ ...options, retry: { maxAttempts: 1 }, onDiagnostic: (d) => diags.push(d) });
    const result = await otlp.export(batch({ spans: true, metrics: true }));
    await otlp.shutdown();
    expect(answered).toEqual(['/v1/metrics']);
    expect(result).toMatchObject({ ok: false, reason: 'export_timeout', error: `traces to ${rx.url}/v1/traces: export timed out after 200 ms`, rejected: { spans: 3 } });
  });

  it('every per-signal _TIMEOUT is read; a bad one is reported and ignored (ENV-04, ENV-13)', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv(
      { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '0', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: ' 2500 ', OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '-5' },
      (m) => warnings.push(m),
    );
    expect(o).toEqual({ tracesTimeoutMs: 0, metricsTimeoutMs: 2500 });
    expect(warnings).toEqual(['ignored OTEL_EXPORTER_OTLP_LOGS_TIMEOUT="-5": expected integer milliseconds ≥ 0']);
  });
});

describe('the monitor: per-signal outcomes counted, flushTimeoutMs bounding the whole export', () => {
  function dropped(monitor: ReturnType<typeof createMonitor>, reason: string): number {
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    return (m?.points ?? []).filter((p) => p.attributes.reason === reason).reduce((n, p) => n + ('value' in p ? p.value : 0), 0);
  }

  it('through createMonitor: the span is counted dropped as export_timeout, the metrics arrive', async () => {
    const answered: string[] = [];
    rx.handler = holding('traces', 3000, answered);
    const diags: Diagnostic[] = [];
    const start = rx.requests.length;
    const otlp = backend({ tracesTimeoutMs: 200, metricsTimeoutMs: 5000 }, []);
    const monitor = createMonitor({ serviceName: 'timeouts', backends: [otlp], onDiagnostic: (d) => diags.push(d), flushTimeoutMs: 10_000 });
    monitor.tracer.startSpan('slow-collector').end();
    monitor.metrics.createCounter('jobs_total', 'Jobs').increment(2);
    const r = await monitor.flush();
    expect(r.backends).toEqual([expect.objectContaining({ name: 'otlp', ok: false, reason: 'export_timeout' })]);
    expect(answered).toEqual(['/v1/metrics']);
    const metrics = decodeProto('metrics', rx.requests.slice(start).find((q) => q.path === '/v1/metrics')!.body);
    expect(metrics.resourceMetrics[0].scopeMetrics[0].metrics.map((m: { name: string }) => m.name)).toContain('jobs_total');
    expect(dropped(monitor, 'export_timeout')).toBe(1); // the one span, not the data points
    await monitor.shutdown();
  });

  it("flushTimeoutMs still bounds the whole export: a 300 ms flush deadline ends the flush before a 5 s per-signal timeout", async () => {
    const answered: string[] = [];
    rx.handler = holding('traces', 3000, answered);
    const start = rx.requests.length;
    const otlp = backend({ timeoutMs: 5000, tracesTimeoutMs: 5000 }, []);
    const monitor = createMonitor({ serviceName: 'timeouts', backends: [otlp], onDiagnostic: () => undefined, flushTimeoutMs: 300 });
    monitor.tracer.startSpan('held').end();
    const r = await monitor.flush();
    // The flush ended on the monitor's deadline while the receiver still held the request.
    expect(paths(start)).toEqual(['/v1/traces']);
    expect(answered).toEqual([]);
    expect(r.backends).toEqual([expect.objectContaining({ ok: false, reason: 'export_timeout', error: 'no answer within 300 ms' })]);
    expect(dropped(monitor, 'export_timeout')).toBe(1);
    for (const answer of held) answer();
    await monitor.shutdown();
  });
});
