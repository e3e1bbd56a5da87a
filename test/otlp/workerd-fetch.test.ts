/**
 * OtlpBackend in workerd with the runtime's own fetch passed in (`fetch: fetch`), as a Worker
 * may do to be explicit. workerd refuses a fetch called as a method of another object ("Illegal
 * invocation"); the exporter called it as one (`ctx.fetch(url, init)`), so on Workers every
 * export failed while Node, which does not check `this`, worked.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
let rx: Receiver;
let mf: Miniflare | undefined;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => {
  await mf?.dispose();
  await rx.close();
});

it('workerd: `fetch: fetch` delivers (it failed every export with Illegal invocation), and so does the default', { timeout: 60_000 }, async () => {
  const worker = `
    import { OtlpBackend } from './src/exporters/otlp/index.ts';
    const batch = { resource: { attributes: {} }, scope: { name: 's' }, spans: [], logs: [{ time: 1, severityNumber: 9, severityText: 'INFO', body: 'x', attributes: {}, droppedAttributesCount: 0 }] };
    export default {
      async fetch(req, env) {
        const given = new OtlpBackend({ endpoint: env.OTLP, fetch: fetch, retry: { maxAttempts: 1 } });
        const fallback = new OtlpBackend({ endpoint: env.OTLP, retry: { maxAttempts: 1 } });
        return Response.json([await given.export(batch), await fallback.export(batch)]);
      },
    };`;
  const out = await build({
    stdin: { contents: worker, resolveDir: REPO, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    logLevel: 'silent',
  });
  mf = new Miniflare({ modules: true, compatibilityDate: '2026-04-01', script: out.outputFiles[0].text, bindings: { OTLP: rx.url } });
  const start = rx.requests.length;
  const res = await mf.dispatchFetch('http://worker/');
  expect(await res.json()).toEqual([{ ok: true }, { ok: true }]);
  expect(rx.requests.slice(start).map((r) => r.path)).toEqual(['/v1/logs', '/v1/logs']);
});
