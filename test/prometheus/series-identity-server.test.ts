/**
 * A real Prometheus (Debian 2.42) stores one series per sample line we write: label sets that
 * Prometheus takes as one (an empty label value is no label, PR-03) are written once, so none is
 * lost inside Prometheus without a word, in either format.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsHandler, renderSnapshot } from '../../src/exporters/prometheus/index.js';
import { counter, gauge, histogram, snapshot, source } from './fixtures.js';
import { freePort, poll, queryPrometheus, requireBinary, shouldRun, startPrometheus, type Running } from './processes.js';
import { serve } from './serve.js';

const snap = () =>
  snapshot(
    gauge('depth', 'Queue depth', '', [[{ queue: '' }, 1], [{}, 2], [{ queue: '', shard: 'a' }, 3], [{ shard: 'a' }, 4], [{ queue: 'jobs' }, 5]]),
    histogram('lat', 'Latency', 's', [1], [[{ route: '' }, [0.5]], [{}, [2]]]),
    counter('jobs.', 'Jobs', '', [[{}, 7]]),
  );

describe.runIf(shouldRun('prometheus'))('real Prometheus: one stored series per rendered sample line', () => {
  let prometheus: Running | undefined;
  let server: Server | undefined;
  let dir = '';
  let api = '';

  beforeAll(async () => {
    const binary = requireBinary('prometheus');
    const appPort = await freePort();
    const monitor = source(snap);
    server = await serve(
      [metricsHandler(monitor, { path: '/om', format: 'openmetrics' }), metricsHandler(monitor, { path: '/text', format: 'text' })],
      appPort,
    );
    dir = mkdtempSync(join(tmpdir(), 'lexigram-prom-ids-'));
    const target = `['127.0.0.1:${appPort}']`;
    ({ prometheus, api } = await startPrometheus(binary, dir, [
      `  - { job_name: om, metrics_path: /om, static_configs: [{ targets: ${target} }] }`,
      `  - { job_name: text, metrics_path: /text, static_configs: [{ targets: ${target} }] }`,
    ]));
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = (q: string) => queryPrometheus(api, q);

  for (const format of ['openmetrics', 'text'] as const) {
    const job = format === 'openmetrics' ? 'om' : 'text';
    it(`PR-03, MET-13 (${format}): samples scraped = series stored = sample lines rendered; values as rendered`, async () => {
      const lines = renderSnapshot(snap(), { format }).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      const scraped = await poll(`scrape of ${job}`, async () => {
        const r = await query(`scrape_samples_scraped{job="${job}"}`);
        return r.length > 0 ? Number(r[0]!.value[1]) : undefined;
      });
      const stored = await query(`{job="${job}", __name__!~"up|scrape_.*"}`);
      expect([scraped, stored.length]).toEqual([lines.length, lines.length]);
      const depth = Object.fromEntries(stored.filter((s) => s.metric.__name__ === 'depth').map((s) => [s.metric.shard ?? s.metric.queue ?? '', s.value[1]]));
      expect(depth).toEqual({ '': '1', a: '3', jobs: '5' });
      expect(stored.find((s) => s.metric.__name__ === 'jobs_total')?.value[1]).toBe('7');
    }, 30_000);
  }
});
