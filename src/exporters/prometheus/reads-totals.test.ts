// A pull backend says that it reads totals by `readsTotals: true`, not by its name: beside a delta
// backend, a series that went idle before the first scrape must still be there for that scrape.
import { expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../../index.js';
import type { Backend, ExportResult } from '../../model/batch.js';
import { PrometheusBackend } from './backend.js';

const OK: ExportResult = { ok: true };

/** A user's own pull backend: nothing pushed, totals read at scrape time. */
function customPull(readsTotals: boolean | undefined): Backend {
  return {
    name: 'my-scrape-endpoint',
    temporality: 'none',
    ...(readsTotals === undefined ? {} : { readsTotals }),
    export: () => Promise.resolve(OK),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

async function idleThenScrape(pull: Backend): Promise<number | undefined> {
  const monitor = createMonitor({ serviceName: 'x', backends: [new MemoryBackend({ temporality: 'delta' }), pull], onDiagnostic: () => {} });
  monitor.metrics.createCounter('jobs', 'Jobs', { labelNames: ['a'] }).increment(3, { a: 'x' });
  const other = monitor.metrics.createCounter('other', 'Other');
  // Collections go on (another series changes); `jobs` stays idle through them.
  for (let i = 0; i < 3; i++) {
    other.increment();
    await monitor.flush();
  }
  // The first scrape.
  const jobs = monitor.metrics.collect().metrics.find((m) => m.name === 'jobs');
  await monitor.shutdown();
  return jobs?.type === 'counter' ? jobs.points.find((p) => p.attributes.a === 'x')?.value : undefined;
}

it('a custom pull backend with readsTotals: true keeps an idle series for its first scrape', async () => {
  expect(await idleThenScrape(customPull(true))).toBe(3);
});

it('PrometheusBackend declares readsTotals (the monitor no longer knows it by its name)', async () => {
  expect(new PrometheusBackend().readsTotals).toBe(true);
  expect(await idleThenScrape(new PrometheusBackend())).toBe(3);
});

it('without readsTotals, a backend taking no metrics reads no totals: idle series are forgotten, as with deltas alone', async () => {
  expect(await idleThenScrape(customPull(undefined))).toBeUndefined();
});
