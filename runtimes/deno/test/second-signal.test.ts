// Runs under `deno test` (npm run test:deno).
import { secondSignalScenario } from '../../test-support/second-signal.ts';

declare const Deno: any;

Deno.test({
  name: 'deno: a second SIGINT during the exit flush exits at once with 130, without waiting for the held flush',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => secondSignalScenario(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/second-signal-server.ts', import.meta.url).pathname]),
});
