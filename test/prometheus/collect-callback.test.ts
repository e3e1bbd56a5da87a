/**
 * Metric values read at collection time (prom-client's `collect()`): a gauge's `collect` option and
 * `monitor.metrics.addCollectCallback`, scraped through the real `metricsHandler` and checked with
 * the real `promtool check metrics`. Each scrape runs each callback once.
 */
import { describe, expect, it } from 'vitest';
import { metricsHandler } from '../../src/exporters/prometheus/index.js';
import { createMonitor, type Diagnostic } from '../../src/index.js';
import { promtoolCheck, shouldRun } from './processes.js';
import { SCOPE_LABELS as S } from './fixtures.js';

async function scrape(handler: ReturnType<typeof metricsHandler>): Promise<string> {
  const res = await handler(new Request('http://localhost/metrics'));
  expect(res!.status).toBe(200);
  return res!.text();
}

function line(body: string, prefix: string): string | undefined {
  return body.split('\n').find((l) => l.startsWith(prefix));
}

describe.runIf(shouldRun('promtool'))('collect callbacks, scraped', () => {
  it('a gauge with collect() is set at each scrape, once per scrape; the text passes promtool', async () => {
    const monitor = createMonitor({ serviceName: 'collect-cb', onDiagnostic: () => undefined });
    const queue: number[] = [1, 2, 3];
    let runs = 0;
    monitor.metrics.createGauge('queue_depth', 'Jobs waiting.', {
      labelNames: ['queue'],
      collect(g) {
        runs++;
        expect(this).toBe(g);
        g.set(queue.length, { queue: 'mail' });
        g.set(queue.length * 2, { queue: 'sms' });
      },
    });
    const handler = metricsHandler(monitor);

    const first = await scrape(handler);
    expect(runs).toBe(1);
    expect(line(first, `queue_depth{queue="mail",${S}}`)).toBe(`queue_depth{queue="mail",${S}} 3`);
    expect(line(first, `queue_depth{queue="sms",${S}}`)).toBe(`queue_depth{queue="sms",${S}} 6`);
    let r = promtoolCheck(first);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);

    queue.push(4, 5);
    const second = await scrape(handler);
    expect(runs).toBe(2);
    expect(line(second, `queue_depth{queue="mail",${S}}`)).toBe(`queue_depth{queue="mail",${S}} 5`);
    expect(line(second, `queue_depth{queue="sms",${S}}`)).toBe(`queue_depth{queue="sms",${S}} 10`);
    r = promtoolCheck(second);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
    await monitor.shutdown();
  });

  it('a callback that throws is counted and reported; the others still run and every instrument is collected', async () => {
    const diags: Diagnostic[] = [];
    const monitor = createMonitor({ serviceName: 'collect-cb', onDiagnostic: (d) => diags.push(d) });
    const hits = monitor.metrics.createCounter('hits_total', 'Hits.');
    hits.increment(2);
    monitor.metrics.addCollectCallback(() => {
      throw new Error('queue is gone');
    });
    const mem = monitor.metrics.createGauge('heap_bytes', 'Heap.', { unit: 'By' });
    let n = 0;
    const remove = monitor.metrics.addCollectCallback(() => mem.set(++n * 100));
    const handler = metricsHandler(monitor);

    const body = await scrape(handler);
    expect(line(body, `heap_bytes{${S}} `)).toBe(`heap_bytes{${S}} 100`);
    expect(line(body, `hits_total{${S}} `)).toBe(`hits_total{${S}} 2`);
    expect(line(body, `lexigram_monitor_dropped_total{reason="collect_callback",${S}}`)).toBe(`lexigram_monitor_dropped_total{reason="collect_callback",${S}} 1`);
    expect(diags.filter((d) => d.kind === 'collect_callback').map((d) => d.message)).toEqual([expect.stringContaining('queue is gone')]);
    expect(promtoolCheck(body).code).toBe(0);

    // Counted at each scrape (reported once); the remover stops the other callback.
    remove();
    const again = await scrape(handler);
    expect(line(again, `heap_bytes{${S}} `)).toBe(`heap_bytes{${S}} 100`);
    expect(line(again, `lexigram_monitor_dropped_total{reason="collect_callback",${S}}`)).toBe(`lexigram_monitor_dropped_total{reason="collect_callback",${S}} 2`);
    expect(diags.filter((d) => d.kind === 'collect_callback')).toHaveLength(1);
    expect(n).toBe(1);
    await monitor.shutdown();
  });

  it('a callback that collects again does not recurse; a rejected promise is counted; none run after shutdown', async () => {
    const monitor = createMonitor({ serviceName: 'collect-cb', onDiagnostic: () => undefined });
    let runs = 0;
    monitor.metrics.addCollectCallback(() => {
      runs++;
      monitor.metrics.collect();
    });
    monitor.metrics.addCollectCallback(() => Promise.reject(new Error('late')) as unknown as void);
    monitor.metrics.collect();
    expect(runs).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect((dropped.points.find((p) => p.attributes.reason === 'collect_callback') as { value: number }).value).toBeGreaterThanOrEqual(1);
    expect(runs).toBe(2);
    await monitor.shutdown(); // its last export may collect once more
    const atShutdown = runs;
    monitor.metrics.collect();
    expect(runs).toBe(atShutdown);
  });
});
