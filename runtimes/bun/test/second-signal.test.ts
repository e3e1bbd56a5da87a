// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
import { test } from 'bun:test';
import { boundScenario, otherSignalSoonScenario, sameSignalTwiceScenario, secondSignalScenario } from '../../test-support/second-signal.js';

test('bun: a second SIGINT during the exit flush exits at once by the signal, without waiting for the held flush', () =>
  secondSignalScenario(process.execPath, ['run', new URL('./fixtures/second-signal-server.ts', import.meta.url).pathname]), 30_000);

test('bun: one Ctrl-C delivered twice (a runner forwards it) does not cut the flush short: it ends, then the process exits by the signal', () =>
  sameSignalTwiceScenario(process.execPath, ['run', new URL('./fixtures/second-signal-server.ts', import.meta.url).pathname]), 30_000);

test('bun: SIGINT right after the SIGTERM that started the flush is not that signal twice: it exits at once by SIGINT', () =>
  otherSignalSoonScenario(process.execPath, ['run', new URL('./fixtures/second-signal-server.ts', import.meta.url).pathname]), 30_000);

test("bun: a flush still held when flushOnExit's timeoutMs ends exits by the signal and says what was lost", () =>
  boundScenario(process.execPath, ['run', new URL('./fixtures/second-signal-server.ts', import.meta.url).pathname]), 30_000);
