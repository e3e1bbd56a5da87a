/**
 * On Node, a bare createMonitor() and the Hono middleware report the runtime as the Node adapter
 * does: telemetry.sdk.language `nodejs` (the core's `webjs` is browser JavaScript's), and
 * process.runtime.name `nodejs` with Node's version, as the OpenTelemetry JS SDK's resource does.
 */
import { afterAll, expect, test } from 'vitest';
import { instrument } from '../index.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { runtimeResources } from '../../test-support/runtime-resource.js';

afterAll(() => untraceGlobalFetch());

test('createMonitor(), instrument() and monitorMiddleware() on Node: nodejs, process.runtime.name nodejs and its version', async () => {
  const node = { 'telemetry.sdk.language': 'nodejs', 'process.runtime.name': 'nodejs', 'process.runtime.version': process.versions.node };
  expect(await runtimeResources(instrument as never)).toEqual({ bare: node, adapter: node, hono: node });
});
