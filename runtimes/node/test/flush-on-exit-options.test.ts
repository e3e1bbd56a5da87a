import { expect, test, vi } from 'vitest';
import { flushOnExit, instrument } from '../index.js';

const target = { shutdown: async (): Promise<void> => undefined };
const ours = (): number => process.listeners('SIGTERM').length + process.listeners('SIGINT').length;

test('node: flushOnExit throws at once, saying what to change, for options that would break the flush', () => {
  const before = ours();
  expect(() => flushOnExit(target, { timeoutMs: '5000' as unknown as number })).toThrow(/`timeoutMs` must be a number of milliseconds, 0 or more \(default 10000\), got "5000"\./);
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

test('node: a timeoutMs above what a timer holds (2^31-1 ms) waits for the flush, not 1 ms (a flush cut short at once, said to be)', async () => {
  const app = (): void => {}; // the app handles SIGHUP: the flush runs, nothing is re-raised
  process.on('SIGHUP', app);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
  let drained = false;
  let handed = 0;
  const slow = {
    shutdown: (ms?: number): Promise<void> => {
      handed = ms ?? -1;
      return new Promise<void>((r) => setTimeout(() => ((drained = true), r()), 40));
    },
  };
  const instrumented = instrument(() => new Response('ok'), { backends: [] }, { traceFetch: false });
  let tracked = false;
  const off = flushOnExit(slow, { timeoutMs: 5e9, signals: ['SIGHUP'] });
  try {
    process.emit('SIGHUP', 'SIGHUP');
    await new Promise((r) => setTimeout(r, 120));
    expect(drained).toBe(true);
    expect(handed).toBeGreaterThan(2 ** 31);
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/cut short/);
    // The handler's own shutdown(timeoutMs) waits for its pending work under such a bound too.
    instrumented.track(new Promise<void>((r) => setTimeout(() => ((tracked = true), r()), 40)));
    await instrumented.shutdown(5e9);
    expect(tracked).toBe(true);
  } finally {
    off();
    process.off('SIGHUP', app);
    warn.mockRestore();
    emitWarning.mockRestore();
    flushOnExit(slow, { timeoutMs: 10_000, signals: ['SIGHUP'] })();
  }
});
