// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
import { expect, test } from 'bun:test';
import { metricsHandler } from '../../../src/exporters/prometheus/index.js';
import { MemoryBackend } from '../../../src/index.js';
import { serve } from '../index.js';
import { oneCounter as source } from '../../test-support/metrics-source.js';

test('bun: /metrics through serve() answers gzip when accepted, once', async () => {
  const metrics = metricsHandler(source);
  const server = serve(async (req) => (await metrics(req)) ?? new Response('nope', { status: 404 }), { serviceName: 'metrics-gzip', backends: [new MemoryBackend()] }, {
    port: 0,
    hostname: '127.0.0.1',
    instrumentation: { traceFetch: false, waitForBody: true },
  });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: { 'accept-encoding': 'gzip', accept: 'text/plain' } });
    expect([res.headers.get('content-encoding'), res.headers.get('vary')]).toEqual(['gzip', 'Accept, Accept-Encoding']);
    // fetch decodes one layer: gzipped twice, or labelled gzip but not, this would not be the text.
    expect(await res.text()).toBe('# HELP jobs_total Jobs\n# TYPE jobs_total counter\njobs_total{queue="q"} 5\n');
  } finally {
    await server.stop(true);
  }
});
