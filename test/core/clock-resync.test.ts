/**
 * `performance.now()` stops while a machine sleeps or a Lambda sandbox is frozen, and
 * `performance.timeOrigin` never moves: without a resync, a warm process stamps its spans in the
 * past by the time it was stopped. The wall clock is simulated here by moving `Date.now()`, which
 * is what the clock compares against; each test loads fresh modules, so the clock's state (it
 * only ever moves forward) does not leak from one test to the next.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const HOUR = 3_600_000;

async function fresh() {
  vi.resetModules();
  const { createTestMonitor } = await import('../../src/testing/index.js');
  const { handleRequest } = await import('../../src/http/handle-request.js');
  const time = await import('../../src/time.js');
  return { ...createTestMonitor(), handleRequest, time };
}

/** Moves the wall clock by `ms` from now on, as a suspend (ahead) or a clock set back would. */
function moveWallClock(ms: number): void {
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => real() + ms);
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

describe('the clock after a suspend or a frozen sandbox', () => {
  it('a request after the wall clock moved an hour ahead of performance.now() is stamped with the wall clock, its duration untouched', async () => {
    const { monitor, memory, handleRequest, time } = await fresh();
    await handleRequest(monitor, new Request('https://app.example/before'), () => new Response('ok'), undefined);
    moveWallClock(HOUR);
    expect(Date.now() - time.now()).toBeGreaterThan(HOUR - 1000); // behind, until a scope opens
    await handleRequest(monitor, new Request('https://app.example/after'), () => new Response('ok'), undefined);
    await monitor.flush();
    const [before, after] = ['/before', '/after'].map((p) => memory.spans.find((s) => s.attributes['url.path'] === p)!);
    expect(Math.abs(after!.startTime - Date.now())).toBeLessThan(1000);
    expect(after!.startTime - before!.startTime).toBeGreaterThan(HOUR - 1000);
    expect(after!.endTime! - after!.startTime).toBeLessThan(1000);
    expect(Math.abs(time.now() - Date.now())).toBeLessThan(1000);
  });

  it('a wall clock set back is not followed: now() never goes backwards', async () => {
    const { monitor, memory, handleRequest, time } = await fresh();
    const t0 = time.now();
    moveWallClock(-HOUR);
    await handleRequest(monitor, new Request('https://app.example/x'), () => new Response('ok'), undefined);
    await monitor.flush();
    expect(memory.spans[0]!.startTime).toBeGreaterThanOrEqual(t0);
    expect(time.now()).toBeGreaterThanOrEqual(t0);
  });

  it('while a request is in flight, another scope opening (of any monitor) moves nothing: the step never lands inside a duration', async () => {
    const { monitor, memory, handleRequest, time } = await fresh();
    const { createTestMonitor } = await import('../../src/testing/index.js');
    const other = createTestMonitor().monitor;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const inFlight = handleRequest(monitor, new Request('https://app.example/slow'), async () => (await held, new Response('ok')), undefined);
    moveWallClock(HOUR);
    const origin = time.clockOrigin();
    const scope = other.openScope(); // another monitor's request, while /slow is open
    expect(time.clockOrigin()).toBe(origin);
    release();
    await inFlight;
    await scope.close();
    await monitor.flush();
    const slow = memory.spans.find((s) => s.attributes['url.path'] === '/slow')!;
    expect(slow.endTime! - slow.startTime).toBeLessThan(1000);
    // Nothing open any more: the next request catches up.
    await handleRequest(monitor, new Request('https://app.example/next'), () => new Response('ok'), undefined);
    expect(time.clockOrigin() - origin).toBeGreaterThan(HOUR - 1000);
  });

  it('a few milliseconds of jitter between the two clocks moves nothing', async () => {
    const { monitor, time } = await fresh();
    const origin = time.clockOrigin();
    moveWallClock(5);
    monitor.openScope();
    expect(time.clockOrigin()).toBe(origin);
  });
});
