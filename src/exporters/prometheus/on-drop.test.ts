import { describe, expect, it } from 'vitest';
import { unhandledRejections } from '../../../test/helpers/unhandled-rejections.js';
import type { Diagnostic } from '../../model/batch.js';
import { createTestMonitor } from '../../testing/index.js';
import { metricsHandler } from './handler.js';
import { PrometheusBackend } from './backend.js';
import { renderPrometheus } from './render-prometheus.js';
import { VERSION } from '../../version.js';

/** The scope labels every series carries by default (MET-13). */
const S = `otel_scope_name="@lexigram/monitor",otel_scope_version="${VERSION}"`;

// `onDrop` is a user callback: one that throws or rejects must not turn every scrape into a 500
// (the metric left out is counted already; the callback's failure is reported once).
function clashing() {
  const seen: Diagnostic[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
  monitor.metrics.createCounter('x', 'x').increment(1);
  monitor.metrics.createGauge('x_total', 'clashes with x').set(1);
  const rejected = (): number | undefined => {
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    return m?.type === 'counter' ? m.points.find((p) => p.attributes.reason === 'export_rejected')?.value : undefined;
  };
  return { monitor, seen, rejected };
}

const throwing = () => {
  throw new Error('user bug');
};
const rejecting = async () => {
  throw new Error('async user bug');
};

const unhandled = unhandledRejections();
/** Lets a rejection reach Node's unhandled-rejection check. */
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('an onDrop that throws or rejects never breaks a scrape', () => {
  it('metricsHandler: 200 with the exposition, the drop counted every scrape, the failure reported once', async () => {
    const { monitor, seen, rejected } = clashing();
    const handler = metricsHandler(monitor, { onDrop: throwing });
    for (let i = 0; i < 2; i++) {
      const res = (await handler(new Request('http://x/metrics')))!;
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`x_total{${S}} 1\n`);
    }
    expect(rejected()).toBe(2);
    expect(seen.filter((d) => d.message.includes('onDrop')).map((d) => d.message)).toEqual([
      'the onDrop option threw (user bug); the metric left out is still counted',
    ]);
  });

  it('an async onDrop that rejects: 200, reported, nothing left unhandled', async () => {
    const { monitor, seen } = clashing();
    const res = (await metricsHandler(monitor, { onDrop: rejecting })(new Request('http://x/metrics')))!;
    expect(res.status).toBe(200);
    await settle();
    expect(unhandled).toEqual([]);
    expect(seen.some((d) => d.message.includes('the onDrop option threw (async user bug)'))).toBe(true);
  });

  it('PrometheusBackend (handler and render) and renderPrometheus', async () => {
    const { monitor, rejected } = clashing();
    const backend = new PrometheusBackend({ onDrop: throwing });
    expect((await backend.handler(monitor)(new Request('http://x/metrics')))!.status).toBe(200);
    expect(backend.render(monitor)).toContain(`x_total{${S}} 1\n`);
    expect(renderPrometheus(monitor, { onDrop: throwing })).toContain(`x_total{${S}} 1\n`);
    // A plain source, without diagnostics, renders too.
    expect(renderPrometheus({ metrics: monitor.metrics }, { onDrop: throwing })).toContain('\nx_total 1\n');
    expect(rejected()).toBe(3);
  });
});

describe('metricsHandler configuration errors say what to change', () => {
  it('an onDrop that is not a function throws at construction', () => {
    const { monitor } = createTestMonitor();
    expect(() => metricsHandler(monitor, { onDrop: 'log' as never })).toThrow('metricsHandler option "onDrop" must be a function (dropped) => void, or left out, got "log"');
    expect(() => new PrometheusBackend({ onDrop: {} as never })).toThrow(/option "onDrop" must be a function.*got an object/);
  });

  it('a first argument that is not a monitor throws naming it, not a bare TypeError', () => {
    expect(() => metricsHandler({} as never)).toThrow('metricsHandler: the first argument must be the monitor (or an object with metrics.collect()), got an object');
    expect(() => metricsHandler(undefined as never)).toThrow(/first argument must be the monitor.*got undefined/);
    expect(() => new PrometheusBackend().handler({} as never)).toThrow(/first argument must be the monitor/);
  });
});
