// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
import assert from 'node:assert/strict';
import { metricsHandler } from '../../../src/exporters/prometheus/index.ts';
import { MemoryBackend } from '../../../src/index.ts';
import { instrument } from '../index.ts';
import { oneCounter as source } from '../../test-support/metrics-source.ts';

declare const Deno: any;

Deno.test({
  name: 'deno: /metrics through Deno.serve and instrument() answers gzip when accepted, once (Deno does not compress it again)',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const metrics = metricsHandler(source);
    const h = instrument(async (req: Request) => (await metrics(req)) ?? new Response('nope', { status: 404 }), { serviceName: 'metrics-gzip', backends: [new MemoryBackend()] }, { waitForBody: true, traceFetch: false });
    const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, h);
    try {
      const url = `http://127.0.0.1:${server.addr.port}/metrics`;
      const res = await fetch(url, { headers: { 'accept-encoding': 'gzip', accept: 'text/plain' } });
      assert.equal(res.headers.get('content-encoding'), 'gzip');
      assert.equal(res.headers.get('vary'), 'Accept, Accept-Encoding');
      // fetch decodes one layer: gzipped twice, or labelled gzip but not, this would not be the text.
      assert.equal(await res.text(), '# HELP jobs_total Jobs\n# TYPE jobs_total counter\njobs_total{queue="q"} 5\n');
    } finally {
      await server.shutdown();
    }
  },
});
