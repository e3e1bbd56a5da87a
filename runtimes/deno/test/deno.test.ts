// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
import { untraceGlobalFetch } from '../../../src/adapter/process-server.ts';
import { scenarios, type RuntimeUnderTest } from '../../test-support/scenarios.ts';
import { instrument } from '../index.ts';
import { sigtermScenario } from '../../test-support/sigterm.ts';
import { otelDenoScenario } from './otel-deno.ts';

declare const Deno: any;

const deno: RuntimeUnderTest = {
  name: 'deno',
  protocol: 'http/json',
  start(handler, monitor) {
    const h = instrument(handler, monitor);
    return new Promise((resolve) => {
      const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, h);
      resolve({ url: `http://127.0.0.1:${server.addr.port}`, flush: () => h.flush(), stop: () => server.shutdown() });
    });
  },
};

for (const s of scenarios(deno)) {
  Deno.test({ name: s.name, sanitizeOps: false, sanitizeResources: false, fn: () => s.run() });
}
Deno.test({ name: 'restore fetch', fn: () => untraceGlobalFetch() });

Deno.test({
  name: 'deno: flushOnExit flushes pending telemetry on SIGTERM, then exits with 143',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sigtermScenario(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/sigterm-server.ts', import.meta.url).pathname]),
});

Deno.test({
  name: 'deno: DN-02/DN-06 with OTEL_DENO=true, one SERVER span (Deno’s), named by the Hono route, parent of ours',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => otelDenoScenario(),
});
