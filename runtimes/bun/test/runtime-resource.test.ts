// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
// On Bun, createMonitor(), instrument() and the Hono middleware report the same runtime:
// process.runtime.name `bun` and Bun's version, and the server-side JavaScript language `nodejs`
// (`webjs` is browser JavaScript's), as the OpenTelemetry JS SDK reports there.
import { afterAll, expect, test } from 'bun:test';
import { instrument } from '../index.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { runtimeResources } from '../../test-support/runtime-resource.js';

declare const Bun: any;

afterAll(() => untraceGlobalFetch());

test('createMonitor(), instrument() and monitorMiddleware() on Bun: nodejs, process.runtime.name bun and its version', async () => {
  const bun = { 'telemetry.sdk.language': 'nodejs', 'process.runtime.name': 'bun', 'process.runtime.version': Bun.version };
  expect(await runtimeResources(instrument as never)).toEqual({ bare: bun, adapter: bun, hono: bun });
});
