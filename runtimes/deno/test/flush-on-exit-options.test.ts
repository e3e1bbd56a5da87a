// Runs under `deno test` (npm run test:deno).
import assert from 'node:assert/strict';
import { flushOnExit } from '../index.ts';

const target = { shutdown: async (): Promise<void> => undefined };

Deno.test('deno: flushOnExit throws at once, saying what to change, for options that would break the flush', () => {
  const state = (globalThis as unknown as Record<symbol, { listeners: Map<string, unknown>; timeout: number } | undefined>)[Symbol.for('@lexigram/monitor/deno-flush-on-exit/state/v1')];
  const listenersBefore = [...(state?.listeners.keys() ?? [])];
  assert.throws(() => flushOnExit(target, { timeoutMs: '5000' as unknown as number }), /`timeoutMs` must be a number of milliseconds/);
  assert.throws(() => flushOnExit(target, { timeoutMs: Number.NaN }), /`timeoutMs`/);
  assert.throws(() => flushOnExit(target, { signals: 'SIGTERM' as unknown as ['SIGTERM'] }), /`signals` must be an array of SIGHUP, SIGINT, SIGTERM/);
  assert.throws(() => flushOnExit(target, { signals: ['SIGKILL' as 'SIGTERM'] }), /`signals`/);
  assert.throws(() => flushOnExit(target, { signals: ['toString' as 'SIGTERM'] }), /`signals`/);
  assert.throws(() => flushOnExit(target, { beforeFlush: 5 as unknown as () => void }), /`beforeFlush` must be a function/);
  assert.throws(() => flushOnExit(target, { exit: 'yes' as unknown as boolean }), /`exit` must be true, false or left out/);
  // A misspelled option was ignored: the flush ran with the default bound.
  assert.throws(() => flushOnExit(target, { timeoutMS: 5 } as never), /unknown option `timeoutMS`; known options are timeoutMs, signals, beforeFlush, exit/);
  assert.throws(() => flushOnExit({} as typeof target), /target must be a monitor or an instrumented handler/);
  // Nothing was installed or changed by the refused calls.
  const after = (globalThis as unknown as Record<symbol, { listeners: Map<string, unknown>; timeout: number } | undefined>)[Symbol.for('@lexigram/monitor/deno-flush-on-exit/state/v1')];
  assert.deepEqual([...(after?.listeners.keys() ?? [])], listenersBefore);
  assert.equal(after?.timeout ?? 10_000, 10_000);
});
