/**
 * One export sends each signal in its own request, and each can fail for its own reason: traces
 * rejected with a 400, logs lost to a network error, metrics refused as too large, a timeout. The
 * items each signal lost are reported under that signal's reason (`byReason`), not all under the
 * first failure's. A real local receiver answers differently per path.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend, type OtlpBackendOptions } from '../../src/exporters/otlp/index.js';
import type { Diagnostic } from '../../src/model/batch.js';
import { batch, logs, metrics } from './helpers/fixtures.js';
import { ok, startReceiver, type Handler, type Receiver } from './helpers/receiver.js';
import { countDataPoints } from '../../src/exporters/otlp/metric-shape.js';

let rx: Receiver;
/** Answers held back (a timeout): sent after the test so no socket is left open. */
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

type Answer = number | 'network' | 'hold';

/** Answers each signal's path as given: a status, a dropped connection, or no answer (yet). */
function perPath(answers: Partial<Record<'traces' | 'metrics' | 'logs', Answer>>): Handler {
  return (req, res, i) => {
    const signal = /\/v1\/(traces|metrics|logs)$/.exec(req.path)?.[1] as 'traces' | 'metrics' | 'logs';
    const a = answers[signal] ?? 200;
    if (a === 'network') return void res.socket?.destroy();
    if (a === 'hold') {
      const answer = (): void => void (held.delete(answer) && ok(req, res, i));
      return void held.add(answer);
    }
    if (a === 200) return ok(req, res, i);
    res.writeHead(a, { 'content-type': 'application/json' }).end(`{"code":3,"message":"${signal} refused"}`);
  };
}

function backend(options: OtlpBackendOptions, diags: Diagnostic[] = []): OtlpBackend {
  return new OtlpBackend({ endpoint: rx.url, retry: { maxAttempts: 1 }, onDiagnostic: (d) => diags.push(d), ...options });
}

const LOGS = logs().length;
const SPANS = 3;
// The library's own drop counter is kept for the next export on any failure (see OtlpBackend).
const POINTS = countDataPoints(metrics('delta'));

describe('each signal of one export counted under its own reason', () => {
  it('traces 400, logs network error, metrics 413: export_rejected, export_failed, export_too_large', async () => {
    rx.handler = perPath({ traces: 400, logs: 'network', metrics: 413 });
    const diags: Diagnostic[] = [];
    const b = backend({}, diags);
    const result = await b.export(batch({ spans: true, logs: true, metrics: 'delta' }));
    await b.shutdown();
    expect(result).toMatchObject({ ok: false, rejected: { spans: SPANS, logs: LOGS, dataPoints: POINTS } });
    expect(result.byReason).toEqual({ export_rejected: SPANS, export_failed: LOGS, export_too_large: POINTS });
    // `reason` stays the first failure's, for a reader of one reason.
    expect(result.reason).toBe('export_rejected');
    expect(diags.map((d) => [d.kind, (d.detail as { signal: string }).signal]).sort()).toEqual([
      ['export_failed', 'logs'],
      ['export_rejected', 'traces'],
      ['export_too_large', 'metrics'],
    ]);
  });

  it('traces 413, logs timed out: export_too_large and export_timeout', async () => {
    rx.handler = perPath({ traces: 413, logs: 'hold' });
    const b = backend({ logsTimeoutMs: 200, tracesTimeoutMs: 5000 });
    const result = await b.export(batch({ spans: true, logs: true }));
    await b.shutdown();
    expect(result).toMatchObject({ ok: false, reason: 'export_too_large', rejected: { spans: SPANS, logs: LOGS } });
    expect(result.byReason).toEqual({ export_too_large: SPANS, export_timeout: LOGS });
  });

  it('one reason only: no byReason, the result as before', async () => {
    rx.handler = perPath({ traces: 400, logs: 400 });
    const b = backend({});
    const result = await b.export(batch({ spans: true, logs: true }));
    await b.shutdown();
    expect(result).toEqual({ ok: false, reason: 'export_rejected', error: expect.any(String), rejected: { spans: SPANS, logs: LOGS } });
  });
});

describe('the monitor counts each reason', () => {
  it('traces 400 and logs lost to a network error: the span under export_rejected, the log under export_failed', async () => {
    const { createMonitor } = await import('../../src/index.js');
    rx.handler = perPath({ traces: 400, logs: 'network' });
    const diags: Diagnostic[] = [];
    const monitor = createMonitor({ serviceName: 'reasons', backends: [backend({ signals: ['traces', 'logs'] })], onDiagnostic: (d) => diags.push(d) });
    monitor.tracer.startSpan('work').end();
    monitor.logger.info('one');
    monitor.logger.info('two');
    const r = await monitor.flush();
    expect(r.backends).toEqual([expect.objectContaining({ ok: false, reason: 'export_rejected' })]);
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    const by = Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason, 'value' in p ? p.value : 0]));
    expect(by).toEqual({ export_rejected: 1, export_failed: 2 });
    expect(diags.map((d) => d.kind).sort()).toEqual(['export_failed', 'export_rejected']);
    await monitor.shutdown();
  });
});
