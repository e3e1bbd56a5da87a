// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
// On Deno, createMonitor(), instrument() and the Hono middleware report the same runtime:
// process.runtime.name `deno` and Deno's version, as Deno's built-in OpenTelemetry does, and the
// server-side JavaScript language `nodejs` (`webjs` is browser JavaScript's; Deno's own
// `deno-rust` names its Rust SDK), as the OpenTelemetry JS SDK reports there.
import assert from 'node:assert/strict';
import { instrument } from '../index.ts';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.ts';
import { runtimeResources } from '../../test-support/runtime-resource.ts';

declare const Deno: any;

Deno.test('createMonitor(), instrument() and monitorMiddleware() on Deno: nodejs, process.runtime.name deno and its version', async () => {
  try {
    const deno = { 'telemetry.sdk.language': 'nodejs', 'process.runtime.name': 'deno', 'process.runtime.version': Deno.version.deno };
    assert.deepEqual(await runtimeResources(instrument as never), { bare: deno, adapter: deno, hono: deno });
  } finally {
    untraceGlobalFetch();
  }
});
