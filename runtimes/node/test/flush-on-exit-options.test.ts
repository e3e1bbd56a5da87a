import { expect, test } from 'vitest';
import { flushOnExit } from '../index.js';

const target = { shutdown: async (): Promise<void> => undefined };
const ours = (): number => process.listeners('SIGTERM').length + process.listeners('SIGINT').length;

test('node: flushOnExit throws at once, saying what to change, for options that would break the flush', () => {
  const before = ours();
  expect(() => flushOnExit(target, { timeoutMs: '5000' as unknown as number })).toThrow(/`timeoutMs` must be a number of milliseconds/);
  expect(() => flushOnExit(target, { timeoutMs: Number.NaN })).toThrow(/`timeoutMs`/);
  expect(() => flushOnExit(target, { timeoutMs: -1 })).toThrow(/`timeoutMs`/);
  expect(() => flushOnExit(target, { signals: 'SIGTERM' as unknown as ['SIGTERM'] })).toThrow(/`signals` must be an array of SIGTERM, SIGINT, SIGHUP/);
  expect(() => flushOnExit(target, { signals: ['SIGKILL' as 'SIGTERM'] })).toThrow(/`signals`/);
  expect(() => flushOnExit(target, { beforeFlush: 5 as unknown as () => void })).toThrow(/`beforeFlush` must be a function/);
  // A misspelled option was ignored: the flush ran with the default bound.
  expect(() => flushOnExit(target, { timeoutMS: 5 } as never)).toThrow(/unknown option `timeoutMS`; known options are timeoutMs, signals, beforeFlush\.$/);
  expect(() => flushOnExit(target, { exit: false } as never)).toThrow(/unknown option `exit`/);
  expect(() => flushOnExit({} as typeof target)).toThrow(/target must be a monitor or an instrumented handler/);
  // Nothing was installed by the refused calls.
  expect(ours()).toBe(before);
  const state = (globalThis as unknown as Record<symbol, { listeners: Map<string, unknown>; timeout: number } | undefined>)[Symbol.for('@lexigram/monitor/flush-on-exit/state/v1')];
  expect([...(state?.listeners.keys() ?? [])].every((s) => ['SIGTERM', 'SIGINT', 'SIGHUP'].includes(s))).toBe(true);
  expect(state?.timeout ?? 10_000).toBe(10_000);
});
