import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

/** A promise settled from outside. */
function gate(): { promise: Promise<void>; open(): void; fail(e: unknown): void } {
  let open!: () => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((open = res), (fail = rej)));
  return { promise, open, fail };
}

const settledYet = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 10));
  return done;
};

describe('scope.waitUntil', () => {
  test("close()'s promise settles after the work handed over, while the export itself does not wait for it", async () => {
    const { monitor, memory } = createTestMonitor({ batchWindowMs: 0 });
    const scope = monitor.openScope();
    const work = gate();
    scope.run(() => monitor.tracer.startSpan('in scope').end());
    expect(scope.waitUntil(work.promise)).toBe(true);
    const closing = scope.close();
    expect(await settledYet(closing)).toBe(false);
    expect(memory.spans.map((s) => s.name)).toEqual(['in scope']);
    work.open();
    expect(await closing).toMatchObject({ spans: 1 });
  });

  test('what the work records after close() leaves within close()\'s promise, not with some later export', async () => {
    const { monitor, memory } = createTestMonitor({ batchWindowMs: 0 });
    const scope = monitor.openScope();
    const work = gate();
    scope.waitUntil(work.promise.then(() => scope.run(() => (monitor.tracer.startSpan('in work').end(), monitor.logger.info('work done')))));
    const closing = scope.close();
    work.open();
    await closing;
    expect(memory.spans.map((s) => s.name)).toEqual(['in work']);
    expect(memory.logs.map((l) => l.body)).toEqual(['work done']);
  });

  test('a rejection stays the work\'s own: close() still resolves with the export\'s result', async () => {
    const { monitor } = createTestMonitor({ batchWindowMs: 0 });
    const scope = monitor.openScope();
    const work = gate();
    scope.waitUntil(work.promise);
    work.promise.catch(() => {}); // the app handles its own rejection
    work.fail(new Error('post failed'));
    expect((await scope.close()).backends.every((b) => b.ok)).toBe(true);
  });

  test('refused once the scope is closed, and close() stays idempotent', async () => {
    const { monitor } = createTestMonitor({ batchWindowMs: 0 });
    const scope = monitor.openScope();
    const first = scope.close();
    expect(scope.waitUntil(new Promise(() => {}))).toBe(false);
    expect(scope.close()).toBe(first);
    await first;
  });

  test('without work, close() returns the export as it did (the settled "nothing to export" included)', async () => {
    const { monitor } = createTestMonitor();
    const a = monitor.openScope();
    await a.close();
    // Within the batch window: this scope's data joins the batch; its close() is the shared settled promise.
    const b = monitor.openScope();
    const c = monitor.openScope();
    expect(b.close()).toBe(c.close());
  });
});
