// Runs under `deno test` (npm run test:deno).
import { boundScenario, otherSignalSoonScenario, sameSignalTwiceScenario, secondSignalScenario } from '../../test-support/second-signal.ts';

declare const Deno: any;
const fixture = ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/second-signal-server.ts', import.meta.url).pathname];

Deno.test({
  name: 'deno: a second SIGINT during the exit flush exits at once with 130, without waiting for the held flush',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => secondSignalScenario(Deno.execPath(), fixture),
});

Deno.test({
  name: 'deno: one Ctrl-C delivered twice (a task runner forwards it) does not cut the flush short: it ends, then the process exits with 130',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sameSignalTwiceScenario(Deno.execPath(), fixture),
});

Deno.test({
  name: 'deno: SIGINT right after the SIGTERM that started the flush is not that signal twice: it exits at once with 130',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => otherSignalSoonScenario(Deno.execPath(), fixture),
});

Deno.test({
  name: "deno: a flush still held when flushOnExit's timeoutMs ends exits with 143 and says what was lost",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => boundScenario(Deno.execPath(), fixture),
});
