/**
 * A Tail Worker whose handler is `trace(events, env, ctx)`, the `tail` handler's older name, which
 * workerd still calls: instrumented as `tail` is (CF-09), in real workerd (miniflare 4).
 */
import { Miniflare } from 'miniflare';
import { expect, test } from 'vitest';
import { bundleWorker, fixture } from './helpers/workerd.js';

interface Dump {
  spans: { name: string; kind: number; attributes: Record<string, unknown> }[];
  logs: unknown[];
}

test('CF-09 a trace() handler gets the tail span (SERVER, event count) and its log leaves with it; it ran with neither, its telemetry never exported', async () => {
  const mf = new Miniflare({
    workers: [
      { name: 'producer', modules: true, script: 'export default { fetch: () => new Response("produced") }', compatibilityDate: '2026-04-01', tails: ['tail'] },
      { name: 'tail', modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker(fixture('worker-trace-handler.ts')) }], compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'] },
    ],
  });
  try {
    expect(await (await mf.dispatchFetch('http://producer.test/')).text()).toBe('produced');
    const tail = await mf.getWorker('tail');
    // Polled through the tail Worker's own fetch, which records a span of its own: only `tail` is looked for.
    let seen: Dump | undefined;
    for (let i = 0; i < 100 && !seen?.spans.some((s) => s.name === 'tail'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      seen = (await (await tail.fetch('http://tail/')).json()) as Dump;
    }
    const span = seen!.spans.find((s) => s.name === 'tail');
    expect(span).toMatchObject({ kind: 2, attributes: { 'faas.trigger': 'other', 'cloudflare.trigger': 'tail', 'cloudflare.tail.event_count': 1, 'test.outcome': 'ok' } });
    expect(seen!.logs).toContain('trace ran');
  } finally {
    await mf.dispose();
  }
});
