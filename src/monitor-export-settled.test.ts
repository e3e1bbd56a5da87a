import { afterEach, describe, expect, test, vi } from 'vitest';
import { createMonitor, type Backend } from './index.js';

/** A backend whose export() returns what `answer` makes, once per call. */
function backend(answer: () => unknown): Backend {
  return { name: 'b', temporality: 'none', export: () => answer() as never, forceFlush: async () => {}, shutdown: async () => {} };
}

async function flushOnce(b: Backend, flushTimeoutMs = 60_000) {
  const drops: string[] = [];
  const monitor = createMonitor({ serviceName: 'x', backends: [b], exportDelayMs: 0, flushTimeoutMs, onDiagnostic: (d) => void drops.push(String((d as { reason?: string }).reason ?? d.kind)) });
  monitor.tracer.startSpan('s').end();
  const r = await monitor.flush();
  return { r, drops, monitor };
}

afterEach(() => vi.useRealTimers());

describe("one backend's export: settled at once, or bounded by flushTimeoutMs", () => {
  test('an export already settled arms no timer, and its answer is the result', async () => {
    vi.useFakeTimers();
    const monitor = createMonitor({ serviceName: 'x', backends: [backend(() => Promise.resolve({ ok: true }))], exportDelayMs: 0 });
    monitor.tracer.startSpan('s').end();
    const p = monitor.flush();
    // A timer armed for the deadline would still be pending here (cleared only once the race ends).
    expect(vi.getTimerCount()).toBe(0);
    expect((await p).backends).toEqual([{ name: 'b', ok: true, reason: undefined, error: undefined }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('an export that is still running is cut at flushTimeoutMs and counted', async () => {
    const { r, drops } = await flushOnce(backend(() => new Promise(() => {})), 30);
    expect(r.backends[0]).toMatchObject({ ok: false, reason: 'export_timeout' });
    expect(drops).toContain('export_timeout');
  });

  test('a settled rejection, a thrown error and a promise whose constructor getter throws: failures counted, never thrown', async () => {
    const broken = Promise.resolve({ ok: true });
    Object.defineProperty(broken, 'constructor', {
      get() {
        throw new Error('no constructor');
      },
    });
    for (const answer of [() => Promise.reject(new Error('down')), () => { throw new Error('sync'); }, () => broken]) {
      const { r, drops } = await flushOnce(backend(answer));
      expect(r.backends[0]).toMatchObject({ ok: false, reason: 'export_failed' });
      expect(drops).toContain('export_failed');
    }
  });

  test('a plain answer (no promise) and a thenable that is not a Promise are taken as they are', async () => {
    const thenable = { then: (ok: (v: unknown) => void) => ok({ ok: true }) };
    for (const answer of [() => ({ ok: true }), () => thenable, () => Promise.resolve(thenable)]) {
      const { r, drops } = await flushOnce(backend(answer));
      expect(r.backends[0]).toMatchObject({ ok: true });
      expect(drops).toEqual([]);
    }
  });

  test("a thenable's rejection is counted as the export's failure", async () => {
    const thenable = { then: (_ok: unknown, fail: (e: unknown) => void) => fail(new Error('refused')) };
    const { r } = await flushOnce(backend(() => thenable));
    expect(r.backends[0]).toMatchObject({ ok: false, reason: 'export_failed', error: expect.stringContaining('refused') });
  });
});
