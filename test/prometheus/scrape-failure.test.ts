/**
 * A scrape answered 500 is a scrape lost: the scraper gets no detail, the operator does, through
 * the monitor's diagnostics (`export_failed`, counted per failed scrape, reported once per cause).
 */
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { metricsHandler, type MetricsSource } from '../../src/exporters/prometheus/index.js';
import type { Diagnostic } from '../../src/model/batch.js';
import { SCOPE_LABELS as S } from './fixtures.js';

const req = () => new Request('http://localhost/metrics');

function failing(): { source: MetricsSource; counted: string[]; reported: [string, string][] } {
  const counted: string[] = [];
  const reported: [string, string][] = [];
  const source: MetricsSource = {
    metrics: {
      collect: () => {
        throw new Error('snapshot store unreachable');
      },
    },
    diag: { count: (reason, n) => counted.push(`${reason}:${n}`), report: (kind, message) => reported.push([kind, message]) },
  };
  return { source, counted, reported };
}

describe('a failed scrape is counted and reported, never silent', () => {
  it('collect throws: 500 without detail; export_failed counted on every scrape and reported with the cause', async () => {
    const { source, counted, reported } = failing();
    const handle = metricsHandler(source);
    for (let i = 0; i < 2; i++) {
      const res = (await handle(req()))!;
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('unreachable');
    }
    expect(counted).toEqual(['export_failed:1', 'export_failed:1']);
    expect(reported[0]).toEqual(['export_failed', '/metrics: collecting or rendering the metrics threw (snapshot store unreachable); the scrape got 500']);
  });

  it('an auth function that throws: 500, counted and reported without quoting its message', async () => {
    const diagnostics: Diagnostic[] = [];
    const monitor = createMonitor({ serviceName: 'scrape', backends: [], onDiagnostic: (d) => void diagnostics.push(d) });
    const handle = metricsHandler(monitor, {
      auth: () => {
        throw new Error('kv down: password=hunter2');
      },
    });
    expect((await handle(req()))!.status).toBe(500);
    const report = diagnostics.find((d) => d.kind === 'export_failed')!;
    expect(report.message).toBe('/metrics: the auth function threw; the scrape got 500');
    expect(report.message).not.toContain('hunter2');
    const open = metricsHandler(monitor);
    const body = await (await open(req()))!.text();
    expect(body).toContain(`lexigram_monitor_dropped_total{reason="export_failed",${S}} 1\n`);
  });
});
