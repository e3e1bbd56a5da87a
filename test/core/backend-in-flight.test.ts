// `maxPendingExports` bounds each backend's exports in flight, not the monitor's: a backend that
// hangs (a collector that accepts the connection and never answers) must not hold back the
// healthy backends beside it (DESIGN §5: a failing backend never breaks the rest), and a backend
// that never settles is not handed export after export, each holding its batch in memory.
import { describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend, type Backend, type Diagnostic, type ExportResult, type Monitor, type TelemetryBatch } from '../../src/index.js';

function droppedBy(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]));
}

/** 'settled' when `p` settles within `ms`, else 'pending' (the property here is that it does not wait for the hung backend). */
function within(p: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.then(() => 'settled' as const),
    new Promise<'pending'>((r) => (timer = setTimeout(() => r('pending'), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** A collector that accepts each export and never answers. */
class HangingBackend implements Backend {
  readonly name = 'hangs';
  calls = 0;
  export(): Promise<ExportResult> {
    this.calls++;
    return new Promise<ExportResult>(() => {});
  }
  forceFlush = (): Promise<void> => Promise.resolve();
  shutdown = (): Promise<void> => Promise.resolve();
}

/** A backend whose exports settle only when the test says so. */
class HeldBackend implements Backend {
  readonly name = 'held';
  readonly batches: TelemetryBatch[] = [];
  readonly #release: (() => void)[] = [];
  constructor(readonly temporality: 'delta' | 'cumulative' = 'delta') {}
  export(batch: TelemetryBatch): Promise<ExportResult> {
    this.batches.push(batch);
    return new Promise((resolve) => this.#release.push(() => resolve({ ok: true })));
  }
  forceFlush = (): Promise<void> => Promise.resolve();
  shutdown = (): Promise<void> => Promise.resolve();
  releaseAll(): void {
    for (const r of this.#release.splice(0)) r();
  }
}

/** Requests that end one after another, a macrotask apart, as a server's do; each scope's close() promise (its waitUntil). */
async function requests(monitor: Monitor, n: number): Promise<Promise<unknown>[]> {
  const closed: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const scope = monitor.openScope();
    scope.run(() => monitor.tracer.startSpan(`r${i}`).end());
    closed.push(scope.close());
    await new Promise((r) => setTimeout(r, 0));
  }
  return closed;
}

/** Requests that all end in one synchronous burst (a batch job's loop). */
function burst(monitor: Monitor, n: number): Promise<unknown>[] {
  const closed: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const scope = monitor.openScope();
    scope.run(() => monitor.tracer.startSpan(`r${i}`).end());
    closed.push(scope.close());
  }
  return closed;
}

describe('maxPendingExports is per backend', () => {
  it('a backend that never answers does not hold back a healthy one: it gets at most maxPendingExports exports, and what it missed waits for it, bounded, counted at shutdown', async () => {
    const hanging = new HangingBackend();
    const memory = new MemoryBackend();
    const diagnostics: Diagnostic[] = [];
    const monitor = createMonitor({ serviceName: 'x', backends: [hanging, memory], exportDelayMs: 0, flushTimeoutMs: 300, limits: { maxPendingExports: 2 }, onDiagnostic: (d) => diagnostics.push(d) });
    const closed = await requests(monitor, 6);
    const order: number[] = [];
    closed.forEach((p, i) => void p.then(() => order.push(i)));
    // The first two wait for the hung backend until flushTimeoutMs, and so does the third, which
    // waits for room to send what it missed; the last three only for the healthy one.
    await Promise.all(closed);
    expect(order.slice(0, 3).sort()).toEqual([3, 4, 5]);
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    expect(hanging.calls).toBe(2);
    expect(droppedBy(monitor)).toEqual({ export_timeout: 2 });
    await monitor.shutdown();
    expect(hanging.calls).toBe(2);
    // The four it missed were kept for it until the end, then counted once.
    expect(droppedBy(monitor)).toEqual({ export_timeout: 6 });
    expect(diagnostics.find((d) => d.kind === 'export_timeout')?.message).toContain('"hangs"');
  });

  it('a slow backend loses nothing: what it missed while at maxPendingExports reaches it once it has room, oldest first', async () => {
    const held = new HeldBackend('cumulative');
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 'x', backends: [held, memory], exportDelayMs: 0, flushTimeoutMs: 60_000, limits: { maxPendingExports: 1 }, onDiagnostic: () => {} });
    const closed = await requests(monitor, 4);
    await Promise.all(closed.slice(2));
    expect(memory.spans.map((s) => s.name)).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(held.batches.map((b) => b.spans.map((s) => s.name))).toEqual([['r0']]);
    held.releaseAll();
    await new Promise((r) => setTimeout(r, 10));
    expect(held.batches.map((b) => b.spans.map((s) => s.name))).toEqual([['r0'], ['r1', 'r2', 'r3']]);
    held.releaseAll();
    await Promise.all(closed);
    expect(droppedBy(monitor)).toEqual({});
  });

  it('what a busy backend missed is bounded by maxBufferedItems: the oldest go, counted and reported with its name', async () => {
    const hanging = new HangingBackend();
    const memory = new MemoryBackend();
    const diagnostics: Diagnostic[] = [];
    const monitor = createMonitor({ serviceName: 'x', backends: [hanging, memory], exportDelayMs: 0, flushTimeoutMs: 200, limits: { maxPendingExports: 1, maxBufferedItems: 2 }, onDiagnostic: (d) => diagnostics.push(d) });
    await Promise.all(await requests(monitor, 6));
    expect(memory.spans).toHaveLength(6);
    // r0 went out (and timed out); r1..r5 waited for it, of which r1..r3 did not fit.
    expect(droppedBy(monitor)).toEqual({ export_timeout: 1, buffer_full: 3 });
    const full = diagnostics.find((d) => d.kind === 'buffer_full');
    expect(full?.message).toContain('"hangs"');
    expect(full?.message).toContain('maxBufferedItems');
    await monitor.shutdown();
    expect(droppedBy(monitor)).toEqual({ export_timeout: 3, buffer_full: 3 });
  });

  it('a lone backend that never settles gets no more than maxPendingExports exports; later data waits in the buffer, and flush() still returns by its deadline', async () => {
    const hanging = new HangingBackend();
    const monitor = createMonitor({ serviceName: 'x', backends: [hanging], exportDelayMs: 0, flushTimeoutMs: 50, limits: { maxPendingExports: 2 }, onDiagnostic: () => {} });
    for (let i = 0; i < 5; i++) {
      monitor.logger.info(`l${i}`);
      expect(await within(monitor.flush(), 2000)).toBe('settled');
    }
    expect(hanging.calls).toBe(2);
    // The two exports that ran out of time are counted: the first's log, the second's log and
    // the drop counter's own point; the three later records wait in the buffer, bounded.
    expect(droppedBy(monitor).export_timeout).toBe(3);
  });

  it('metric deltas are not collected for a busy delta backend: they reach it, whole, once it has room', async () => {
    const held = new HeldBackend('delta');
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 'x', backends: [held, memory], exportDelayMs: 0, flushTimeoutMs: 60_000, limits: { maxPendingExports: 1 }, onDiagnostic: () => {} });
    const orders = monitor.metrics.createCounter('orders_total', 'Orders');
    monitor.logger.info('first');
    const first = monitor.flush(); // held now has its one export in flight
    orders.increment(5);
    await monitor.flush(); // memory gets the total; held is busy and skipped
    const total = memory.metrics?.metrics.find((m) => m.name === 'orders_total');
    expect((total?.points[0] as { value: number }).value).toBe(5);
    expect(held.batches).toHaveLength(1);
    held.releaseAll();
    await first;
    const third = monitor.flush(); // export() is called before flush() returns
    expect(held.batches).toHaveLength(2);
    const delta = held.batches[1]!.metrics?.metrics.find((m) => m.name === 'orders_total');
    expect((delta?.points[0] as { value: number }).value).toBe(5);
    expect(droppedBy(monitor).buffer_full).toBe(undefined);
    held.releaseAll();
    await third;
  });

  it('one busy backend alone still keeps the data in the buffer for later (nothing dropped while nobody else takes it)', async () => {
    const held = new HeldBackend('cumulative');
    const monitor = createMonitor({ serviceName: 'x', backends: [held], exportDelayMs: 0, flushTimeoutMs: 60_000, limits: { maxPendingExports: 1 }, onDiagnostic: () => {} });
    const closed = burst(monitor, 3);
    await Promise.resolve();
    expect(held.batches).toHaveLength(1);
    held.releaseAll();
    // The carrier exports what waited once room is made.
    await new Promise((r) => setTimeout(r, 10));
    held.releaseAll();
    await Promise.all(closed);
    expect(held.batches.flatMap((b) => b.spans.map((s) => s.name)).sort()).toEqual(['r0', 'r1', 'r2']);
    expect(droppedBy(monitor)).toEqual({});
  });
});
