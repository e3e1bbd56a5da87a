/**
 * workerd is no Node, whatever its compatibility flags: with nodejs_compat its `process` names a
 * Node version (and a release named node), and with no_global_navigator it has no
 * navigator.userAgent either, as Node 20 has none. The resource keeps the core's webjs and no
 * process.runtime.* there.
 */
import { Miniflare } from 'miniflare';
import { describe, expect, test } from 'vitest';
import { bundleWorker, fixture } from './helpers/workerd.js';

const WEBJS = { 'telemetry.sdk.language': 'webjs', 'process.runtime.name': null, 'process.runtime.version': null };

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'nodejs_compat without a global navigator', flags: ['nodejs_compat', 'no_global_navigator'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd resource, $name', ({ flags }) => {
  test('webjs and no process.runtime.*, from the adapter and a bare createMonitor()', async () => {
    const mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker(fixture('worker-runtime-resource.ts')) }],
      compatibilityDate: '2026-04-01',
      compatibilityFlags: flags,
    });
    try {
      const r = await mf.dispatchFetch('http://worker.test/');
      expect(await r.json()).toEqual({ adapter: WEBJS, bare: WEBJS });
    } finally {
      await mf.dispose();
    }
  });
});
