/**
 * A Worker as its authors test it with @cloudflare/vitest-pool-workers: instrumented with a
 * MemoryBackend that the tests read (worker.test.ts).
 */
import { instrument } from '../index.js';
import { MemoryBackend } from '../../../src/testing/index.js';

export const memory = new MemoryBackend();

interface Env {
  KV: { get(k: string): Promise<string | null>; put(k: string, v: string): Promise<void> };
}

export default instrument(
  {
    async fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, { monitor }): Promise<Response> {
      const visits = Number((await env.KV.get('visits')) ?? 0) + 1;
      await env.KV.put('visits', String(visits));
      monitor.metrics.createCounter('visits_total', 'Visits').increment();
      monitor.logger.info('visit', { visits, path: new URL(request.url).pathname });
      ctx.waitUntil(env.KV.put('last', new Date().toISOString()));
      return Response.json({ visits });
    },
  },
  { serviceName: 'pool-worker', backends: [memory], batchWindowMs: 0 },
);
